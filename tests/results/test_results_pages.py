"""The results pages: the lead's preview and final results, per-finalist
details, finalising and reopening through the pages, the CSV exports, and
each organisation's own results.

The hand-worked cohort (default framework: Q1–Q5 weights 1.5, 1, 1, 2, 1.5;
P1–P6 weights 1.5, 1, 1, 1.5, 1, 1, P6 judging only; 7 per pillar, 14 in all):

    Ann Archer: Alpha Q 8, P 6; Beta Q 6, P 8   (mean 7, population sd 1)
    Ben Baker:  Alpha Q 9, P 5; Beta Q 5, P 9   (mean 7, population sd 2)
    Gamma is a finalist with no scorecard; Delta submitted but was not shortlisted.

Raw means: Alpha Q 8.5, P 5.5; Beta Q 5.5, P 8.5. So T = 70 for both,
Alpha Q 85 P 55, Beta Q 55 P 85: equal totals, Alpha first on the Q
tie-break; both accredited; awards: winner and best service quality Alpha,
best people performance Beta.

Normalised: every score of the cohort has mean 7 and sd √2.5; each judge's
z-scores are ±1, so every high score becomes 7 + √2.5 = 8.581138830084189
and every low one 7 − √2.5 = 5.41886116991581 (Alpha Q 85.81, P 54.19).
"""

import csv
import io

import pytest
from django.core import mail

from assessments.models import Response
from assessments.services.self_assessment import ensure_assessment
from cohorts.models import Cohort, Enrolment, Phase
from core.models import AuditEvent
from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
from judging.services.scorecards import ensure_scorecard
from organisations.models import Membership
from results import services
from results.models import ResultSnapshot
from results.views import _digest
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

HIGH = "8.581138830084189"  # 7 + √2.5
LOW = "5.41886116991581"  # 7 − √2.5
Q_CODES = ["Q1", "Q2", "Q3", "Q4", "Q5"]
P_CODES = ["P1", "P2", "P3", "P4", "P5", "P6"]


def scorecard(cohort, judge, enrolment, *, q, p, status=Scorecard.Status.SUBMITTED, comments=None, **overall):
    """A scorecard giving `q` on every Q criterion and `p` on every P one."""
    assignment = Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)
    card = ensure_scorecard(assignment=assignment)
    for entry in card.entries.select_related("criterion"):
        entry.score = q if entry.criterion.pillar == "Q" else p
        entry.comment = (comments or {}).get(entry.criterion.code, "")
        entry.save(update_fields=["score", "comment"])
    card.status = status
    card.strengths = overall.get("strengths", "")
    card.improvements = overall.get("improvements", "")
    card.save()
    return card


@pytest.fixture
def judged():
    cohort = make_cohort(number=3, phase=Phase.JUDGING)
    ann = make_judge(full_name="Ann Archer", email="ann@judges.example")
    ben = make_judge(full_name="Ben Baker", email="ben@judges.example")
    for judge in (ann, ben):
        CohortJudge.objects.create(cohort=cohort, judge=judge)
    amy = make_member(email="amy@alpha.example", organisation=OrganisationFactory(name="Alpha Water"))
    alpha = EnrolmentFactory(cohort=cohort, organisation=amy.memberships.get().organisation, status="finalist")
    beta_member = make_member(email="bo@beta.example", organisation=OrganisationFactory(name="Beta Water"))
    beta = EnrolmentFactory(cohort=cohort, organisation=beta_member.memberships.get().organisation, status="finalist")
    gamma = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Gamma Water"), status="finalist")
    dee = make_member(email="dee@delta.example", organisation=OrganisationFactory(name="Delta Water"))
    delta = EnrolmentFactory(cohort=cohort, organisation=dee.memberships.get().organisation, status="submitted")
    scorecard(
        cohort,
        ann,
        alpha,
        q=8,
        p=6,
        comments={"Q1": "Voice of the customer reaches the board."},
        strengths="Clear ownership of journeys.",
        improvements="Coaching is patchy.",
    )
    scorecard(
        cohort,
        ben,
        alpha,
        q=9,
        p=5,
        comments={"Q1": "Excellent listening programme.", "P1": "Monitoring without coaching."},
        strengths="A strong complaints culture.",
        improvements="Workforce planning lags demand.",
    )
    scorecard(cohort, ann, beta, q=6, p=8)
    scorecard(cohort, ben, beta, q=5, p=9)
    # Alpha rated itself level 4 everywhere except Q1 (level 3).
    assessment = ensure_assessment(enrolment=alpha)
    Response.objects.filter(assessment=assessment).update(level=4)
    Response.objects.filter(assessment=assessment, criterion__code="Q1").update(level=3)
    return {
        "cohort": cohort,
        "judges": (ann, ben),
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "delta": delta,
        "amy": amy,
        "bo": beta_member,
        "dee": dee,
    }


def finalise(judged, lead, **kwargs):
    return services.finalise(cohort=judged["cohort"], actor=lead, **kwargs)


def text_of(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# Who may see what ------------------------------------------------------------------

LEAD_PAGES = [
    "/cohorts/3/results/",
    "/cohorts/3/results/{alpha}/",
    "/cohorts/3/results/results.csv",
    "/cohorts/3/results/scores.csv",
]


@pytest.mark.parametrize("page", LEAD_PAGES)
def test_lead_pages_are_for_the_lead_only(judged, lead, client, page):
    url = page.format(alpha=judged["alpha"].pk)
    outsider_judge = make_judge(email="other-judge@example.org")

    assert client.get(url).url.startswith("/accounts/login/")
    for person in (judged["amy"], judged["judges"][0], outsider_judge):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(lead)
    assert client.get(url).status_code == 200


def test_lead_actions_are_for_the_lead_only(judged, client):
    client.force_login(judged["judges"][0])

    assert client.post("/cohorts/3/results/finalise/").status_code == 403
    assert client.post("/cohorts/3/results/reopen/", {"reason": "x"}).status_code == 403
    assert Cohort.objects.get(number=3).phase == "judging"


ORGANISATION_PAGES = [
    "/cohorts/3/my-results/{alpha}/",
    "/cohorts/3/my-results/{alpha}/calibration.svg",
    "/cohorts/3/my-results/{alpha}/scores.svg",
]


@pytest.mark.parametrize("page", ORGANISATION_PAGES)
def test_an_organisations_results_are_for_its_members_and_the_lead(judged, lead, client, page):
    finalise(judged, lead)
    url = page.format(alpha=judged["alpha"].pk)

    assert client.get(url).url.startswith("/accounts/login/")
    client.force_login(judged["bo"])  # a member of another finalist
    assert client.get(url).status_code == 404
    client.force_login(judged["judges"][0])
    assert client.get(url).status_code == 403
    for person in (judged["amy"], lead):
        client.force_login(person)
        assert client.get(url).status_code == 200


def test_my_results_for_members_in_the_cohort(judged, lead, client):
    finalise(judged, lead)
    outsider = make_member(email="out@elsewhere.example")

    assert client.get("/cohorts/3/my-results/").url.startswith("/accounts/login/")
    client.force_login(outsider)  # a member, but of no organisation in cohort 3
    assert client.get("/cohorts/3/my-results/").status_code == 404
    client.force_login(judged["judges"][0])
    assert client.get("/cohorts/3/my-results/").status_code == 403
    client.force_login(lead)
    assert client.get("/cohorts/3/my-results/").url == "/cohorts/3/results/"
    client.force_login(judged["amy"])
    response = client.get("/cohorts/3/my-results/")
    assert [r.enrolment for r in response.context["results"]] == [judged["alpha"]]


def test_an_enrolment_of_another_cohort_is_not_found(judged, lead, client):
    finalise(judged, lead)
    other = EnrolmentFactory(cohort=make_cohort(number=4), organisation=judged["alpha"].organisation)
    client.force_login(judged["amy"])

    assert client.get(f"/cohorts/3/my-results/{other.pk}/").status_code == 404
    client.force_login(lead)
    assert client.get(f"/cohorts/3/results/{judged['delta'].pk}/").status_code == 404  # not a finalist


# The lead's preview -------------------------------------------------------------


def test_preview_shows_both_modes_ranks_levels_and_awards(judged, lead_client):
    response = lead_client.get("/cohorts/3/results/")

    board = response.context["board"]
    assert board.is_live and not board.normalised
    assert [
        (r.organisation, r.used.rank, r.used.total, r.used.p_total, r.used.q_total, r.used.level, r.awards)
        for r in board.rows
    ] == [
        ("Alpha Water", 1, 70.0, 55.0, 85.0, "accredited", ["Overall winner", "Best service quality"]),
        ("Beta Water", 2, 70.0, 85.0, 55.0, "accredited", ["Best people performance"]),
        ("Gamma Water", None, None, None, None, "not_judged", []),
    ]
    alpha = board.rows[0]
    assert (alpha.raw, alpha.used) == (alpha.used, alpha.raw)
    assert (repr(alpha.normalised.p_total), repr(alpha.normalised.q_total)) == ("54.1886116991581", "85.81138830084188")
    html = text_of(response)
    assert "Preview, not published." in html
    assert "Scores used: <strong>raw scores</strong>" in html
    assert 'Raw scores <span class="badge text-bg-dark">used</span>' in html
    assert '<td class="text-end">85.8</td>' in html and '<td class="text-end">54.2</td>' in html
    assert "Gamma Water" in html.split("Not judged</h2>")[1].split("</ul>")[0]


def test_preview_in_normalised_mode_marks_it(judged, lead_client):
    Cohort.objects.filter(number=3).update(normalise_scores=True)

    response = lead_client.get("/cohorts/3/results/")

    board = response.context["board"]
    assert board.normalised
    assert [(r.organisation, r.used.rank, str(r.used.q_total)) for r in board.judged_rows] == [
        ("Alpha Water", 1, "85.81138830084188"),
        ("Beta Water", 2, "54.1886116991581"),
    ]
    assert 'Normalised scores <span class="badge text-bg-dark">used</span>' in text_of(response)


def test_preview_lists_open_and_withdrawn_scorecards_and_judges_severity(judged, lead_client):
    late = make_judge(full_name="Cara Late")
    scorecard(judged["cohort"], late, judged["gamma"], q=5, p=5, status=Scorecard.Status.DRAFT)
    conflicted = make_judge(full_name="Dan Conflict")
    card = scorecard(judged["cohort"], conflicted, judged["beta"], q=0, p=0, status=Scorecard.Status.WITHDRAWN)
    Scorecard.objects.filter(pk=card.pk).update(withdrawal_reason="Conflict declared: former employer")

    response = lead_client.get("/cohorts/3/results/")

    board = response.context["board"]
    assert board.open_scorecards == [("Cara Late", "Gamma Water")]
    assert board.withdrawn == [("Dan Conflict", "Beta Water", "Conflict declared: former employer")]
    assert [(s.judge, s.finalists, s.scores, s.mean, s.spread, s.difference) for s in response.context["severity"]] == [
        ("Ann Archer", 2, 22, 7.0, 1.0, "0.0"),
        ("Ben Baker", 2, 22, 7.0, 2.0, "0.0"),
    ]
    assert (response.context["cohort_mean"], repr(response.context["cohort_spread"])) == (7.0, "1.5811388300841898")
    html = text_of(response)
    assert "Cara Late for Gamma Water" in html
    assert "Dan Conflict for Beta Water: Conflict declared: former employer" in html
    assert "1 scorecard is still open:" in html


def test_severity_shows_a_harsh_judge_against_the_cohort(judged, lead_client):
    ScoreEntry.objects.filter(scorecard__assignment__judge=judged["judges"][0]).update(score=3)

    severity = lead_client.get("/cohorts/3/results/").context["severity"]

    # Ann: 22 threes (mean 3, sd 0); Ben: mean 7, sd 2; the cohort: mean 5.
    assert [(s.judge, s.mean, s.spread, s.difference) for s in severity] == [
        ("Ann Archer", 3.0, 0.0, "−2.0"),
        ("Ben Baker", 7.0, 2.0, "+2.0"),
    ]


def test_preview_before_judging_says_when_it_opens(lead_client):
    make_cohort(number=5, phase=Phase.SHORTLISTING)

    response = lead_client.get("/cohorts/5/results/")

    assert response.context["board"] is None
    assert "opens when cohort 5 reaches judging" in text_of(response)
    assert lead_client.get("/cohorts/5/results/results.csv").status_code == 404


def test_finalist_details_show_each_judges_scores_spread_and_moderation(judged, lead_client):
    ScoreEntry.objects.filter(
        scorecard__assignment__judge=judged["judges"][1],
        scorecard__assignment__enrolment=judged["alpha"],
        criterion__code="Q2",
    ).update(score=4)  # Ann gave 8: a spread of exactly 4

    response = lead_client.get(f"/cohorts/3/results/{judged['alpha'].pk}/")

    assert response.context["judges"] == ["Ann Archer", "Ben Baker"]
    lines = {line.code: line for line in response.context["lines"]}
    assert [c.raw for c in lines["Q2"].scores] == [8, 4]
    assert (lines["Q2"].mean, lines["Q2"].spread, lines["Q2"].flagged) == (6.0, 4, True)
    assert (lines["Q1"].mean, lines["Q1"].spread, lines["Q1"].flagged) == (8.5, 1, False)
    assert [line.code for line in response.context["lines"] if line.flagged] == ["Q2"]
    assert lines["Q1"].comments == ["Excellent listening programme.", "Voice of the customer reaches the board."]
    html = text_of(response)
    assert '<span class="badge text-bg-warning">Flagged</span>' in html
    assert "Preview</strong>, computed just now" in html


def test_finalist_details_of_a_finalist_not_judged_yet(judged, lead_client):
    response = lead_client.get(f"/cohorts/3/results/{judged['gamma'].pk}/")

    assert (response.context["judges"], response.context["row"].judged) == ([], False)
    assert "No judge has submitted a scorecard for Gamma Water yet, so it has no result." in text_of(response)


def test_finalist_details_show_raw_and_normalised_side_by_side(judged, lead_client):
    response = lead_client.get(f"/cohorts/3/results/{judged['alpha'].pk}/")

    lines = {line.code: line for line in response.context["lines"]}
    assert [(c.raw, repr(c.normalised)) for c in lines["Q1"].scores] == [(8, HIGH), (9, HIGH)]
    assert [(c.raw, repr(c.normalised)) for c in lines["P6"].scores] == [(6, LOW), (5, LOW)]
    assert (lines["Q1"].mean, repr(lines["Q1"].other_mean)) == (8.5, HIGH)
    html = text_of(response)
    assert '<td class="text-end">9</td><td class="text-end text-body-secondary">8.6</td>' in html
    assert "Ann Archer, Ben Baker" in html


# Finalising and reopening through the page ------------------------------------------


def test_lead_finalises_through_the_page(judged, lead, lead_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/cohorts/3/results/finalise/", {"open_seen": _digest([])}, follow=True)

    snapshot = ResultSnapshot.objects.get()
    assert (snapshot.number, snapshot.status, snapshot.finalised_by, snapshot.missing_scorecards) == (
        1,
        "final",
        lead,
        [],
    )
    assert Cohort.objects.get(number=3).phase == "results"
    assert [str(m) for m in response.context["messages"]] == [
        "The results of cohort 3 are final (results 1). Each organisation's members were told their outcome by e-mail."
    ]
    outcomes = [m for m in mail.outbox if "Results of cohort 3" in m.subject]
    assert sorted(tuple(m.to) for m in outcomes) == [
        ("amy@alpha.example",),
        ("bo@beta.example",),
        ("dee@delta.example",),
    ]
    board = response.context["board"]
    assert (board.is_live, board.snapshot) == (False, snapshot)
    html = text_of(response)
    assert "<strong>Final: results 1</strong>, finalised on " in html
    assert f"by {lead.get_full_name()}." in html
    assert "Reopen the results" in html and "Finalise the results" not in html


def test_finalising_with_open_scorecards_needs_the_confirmation(judged, lead_client):
    scorecard(judged["cohort"], make_judge(full_name="Cara Late"), judged["gamma"], q=5, p=5, status="draft")
    page = lead_client.get("/cohorts/3/results/")
    seen = page.context["finalise_form"]["open_seen"].value()
    assert seen == _digest([("Cara Late", "Gamma Water")])
    assert 'name="confirm_missing"' in text_of(page)

    refused = lead_client.post("/cohorts/3/results/finalise/", {"open_seen": seen}, follow=True)

    assert [str(m) for m in refused.context["messages"]] == [
        "1 scorecard is still open (Cara Late for Gamma Water). Confirm to finalise without them."
    ]
    assert ResultSnapshot.objects.count() == 0

    done = lead_client.post("/cohorts/3/results/finalise/", {"open_seen": seen, "confirm_missing": "on"}, follow=True)

    snapshot = ResultSnapshot.objects.get()
    assert snapshot.missing_scorecards == [{"judge": "Cara Late", "organisation": "Gamma Water"}]
    assert [str(m) for m in done.context["messages"]] == [
        "The results of cohort 3 are final (results 1), without 1 open scorecard. "
        "Each organisation's members were told their outcome by e-mail."
    ]
    assert "Scorecards missing when finalised" in text_of(done)
    assert AuditEvent.objects.get(action="results.finalised").note == "Missing scorecards: Cara Late for Gamma Water"


def test_a_confirmation_for_other_open_scorecards_does_not_count(judged, lead_client):
    seen = lead_client.get("/cohorts/3/results/").context["finalise_form"]["open_seen"].value()
    scorecard(judged["cohort"], make_judge(full_name="Cara Late"), judged["gamma"], q=5, p=5, status="draft")

    response = lead_client.post(
        "/cohorts/3/results/finalise/", {"open_seen": seen, "confirm_missing": "on"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "The scorecards that are still open changed since this page was loaded. Check the list below and confirm again."
    ]
    assert ResultSnapshot.objects.count() == 0


def test_lead_reopens_with_a_reason_and_the_old_results_are_listed(judged, lead, lead_client):
    first = finalise(judged, lead)

    refused = lead_client.post("/cohorts/3/results/reopen/", {"reason": ""}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == ["Give a reason for reopening the results."]
    assert ResultSnapshot.objects.get().status == "final"

    response = lead_client.post("/cohorts/3/results/reopen/", {"reason": "Ben mis-scored Beta's P4"}, follow=True)

    first.refresh_from_db()
    assert (first.status, first.reopen_reason, first.superseded_by) == ("superseded", "Ben mis-scored Beta's P4", lead)
    assert Cohort.objects.get(number=3).phase == "judging"
    assert [str(m) for m in response.context["messages"]] == [
        "The results were reopened: results 1 is kept as superseded, and cohort 3 is back in judging."
    ]
    assert response.context["board"].is_live
    assert response.context["snapshots"] == [first]
    html = text_of(response)
    assert 'href="/cohorts/3/results/?snapshot=1">Results 1</a>' in html
    assert "Reason: Ben mis-scored Beta&#x27;s P4" in html

    old = lead_client.get("/cohorts/3/results/?snapshot=1")
    assert (old.context["board"].snapshot, old.context["can_finalise"], old.context["can_reopen"]) == (
        first,
        False,
        False,
    )
    assert "Superseded: results 1" in text_of(old)
    assert lead_client.get("/cohorts/3/results/?snapshot=9").status_code == 404
    assert lead_client.get("/cohorts/3/results/results.csv?snapshot=1")["Content-Disposition"] == (
        'attachment; filename="cohort-3-results-superseded-1.csv"'
    )


def test_reopening_in_a_closed_cohort_shows_the_services_refusal(judged, lead, lead_client):
    finalise(judged, lead)
    Cohort.objects.filter(number=3).update(phase=Phase.CLOSED)

    assert "Reopen the results" not in text_of(lead_client.get("/cohorts/3/results/"))
    response = lead_client.post("/cohorts/3/results/reopen/", {"reason": "Late appeal"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Only results that are out, in a cohort that is not closed, can be reopened."
    ]


def test_final_results_stay_frozen_when_scores_and_settings_change(judged, lead, lead_client):
    finalise(judged, lead)
    ScoreEntry.objects.all().update(score=0)
    Cohort.objects.filter(number=3).update(normalise_scores=True, pass_threshold=80, distinction_threshold=90)

    response = lead_client.get("/cohorts/3/results/")

    board = response.context["board"]
    assert (board.normalised, board.pass_threshold) == (False, 60.0)
    assert [(r.organisation, r.used.total, r.used.level) for r in board.judged_rows] == [
        ("Alpha Water", 70.0, "accredited"),
        ("Beta Water", 70.0, "accredited"),
    ]
    assert [(s.judge, s.mean) for s in response.context["severity"]] == [("Ann Archer", 7.0), ("Ben Baker", 7.0)]
    assert csv_rows(lead_client.get("/cohorts/3/results/results.csv"))[1][:3] == ["1", "Alpha Water", "70.00"]
    assert [c.raw for c in lead_client.get(f"/cohorts/3/results/{judged['alpha'].pk}/").context["lines"][0].scores] == [
        8,
        9,
    ]
    lead_client.force_login(judged["amy"])
    [result] = lead_client.get("/cohorts/3/my-results/").context["results"]
    assert (result.entry["total"], result.outcome) == (70.0, "accredited")


# CSV exports ----------------------------------------------------------------------


def test_results_csv_has_one_row_per_finalist(judged, lead, lead_client):
    finalise(judged, lead)

    response = lead_client.get("/cohorts/3/results/results.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cohort-3-results.csv"'
    assert response.content.decode() == (
        "Rank,Organisation,Total,P total,Q total,Level,Awards,Scores\r\n"
        "1,Alpha Water,70.00,55.00,85.00,Accredited,Overall winner; Best service quality,raw\r\n"
        "2,Beta Water,70.00,85.00,55.00,Accredited,Best people performance,raw\r\n"
        ",Gamma Water,,,,Not judged,,raw\r\n"
    )


def test_results_csv_in_normalised_mode_rounds_half_up_to_two_places(judged, lead, lead_client):
    Cohort.objects.filter(number=3).update(normalise_scores=True)
    judged["cohort"].refresh_from_db()
    finalise(judged, lead)

    rows = csv_rows(lead_client.get("/cohorts/3/results/results.csv"))

    assert rows[1:3] == [
        [
            "1",
            "Alpha Water",
            "70.00",
            "54.19",
            "85.81",
            "Accredited",
            "Overall winner; Best service quality",
            "normalised",
        ],
        ["2", "Beta Water", "70.00", "85.81", "54.19", "Accredited", "Best people performance", "normalised"],
    ]


def test_scores_csv_has_one_row_per_judge_finalist_and_criterion(judged, lead, lead_client):
    finalise(judged, lead)

    response = lead_client.get("/cohorts/3/results/scores.csv")

    assert response["Content-Disposition"] == 'attachment; filename="cohort-3-scores.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["Judge", "Organisation", "Criterion", "Raw", "Normalised"]
    assert len(rows) == 1 + 2 * 2 * 11
    assert rows[1:3] == [["Ann Archer", "Alpha Water", "Q1", "8", HIGH], ["Ann Archer", "Alpha Water", "Q2", "8", HIGH]]
    assert rows[6:8] == [["Ann Archer", "Alpha Water", "P1", "6", LOW], ["Ann Archer", "Alpha Water", "P2", "6", LOW]]
    assert rows[12] == ["Ben Baker", "Alpha Water", "Q1", "9", HIGH]
    assert rows[-1] == ["Ben Baker", "Beta Water", "P6", "9", HIGH]
    assert {(r[0], r[1]) for r in rows[1:]} == {
        ("Ann Archer", "Alpha Water"),
        ("Ben Baker", "Alpha Water"),
        ("Ann Archer", "Beta Water"),
        ("Ben Baker", "Beta Water"),
    }


def test_exports_before_finalising_come_from_the_live_computation(judged, lead_client):
    results = lead_client.get("/cohorts/3/results/results.csv")
    scores = lead_client.get("/cohorts/3/results/scores.csv")

    assert results["Content-Disposition"] == 'attachment; filename="cohort-3-results-preview.csv"'
    assert csv_rows(results)[1] == [
        "1",
        "Alpha Water",
        "70.00",
        "55.00",
        "85.00",
        "Accredited",
        "Overall winner; Best service quality",
        "raw",
    ]
    assert scores["Content-Disposition"] == 'attachment; filename="cohort-3-scores-preview.csv"'
    assert len(csv_rows(scores)) == 45


def test_exports_keep_spreadsheet_formulas_out(judged, lead, lead_client):
    judged["beta"].organisation.__class__.objects.filter(pk=judged["beta"].organisation.pk).update(name="=HYPERLINK(1)")

    rows = csv_rows(lead_client.get("/cohorts/3/results/results.csv"))

    assert [row[1] for row in rows[1:]] == ["Alpha Water", "'=HYPERLINK(1)", "Gamma Water"]


# The organisation's results -------------------------------------------------------------


def test_a_finalist_sees_its_outcome_totals_rank_medians_and_calibration(judged, lead, client):
    finalise(judged, lead)
    client.force_login(judged["amy"])

    response = client.get("/cohorts/3/my-results/")

    [result] = response.context["results"]
    assert (result.outcome, result.outcome_label, result.rank_text) == (
        "accredited",
        "Accredited",
        "1st of 2 judged finalists",
    )
    assert result.awards == ["Overall winner", "Best service quality"]
    assert (result.entry["total"], result.entry["p_total"], result.entry["q_total"]) == (70.0, 55.0, 85.0)
    assert (result.medians.total, result.medians.p_total, result.medians.q_total) == (70.0, 70.0, 70.0)
    lines = {line.code: line for line in result.lines}
    # Q1: judged 8.5 against the median 7 (of Alpha's 8.5 and Beta's 5.5);
    # self-assessed level 3 = 5.0, so a gap of +3.5.
    assert (lines["Q1"].score, lines["Q1"].median, lines["Q1"].against_median) == (8.5, 7.0, "+1.5")
    assert (lines["Q1"].level, lines["Q1"].self_value, lines["Q1"].gap, lines["Q1"].gap_text) == (3, 5.0, 3.5, "+3.5")
    assert (lines["Q4"].level, lines["Q4"].gap_text) == (4, "+1.0")
    assert (lines["P1"].score, lines["P1"].against_median, lines["P1"].gap_text) == (5.5, "−1.5", "−2.0")
    assert (lines["P6"].judging_only, lines["P6"].level, lines["P6"].gap) == (True, None, None)
    assert [line.code for line in result.gap_lines] == [*Q_CODES, *P_CODES[:5]]
    # The index over the ten self-assessed criteria (weight 13): 10 · (1.5 · 5 + 11.5 · 7.5) / 13 = 72.115…;
    # the judges over the same criteria: 10 · (7 · 8.5 + 6 · 5.5) / 13 = 71.153…
    assert (str(round(result.index, 6)), str(round(result.judged_same_criteria, 6))) == ("72.115385", "71.153846")
    html = text_of(response)
    assert "mean of the judges' raw scores" in html
    assert '<strong class="ms-2">1st of 2 judged finalists</strong>' in html
    assert "Your self-assessment index was <strong>72.1</strong>" in html
    assert "the judges' scores give <strong>71.2</strong>" in html
    assert "<li>Excellent listening programme.</li><li>Voice of the customer reaches the board.</li>" in html
    assert "<li>A strong complaints culture.</li><li>Clear ownership of journeys.</li>" in html
    assert "<li>Coaching is patchy.</li><li>Workforce planning lags demand.</li>" in html
    assert 'src="/cohorts/3/my-results/{}/calibration.svg"'.format(judged["alpha"].pk) in html
    for name in ("Ann Archer", "Ben Baker", "Archer", "Baker", "ann@judges", "ben@judges"):
        assert name not in html


def test_the_organisation_page_uses_the_snapshots_mode_and_says_so(judged, lead, client):
    Cohort.objects.filter(number=3).update(normalise_scores=True)
    judged["cohort"].refresh_from_db()
    finalise(judged, lead)
    client.force_login(judged["bo"])

    [result] = client.get("/cohorts/3/my-results/").context["results"]

    lines = {line.code: line for line in result.lines}
    assert (result.mode, result.rank_text) == ("normalised scores", "2nd of 2 judged finalists")
    assert (repr(lines["Q1"].score), repr(lines["P1"].score)) == (LOW, HIGH)
    assert lines["Q1"].median == 7.0
    assert (lines["Q1"].level, lines["Q1"].gap) == (None, None)  # Beta gave no levels here


def test_equal_ranks_read_as_joint(judged, lead, client):
    ScoreEntry.objects.filter(scorecard__assignment__enrolment=judged["beta"], criterion__pillar="Q").update(score=9)
    ScoreEntry.objects.filter(scorecard__assignment__enrolment=judged["alpha"], criterion__pillar="P").update(score=8)
    ScoreEntry.objects.filter(scorecard__assignment__enrolment=judged["beta"], criterion__pillar="P").update(score=8)
    ScoreEntry.objects.filter(scorecard__assignment__enrolment=judged["alpha"], criterion__pillar="Q").update(score=9)
    EnrolmentFactory(cohort=judged["cohort"], organisation=OrganisationFactory(name="Eta Water"), status="finalist")
    Enrolment.objects.filter(pk=judged["gamma"].pk).update(status="submitted")
    finalise(judged, lead)
    client.force_login(judged["amy"])

    [result] = client.get("/cohorts/3/my-results/").context["results"]

    assert result.rank_text == "Joint 1st of 2 judged finalists"


def test_a_not_shortlisted_organisation_sees_its_outcome_and_thanks(judged, lead, client):
    finalise(judged, lead)
    client.force_login(judged["dee"])

    response = client.get("/cohorts/3/my-results/")

    [result] = response.context["results"]
    assert (result.outcome, result.is_judged, result.lines) == ("not_shortlisted", False, [])
    html = text_of(response)
    assert "Not shortlisted" in html
    assert "Thank you for taking part" in html
    assert "Your score" not in html and "Cohort median" not in html
    assert client.get(f"/cohorts/3/my-results/{judged['delta'].pk}/calibration.svg").status_code == 404


def test_a_withdrawn_organisation_sees_that_it_withdrew(judged, lead, client):
    Enrolment.objects.filter(pk=judged["delta"].pk).update(status="withdrawn")
    finalise(judged, lead)
    client.force_login(judged["dee"])

    [result] = client.get("/cohorts/3/my-results/").context["results"]

    assert (result.outcome_label, result.message) == ("Withdrawn", "Your organisation withdrew from this cohort.")


def test_nothing_is_shown_before_the_results_are_final(judged, lead, client):
    client.force_login(judged["amy"])

    response = client.get("/cohorts/3/my-results/")

    assert response.context["results"] == []
    html = text_of(response)
    assert "The results of cohort 3 are not published yet." in html
    assert "70.0" not in html and "Accredited" not in html
    assert client.get(f"/cohorts/3/my-results/{judged['alpha'].pk}/scores.svg").status_code == 404

    finalise(judged, lead)
    services.reopen(cohort=judged["cohort"], actor=lead, reason="Recount")

    assert client.get("/cohorts/3/my-results/").context["results"] == []


def test_a_member_of_two_organisations_in_the_cohort_sees_each(judged, lead, client):
    Membership.objects.create(user=judged["amy"], organisation=judged["delta"].organisation)
    finalise(judged, lead)
    client.force_login(judged["amy"])

    response = client.get("/cohorts/3/my-results/")

    assert [(r.enrolment.organisation.name, r.outcome) for r in response.context["results"]] == [
        ("Alpha Water", "accredited"),
        ("Delta Water", "not_shortlisted"),
    ]
    assert client.get(f"/cohorts/3/my-results/{judged['delta'].pk}/").status_code == 200
    assert client.get(f"/cohorts/3/my-results/{judged['beta'].pk}/").status_code == 404


def test_charts_are_svg_images(judged, lead, client):
    finalise(judged, lead)
    client.force_login(judged["amy"])

    calibration = client.get(f"/cohorts/3/my-results/{judged['alpha'].pk}/calibration.svg")
    scores = client.get(f"/cohorts/3/my-results/{judged['alpha'].pk}/scores.svg")

    assert (calibration["Content-Type"], scores["Content-Type"]) == ("image/svg+xml", "image/svg+xml")
    assert "Content-Security-Policy" not in calibration
    svg = calibration.content.decode()
    assert svg.count("<svg") == 1
    assert "Q1 Voice of the customer" in svg and "P6" not in svg  # judging-only: not self-assessed
    assert "+3.5" in svg and "−2.0" in svg
    assert "Cohort median" in scores.content.decode()
    assert client.get(f"/cohorts/3/my-results/{judged['alpha'].pk}/other.svg").status_code == 404


def test_the_lead_sees_what_the_organisation_sees(judged, lead, lead_client):
    finalise(judged, lead)

    response = lead_client.get(f"/cohorts/3/my-results/{judged['alpha'].pk}/")

    assert response.context["as_lead"] is True
    assert "This is what the members of Alpha Water see." in text_of(response)
    assert [r.outcome for r in response.context["results"]] == ["accredited"]


# Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("finalists", [3, 40])
def test_preview_queries_do_not_grow_with_finalists(lead_client, django_assert_max_num_queries, finalists):
    cohort = make_cohort(number=7, phase=Phase.JUDGING)
    judges = [make_judge(full_name=f"Judge {n}") for n in range(3)]
    for n in range(finalists):
        enrolment = EnrolmentFactory(
            cohort=cohort, organisation=OrganisationFactory(name=f"Finalist {n:02d}"), status="finalist"
        )
        for j, judge in enumerate(judges[:2] if n % 2 else judges[1:]):
            scorecard(cohort, judge, enrolment, q=(n + j) % 11, p=(2 * n + j) % 11)
    scorecard(cohort, judges[0], EnrolmentFactory(cohort=cohort, status="finalist"), q=1, p=1, status="draft")

    with django_assert_max_num_queries(19):
        response = lead_client.get("/cohorts/7/results/")

    assert len(response.context["board"].rows) == finalists + 1
    with django_assert_max_num_queries(18):
        lead_client.get(f"/cohorts/7/results/{response.context['board'].rows[0].enrolment}/")
    with django_assert_max_num_queries(17):
        lead_client.get("/cohorts/7/results/scores.csv")


@pytest.mark.parametrize("finalists", [3, 40])
def test_final_results_queries_do_not_grow_with_finalists(lead, client, django_assert_max_num_queries, finalists):
    cohort = make_cohort(number=7, phase=Phase.JUDGING)
    judges = [make_judge(full_name=f"Judge {n}") for n in range(2)]
    member = make_member(email="m@first.example", organisation=OrganisationFactory(name="Finalist 00"))
    for n in range(finalists):
        organisation = (
            member.memberships.get().organisation if n == 0 else OrganisationFactory(name=f"Finalist {n:02d}")
        )
        enrolment = EnrolmentFactory(cohort=cohort, organisation=organisation, status="finalist")
        for j, judge in enumerate(judges):
            scorecard(cohort, judge, enrolment, q=(n + j) % 11, p=(2 * n + j) % 11)
    services.finalise(cohort=cohort, actor=lead)
    client.force_login(lead)

    with django_assert_max_num_queries(14):
        client.get("/cohorts/7/results/")
    client.force_login(member)
    with django_assert_max_num_queries(11):
        response = client.get("/cohorts/7/my-results/")
    assert response.context["results"][0].is_judged
