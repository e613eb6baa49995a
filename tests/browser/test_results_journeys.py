"""Results in a real browser: the lead previews the results and finalises
them (confirming that one scorecard is still open), a member of a finalist
reads their organisation's results and the judges' comments without any
judge's name, and a judge sees only their own scorecards.

The hand-worked cohort (cohort 3, in judging, raw scores used; the default
framework: Q1–Q5 weights 1.5, 1, 1, 2, 1.5; P1–P6 weights 1.5, 1, 1, 1.5,
1, 1, P6 judging only; 7 per pillar, 14 in all). Two judges per finalist,
so each criterion's mean is a multiple of 0.5:

                 Q1 Q2 Q3 Q4 Q5 | P1 P2 P3 P4 P5 P6
    Alpha  Harriet  9  8  7  9  8 |  7  8  6  8  7  6
           Leopold  9  9  8  9  9 |  8  8  8  9  8  8
    Beta   Harriet  7  6  5  7  6 |  6  5  6  6  5  5
           Mira     7  7  7  8  8 |  7  6  7  8  7  7
    Gamma  Leopold  7  6  8  6  7 |  6  6  5  7  6  6
           Mira     5  5  4  5  5 |  5  4  5  5  4  5

Alpha: means Q 9, 8.5, 7.5, 9, 8.5 (Σw·m = 60.25), P 7.5, 8, 7, 8.5, 7.5, 7
(Σw·m = 53.5): T = 10 · 113.75 / 14 = 81.25 (shown 81.3, rounded half up),
P = 535 / 7 = 76.43, Q = 602.5 / 7 = 86.07. Beta: Σw·m = 48.5 + 44.25:
T = 66.25 (shown 66.3), P = 63.21, Q = 69.29. Gamma: Σw·m = 40.5 + 37.75:
T = 55.89, P = 53.93, Q = 57.86; Q3 is flagged (8 and 4, a spread of 4).
Thresholds 60 and 75: Alpha accredited with distinction, Beta accredited,
Gamma not accredited; Alpha wins all three awards.

Normalised (for comparison only): all 66 scores have mean 6.6818 and
population sd 1.3944; Harriet's 22 have mean 6.6818, sd 1.2205; Leopold's
7.4091, 1.2306; Mira's 5.9545, 1.3307. s' = 6.6818 + 1.3944 · (s − mean_j) / sd_j
gives Alpha 79.10 (P 73.61, Q 84.59), Beta 69.69 (66.33, 73.06), Gamma
54.94 (52.74, 57.13): the same ranks and levels.

Harriet also has a scorecard for Gamma still open (a draft, with a comment
that nobody but her may read). Alpha rated itself (levels 1–5, value
(L − 1) · 2.5) Q 4, 5, 4, 4, 3 and P 4, 3, 5, 4, 4: index 74.0; the
judges' scores over the same criteria give 82.1.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from assessments.models import Response, SelfAssessment
from assessments.services.self_assessment import ensure_assessment
from cohorts.models import Cohort, Enrolment, Phase
from cohorts.timeline import add_months
from frameworks.models import Criterion
from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
from judging.services.scorecards import ensure_scorecard
from results import services as results_services
from results.models import ResultSnapshot
from tests.browser.test_journeys import enter_mfa_code, fresh_totp, sign_in, submit
from tests.browser.test_programme_journeys import sign_in_as_lead, success_messages, text, today_in_london
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    EnrolmentFactory,
    OrganisationFactory,
    make_cohort,
    make_judge,
    make_lead,
    make_member,
)

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
COHORT_NAME = "Customer service 2027"
CODES = ["Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "P6"]
ALPHA, BETA, GAMMA, DELTA = "Alpha Water", "Beta Water", "Gamma Water", "Delta Water"


@dataclass(frozen=True)
class Judge:
    name: str
    email: str
    remark: str  # the gist of every comment this judge writes


HARRIET = Judge(
    "Harriet Quill", "harriet.quill@judges.example", "clear evidence, measured against last year's baseline"
)
LEOPOLD = Judge("Leopold Vance", "leopold.vance@judges.example", "strong ambition; keep the momentum into next year")
MIRA = Judge("Mira Stroud", "mira.stroud@judges.example", "a sound plan, though its outcomes are not measured yet")
JUDGES = (HARRIET, LEOPOLD, MIRA)

SCORES = {
    (HARRIET, ALPHA): [9, 8, 7, 9, 8, 7, 8, 6, 8, 7, 6],
    (LEOPOLD, ALPHA): [9, 9, 8, 9, 9, 8, 8, 8, 9, 8, 8],
    (HARRIET, BETA): [7, 6, 5, 7, 6, 6, 5, 6, 6, 5, 5],
    (MIRA, BETA): [7, 7, 7, 8, 8, 7, 6, 7, 8, 7, 7],
    (LEOPOLD, GAMMA): [7, 6, 8, 6, 7, 6, 6, 5, 7, 6, 6],
    (MIRA, GAMMA): [5, 5, 4, 5, 5, 5, 4, 5, 5, 4, 5],
}
DRAFT_COMMENT = "Gamma's Q1 survey looked thin on site; check the sample size before I score."
ALPHA_LEVELS = dict(zip(CODES[:10], [4, 5, 4, 4, 3, 4, 3, 5, 4, 4], strict=True))


def comment(judge: Judge, organisation: str, code: str) -> str:
    return f"{code} at {organisation}: {judge.remark}."


def strengths(judge: Judge, organisation: str) -> str:
    return f"{organisation} strengths, as one judge saw them: {judge.remark}."


def improvements(judge: Judge, organisation: str) -> str:
    return f"{organisation} should next work on this: {judge.remark}."


def written_by(judge: Judge) -> list[str]:
    """Everything the judge wrote on their submitted scorecards and their draft."""
    texts = []
    for (author, organisation), _ in SCORES.items():
        if author == judge:
            texts += [comment(judge, organisation, code) for code in CODES]
            texts += [strengths(judge, organisation), improvements(judge, organisation)]
    if judge == HARRIET:
        texts.append(DRAFT_COMMENT)
    return texts


@dataclass
class Judged:
    cohort: Cohort
    lead: User
    member: User
    judges: dict[Judge, User]
    enrolments: dict[str, Enrolment]
    assignments: dict[tuple[Judge, str], Assignment] = field(default_factory=dict)


@pytest.fixture
def judged(transactional_db) -> Judged:
    # Started five months and three days ago: the judging deadline (start + 5
    # months) passed three days ago, the award ceremony is about a month away.
    start = add_months(today_in_london(), -5) - timedelta(days=3)
    cohort = make_cohort(number=3, name=COHORT_NAME, start_date=start, phase=Phase.JUDGING, judges_per_finalist=2)
    lead = make_lead(email="lena.lead@example.org", full_name="Lena Lead")
    judges = {judge: make_judge(full_name=judge.name, email=judge.email) for judge in JUDGES}
    for user in judges.values():
        CohortJudge.objects.create(cohort=cohort, judge=user)
    member = make_member(
        email="amira.khan@alpha.example", full_name="Amira Khan", organisation=OrganisationFactory(name=ALPHA)
    )
    enrolments = {
        ALPHA: EnrolmentFactory(cohort=cohort, organisation=member.memberships.get().organisation, status="finalist"),
        BETA: EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=BETA), status="finalist"),
        GAMMA: EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=GAMMA), status="finalist"),
        DELTA: EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=DELTA), status="submitted"),
    }
    data = Judged(cohort=cohort, lead=lead, member=member, judges=judges, enrolments=enrolments)
    for (judge, organisation), scores in SCORES.items():
        assignment = Assignment.objects.create(cohort=cohort, judge=judges[judge], enrolment=enrolments[organisation])
        card = ensure_scorecard(assignment=assignment)
        by_code = dict(zip(CODES, scores, strict=True))
        for entry in card.entries.select_related("criterion"):
            entry.score = by_code[entry.criterion.code]
            entry.comment = comment(judge, organisation, entry.criterion.code)
            entry.save(update_fields=["score", "comment"])
        card.status = Scorecard.Status.SUBMITTED
        card.submitted_at = timezone.now()
        card.strengths = strengths(judge, organisation)
        card.improvements = improvements(judge, organisation)
        card.save()
        data.assignments[(judge, organisation)] = assignment
    # Harriet's scorecard for Gamma: still open, three scores and a comment so far.
    assignment = Assignment.objects.create(cohort=cohort, judge=judges[HARRIET], enrolment=enrolments[GAMMA])
    card = ensure_scorecard(assignment=assignment)
    ScoreEntry.objects.filter(scorecard=card, criterion__code__in=["Q1", "Q2", "Q3"]).update(score=5)
    ScoreEntry.objects.filter(scorecard=card, criterion__code="Q1").update(comment=DRAFT_COMMENT)
    data.assignments[(HARRIET, GAMMA)] = assignment
    # Alpha's submitted self-assessment.
    assessment = ensure_assessment(enrolment=enrolments[ALPHA])
    for code, level in ALPHA_LEVELS.items():
        Response.objects.filter(assessment=assessment, criterion__code=code).update(
            level=level, narrative=f"How Alpha Water works on {code}, with its evidence."
        )
    SelfAssessment.objects.filter(pk=assessment.pk).update(
        status=SelfAssessment.Status.SUBMITTED, submitted_at=timezone.now(), submitted_by=member
    )
    return data


def titles(cohort: Cohort) -> dict[str, str]:
    return dict(Criterion.objects.filter(framework=cohort.framework).values_list("code", "title"))


def cells(row) -> list[str]:
    return [text(cell) for cell in row.locator("th, td").all()]


LISTS_UNDER_HEADINGS = """(root, tag) => Object.fromEntries(
  Array.from(root.querySelectorAll(tag))
    .filter((heading) => heading.nextElementSibling && heading.nextElementSibling.tagName === "UL")
    .map((heading) => [
      heading.textContent.trim(),
      Array.from(heading.nextElementSibling.querySelectorAll("li")).map((item) => item.textContent.trim()),
    ])
)"""


def lists_under_headings(locator, tag: str) -> dict[str, list[str]]:
    """{heading: [its list's items]} for each `tag` heading followed by a list."""
    return locator.evaluate(LISTS_UNDER_HEADINGS, tag)


def csv_download(journey, link: str) -> tuple[str, list[list[str]]]:
    with journey.page.expect_download() as info:
        journey.page.locator(link).click()
    download = info.value
    with open(download.path(), encoding="utf-8") as handle:
        return download.suggested_filename, list(csv.reader(io.StringIO(handle.read())))


# The lead ---------------------------------------------------------------------------

PREVIEW_ROWS = [
    # Rank, organisation (judges), raw T P Q, normalised T P Q, level, awards, moderation
    [
        "1",
        "Alpha Water 2 judges",
        "81.3",
        "76.4",
        "86.1",
        "79.1",
        "73.6",
        "84.6",
        "Accredited with distinction",
        "Overall winner Best people performance Best service quality",
        "—",
    ],
    ["2", "Beta Water 2 judges", "66.3", "63.2", "69.3", "69.7", "66.3", "73.1", "Accredited", "—", "—"],
    ["3", "Gamma Water 2 judges", "55.9", "53.9", "57.9", "54.9", "52.7", "57.1", "Not accredited", "—", "1 flag Q3"],
]
SEVERITY_ROWS = [
    # Judge, finalists, scores, mean, against the cohort, spread — harshest first
    ["Mira Stroud", "2", "22", "6.0", "−0.7", "1.3"],
    ["Harriet Quill", "2", "22", "6.7", "0.0", "1.2"],
    ["Leopold Vance", "2", "22", "7.4", "+0.7", "1.2"],
]
RESULTS_CSV = [
    ["Rank", "Organisation", "Total", "P total", "Q total", "Level", "Awards", "Scores"],
    [
        "1",
        ALPHA,
        "81.25",
        "76.43",
        "86.07",
        "Accredited with distinction",
        "Overall winner; Best people performance; Best service quality",
        "raw",
    ],
    ["2", BETA, "66.25", "63.21", "69.29", "Accredited", "", "raw"],
    ["3", GAMMA, "55.89", "53.93", "57.86", "Not accredited", "", "raw"],
]


def test_lead_previews_the_results_and_finalises_them(journey, judged):
    page = journey.page
    names = titles(judged.cohort)
    sign_in_as_lead(journey, "lena.lead@example.org", "lead")

    # From the cohort's page to its results preview.
    journey.goto("/cohorts/3/", "cohort-in-judging")
    page.locator("main a[href='/cohorts/3/results/']").click()
    page.wait_for_load_state("load")
    journey.shot("results-preview")
    assert journey.path == "/cohorts/3/results/"
    assert page.locator("main h1").inner_text() == "Results of cohort 3"
    assert page.locator("main .phase-badge").inner_text() == "Judging"
    assert text(page.locator("main .alert-info")).startswith("Preview, not published.")
    assert "Scores used: raw scores (the judges' scores as given)." in text(page.locator("main"))
    table = page.locator("main table:has(caption:text('ranked by total'))")
    assert text(table.locator("caption")) == "3 of 3 finalists judged, ranked by total."
    # The mode used is marked: "used" on the raw column group, shaded columns.
    assert text(table.locator("thead th:has(.badge)")) == "Raw scores used"
    assert [cells(row) for row in table.locator("tbody tr").all()] == PREVIEW_ROWS
    assert [text(dd) for dd in page.locator("main #awards-heading ~ dl dd").all()] == [ALPHA, ALPHA, ALPHA]
    severity = page.locator("main table:has(caption:text('harshest first'))")
    assert [cells(row) for row in severity.locator("tbody tr").all()] == SEVERITY_ROWS
    assert cells(severity.locator("tfoot tr")) == ["Whole cohort", "", "", "6.7", "", "1.4"]
    assert (
        text(page.locator("main h2:text('Not judged') + p")) == "Every finalist has at least one submitted scorecard."
    )
    open_list = page.locator("main h2:text('Scorecards still open') + ul li")
    assert [text(item) for item in open_list.all()] == ["Harriet Quill for Gamma Water"]
    warning = page.locator("main #open-warning")
    assert text(warning.locator("p")) == "1 scorecard is still open:"
    assert [text(item) for item in warning.locator("li").all()] == ["Harriet Quill for Gamma Water"]

    # One finalist's details: each judge's raw and normalised scores, comments without names.
    page.locator(f"main table a[href='/cohorts/3/results/{judged.enrolments[ALPHA].pk}/']").click()
    page.wait_for_load_state("load")
    journey.shot("finalist-alpha-preview")
    assert page.locator("main h1").inner_text() == ALPHA
    terms, definitions = page.locator("main dl dt").all(), page.locator("main dl dd").all()
    details = {text(term): text(definition) for term, definition in zip(terms, definitions, strict=True)}
    assert details == {
        "Level": "Accredited with distinction",
        "Rank": "1 of 3",
        "Total (raw scores)": "81.3 (79.1 with normalised scores)",
        "People performance (P)": "76.4 (73.6 with normalised scores)",
        "Service quality (Q)": "86.1 (84.6 with normalised scores)",
        "Judges": "Harriet Quill, Leopold Vance",
        "Awards": "Overall winner; Best people performance; Best service quality",
    }
    scores = page.locator("main table:has(caption:text('Scores per criterion'))")
    # Q4 (weight 2): Harriet 9 (9.33 normalised), Leopold 9 (8.48); means 9 raw, 8.91 normalised.
    assert cells(scores.locator("tbody tr", has_text="Q4")) == [
        f"Q4 {names['Q4']}",
        "2",
        "9",
        "9.3",
        "9",
        "8.5",
        "9.0",
        "8.9",
        "0.0",
        "—",
    ]
    comments = lists_under_headings(page.locator("main"), "h3")
    assert comments == {
        f"{code} {names[code]}": sorted([comment(HARRIET, ALPHA, code), comment(LEOPOLD, ALPHA, code)], key=str.lower)
        for code in CODES
    } | {
        "Strengths": [strengths(HARRIET, ALPHA), strengths(LEOPOLD, ALPHA)],
        "Areas to improve": [improvements(HARRIET, ALPHA), improvements(LEOPOLD, ALPHA)],
    }

    # The preview's export, before finalising.
    journey.goto("/cohorts/3/results/", "results-preview-again")
    name, rows = csv_download(journey, "main a[href='/cohorts/3/results/results.csv']")
    assert name == "cohort-3-results-preview.csv"
    assert rows == RESULTS_CSV

    # Finalising while a scorecard is open needs the confirmation.
    submit(journey, "main form[action='/cohorts/3/results/finalise/']")
    journey.shot("finalise-refused-without-confirmation")
    assert journey.path == "/cohorts/3/results/"
    assert [text(alert) for alert in page.locator("main .messages .alert-danger").all()] == [
        "1 scorecard is still open (Harriet Quill for Gamma Water). Confirm to finalise without them."
    ]
    assert ResultSnapshot.objects.count() == 0
    assert Cohort.objects.get(number=3).phase == Phase.JUDGING

    page.check("main form[action='/cohorts/3/results/finalise/'] input[name=confirm_missing]")
    journey.shot("finalise-confirmed")
    submit(journey, "main form[action='/cohorts/3/results/finalise/']")
    journey.shot("results-final")

    snapshot = ResultSnapshot.objects.get()
    finalised_at = snapshot.finalised_at.astimezone(LONDON)
    assert success_messages(page) == [
        "The results of cohort 3 are final (results 1), without 1 open scorecard. "
        "Each organisation's members were told their outcome by e-mail."
    ]
    assert page.locator("main .phase-badge").inner_text() == "Results"
    assert text(page.locator("main .alert-success:not(.alert-dismissible)")) == (
        f"Final: results 1, finalised on {finalised_at.day} {finalised_at:%B %Y} at {finalised_at:%H:%M} "
        "by Lena Lead. These values are frozen: later changes to scores or settings do not alter them."
    )
    assert page.locator("main form[action='/cohorts/3/results/finalise/']").count() == 0
    assert page.locator("main form[action='/cohorts/3/results/reopen/']").count() == 1
    assert [cells(row) for row in page.locator("main table:has(caption:text('ranked by total')) tbody tr").all()] == (
        PREVIEW_ROWS
    )
    missing = page.locator("main h2:text('Scorecards missing when finalised') + ul li")
    assert [text(item) for item in missing.all()] == ["Harriet Quill for Gamma Water"]
    outcomes = dict(Enrolment.objects.values_list("organisation__name", "status"))
    assert outcomes == {
        ALPHA: "accredited_distinction",
        BETA: "accredited",
        GAMMA: "not_accredited",
        DELTA: "not_shortlisted",
    }
    # The outcome (the certificate's e-mail follows it).
    [told] = [
        message
        for message in mail.outbox
        if "amira.khan@alpha.example" in message.to and "Results of cohort 3" in message.subject
    ]
    assert "Accredited with distinction" in told.body
    assert not [person for judge in JUDGES for person in (judge.name, judge.email) if person in told.body]

    # The exports, from the frozen snapshot.
    name, rows = csv_download(journey, "main a[href='/cohorts/3/results/results.csv']")
    assert name == "cohort-3-results.csv"
    assert rows == RESULTS_CSV
    name, rows = csv_download(journey, "main a[href='/cohorts/3/results/scores.csv']")
    assert name == "cohort-3-scores.csv"
    assert rows[0] == ["Judge", "Organisation", "Criterion", "Raw", "Normalised"]
    assert len(rows) == 1 + 6 * 11
    assert [row[:4] for row in rows[1:12]] == [
        [HARRIET.name, ALPHA, code, str(score)] for code, score in zip(CODES, SCORES[(HARRIET, ALPHA)], strict=True)
    ]
    assert {(row[0], row[1]) for row in rows[1:]} == {(judge.name, org) for judge, org in SCORES}

    # What the organisation sees, from the finalist's page: no judge's name.
    page.locator(f"main table a[href='/cohorts/3/results/{judged.enrolments[ALPHA].pk}/']").click()
    page.wait_for_load_state("load")
    journey.shot("finalist-alpha-final")
    page.locator(f"main a[href='/cohorts/3/my-results/{judged.enrolments[ALPHA].pk}/']").click()
    page.wait_for_load_state("load")
    journey.shot("what-alpha-sees")
    assert text(page.locator("main p.text-body-secondary").first) == "This is what the members of Alpha Water see."
    html = page.content()
    assert not [person for judge in JUDGES for person in (judge.name, judge.email) if person in html]

    # Reopening keeps the snapshot as superseded.
    journey.goto("/cohorts/3/results/", "results-final-again")
    page.fill("main form[action='/cohorts/3/results/reopen/'] textarea[name=reason]", "Harriet's Gamma scores.")
    submit(journey, "main form[action='/cohorts/3/results/reopen/']")
    journey.shot("results-reopened")
    assert success_messages(page) == [
        "The results were reopened: results 1 is kept as superseded, and cohort 3 is back in judging."
    ]
    assert page.locator("main .phase-badge").inner_text() == "Judging"
    assert text(page.locator("main .alert-info")).startswith("Preview, not published.")
    superseded = page.locator("main h2:text('Superseded results') + ul li")
    assert superseded.count() == 1
    assert text(superseded).startswith("Results 1: finalised on")
    assert text(superseded).endswith("by Lena Lead. Reason: Harriet's Gamma scores.")
    assert ResultSnapshot.objects.get().status == ResultSnapshot.Status.SUPERSEDED
    assert Enrolment.objects.get(organisation__name=ALPHA).status == "finalist"


# The member ---------------------------------------------------------------------------

# Criterion, your score, cohort median, against the median, level, value, gap.
ALPHA_LINES = {
    "Q1": ["9.0", "7.0", "+2.0", "4", "7.5", "+1.5"],
    "Q2": ["8.5", "6.5", "+2.0", "5", "10.0", "−1.5"],
    "Q3": ["7.5", "6.0", "+1.5", "4", "7.5", "0.0"],
    "Q4": ["9.0", "7.5", "+1.5", "4", "7.5", "+1.5"],
    "Q5": ["8.5", "7.0", "+1.5", "3", "5.0", "+3.5"],
    "P1": ["7.5", "6.5", "+1.0", "4", "7.5", "0.0"],
    "P2": ["8.0", "5.5", "+2.5", "3", "5.0", "+3.0"],
    "P3": ["7.0", "6.5", "+0.5", "5", "10.0", "−3.0"],
    "P4": ["8.5", "7.0", "+1.5", "4", "7.5", "+1.0"],
    "P5": ["7.5", "6.0", "+1.5", "4", "7.5", "0.0"],
    "P6": ["7.0", "6.0", "+1.0", "Not self-assessed"],
}


def test_member_sees_the_result_and_comments_without_judges_names(journey, judged):
    page = journey.page
    results_services.finalise(cohort=judged.cohort, actor=judged.lead, confirm_missing=True)
    alpha = judged.enrolments[ALPHA]
    names = titles(judged.cohort)

    sign_in(journey, email="amira.khan@alpha.example", password=PASSWORD, step="member")
    journey.shot("member-dashboard")
    assert journey.path == "/organisation/"
    card = page.locator(f"main section[aria-labelledby='cohort-3-{alpha.pk}']")
    assert text(card.locator("h2")) == f"Cohort 3: {COHORT_NAME}"
    assert text(card.locator(".status-badge")) == "Accredited with distinction"
    link = card.locator(f"a[href='/cohorts/3/my-results/{alpha.pk}/']")
    assert text(link) == "See your results"
    link.click()
    page.wait_for_load_state("load")
    journey.shot("member-results")

    assert journey.path == f"/cohorts/3/my-results/{alpha.pk}/"
    assert page.locator("main h1").inner_text() == f"Results of cohort 3: {COHORT_NAME}"
    result = page.locator(f"main section[aria-labelledby='result-{alpha.pk}']")
    assert text(result.locator("h2").first) == ALPHA
    assert text(result.locator(".status-badge")) == "Accredited with distinction"
    assert text(result.locator(".card-body p strong")) == "1st of 3 finalists"
    assert "Congratulations: your organisation is accredited with distinction." in text(result.locator(".card-body"))
    assert text(result.locator(".card-body p.fw-semibold")) == (
        "Awards: Overall winner; Best people performance; Best service quality"
    )
    totals = result.locator("table:has(caption:text('judged finalists'))")
    assert [cells(row) for row in totals.locator("tbody tr").all()] == [
        ["Overall (T)", "81.3", "66.3"],
        ["People performance (P)", "76.4", "63.2"],
        ["Service quality (Q)", "86.1", "69.3"],
    ]
    assert "Your self-assessment index was 74.0; over the same criteria (those you self-assessed), " in text(result)
    assert "the judges' scores give 82.1." in text(result)
    lines = result.locator("table:has(caption:text('Your scores per criterion')) tbody tr")
    shown = {}
    for row in lines.all():
        row_cells = cells(row)
        shown[row_cells[0].split(" ")[0]] = row_cells[1:]
    assert shown == ALPHA_LINES
    assert text(result.locator("table:has(caption:text('Your scores per criterion')) tbody tr").first).startswith(
        f"Q1 {names['Q1']}"
    )
    for chart in ("scores", "calibration"):
        image = result.locator(f"img[src='/cohorts/3/my-results/{alpha.pk}/{chart}.svg']")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), chart

    # Both judges' comments on every criterion, without names; overall remarks too.
    assert lists_under_headings(result, "h4") == {
        f"{code} {names[code]}": sorted([comment(HARRIET, ALPHA, code), comment(LEOPOLD, ALPHA, code)], key=str.lower)
        for code in CODES
    } | {
        "Strengths": sorted([strengths(HARRIET, ALPHA), strengths(LEOPOLD, ALPHA)], key=str.lower),
        "Areas to improve": sorted([improvements(HARRIET, ALPHA), improvements(LEOPOLD, ALPHA)], key=str.lower),
    }

    # No judge's name or e-mail anywhere in the page or its charts, and nothing
    # written about another finalist nor the open scorecard's draft.
    html = page.content()
    assert not [person for judge in JUDGES for person in (judge.name, judge.email) if person in html]
    assert "Harriet" not in html and "Leopold" not in html and "Mira" not in html
    elsewhere = [written for judge in JUDGES for written in written_by(judge) if ALPHA not in written]
    assert not [written for written in elsewhere if written in html]
    for chart in ("scores", "calibration"):
        svg = page.request.get(journey.url(f"/cohorts/3/my-results/{alpha.pk}/{chart}.svg"))
        assert svg.status == 200
        body = svg.text()
        assert not [person for judge in JUDGES for person in (judge.name, judge.email) if person in body], chart

    # Another finalist's results are not theirs to see.
    response = journey.goto(f"/cohorts/3/my-results/{judged.enrolments[BETA].pk}/", "another-finalists-results")
    assert response.status == 404
    response = journey.goto("/cohorts/3/results/", "lead-results-refused")
    assert response.status == 403


# The judge ----------------------------------------------------------------------------


def test_judge_sees_only_their_own_scores(journey, judged):
    page = journey.page
    others = [LEOPOLD, MIRA]
    secrets = [person for judge in others for person in (judge.name, judge.email)]
    secrets += [written for judge in others for written in written_by(judge)]

    def assert_nothing_of_the_others(where: str) -> None:
        html = page.content()
        assert not [secret for secret in secrets if secret in html], where

    sign_in(journey, email=HARRIET.email, password=PASSWORD, step="judge")
    enter_mfa_code(journey, fresh_totp(TOTP_SECRET), "judge-totp-code")
    journey.shot("judge-dashboard")
    assert journey.path == "/judge/"
    assert page.locator("main h1").inner_text() == "Judging"
    assert text(page.locator("main #scorecards-heading + p")) == "2 of 3 submitted, 1 in progress."
    assert_nothing_of_the_others("dashboard")

    page.locator("main a[href='/judging/']").first.click()
    page.wait_for_load_state("load")
    journey.shot("judge-scorecards")
    assert journey.path == "/judging/"
    group = page.locator("main section[aria-labelledby='cohort-3']")
    assert text(group.locator("h2")) == f"Cohort 3: {COHORT_NAME}"
    assert text(group.locator("h2 + span")) == "2 of 3 submitted"
    assert "The deadline has passed: submit what is still open as soon as you can." in text(group)
    rows = [cells(row) for row in group.locator("tbody tr").all()]
    assert [row[0] for row in rows] == [ALPHA, BETA, GAMMA]
    assert [row[1] for row in rows] == ["11 of 11", "11 of 11", "3 of 11"]
    assert [row[2].startswith("Submitted ") for row in rows] == [True, True, False]
    assert rows[2][2:] == ["In progress", "Continue Gamma Water"]
    assert_nothing_of_the_others("list")

    # Her submitted scorecard for Alpha (which Leopold judged too): her scores and words only.
    alpha_card = judged.assignments[(HARRIET, ALPHA)]
    group.locator(f"tbody th a[href='/judging/{alpha_card.pk}/']").click()
    page.wait_for_load_state("load")
    journey.shot("judge-alpha-scorecard")
    assert journey.path == f"/judging/{alpha_card.pk}/"
    assert page.locator("main h1").inner_text() == f"{ALPHA}: your scorecard"
    for code, score in zip(CODES, SCORES[(HARRIET, ALPHA)], strict=True):
        chosen = page.locator(f"main #criterion-{code} input[name=score]:checked")
        assert chosen.count() == 1 and chosen.get_attribute("value") == str(score), code
        assert page.locator(f"main #comment-{code}").input_value() == comment(HARRIET, ALPHA, code)
    assert page.locator("main #id_strengths").input_value() == strengths(HARRIET, ALPHA)
    assert_nothing_of_the_others("Alpha scorecard")

    page.locator(f"main a[href='/judging/{alpha_card.pk}/review/']").first.click()
    page.wait_for_load_state("load")
    journey.shot("judge-alpha-review")
    assert_nothing_of_the_others("Alpha review")

    # Her open scorecard for Gamma (judged by Leopold and Mira): her draft only.
    gamma_card = judged.assignments[(HARRIET, GAMMA)]
    journey.goto(f"/judging/{gamma_card.pk}/", "judge-gamma-draft")
    assert page.locator("main #comment-Q1").input_value() == DRAFT_COMMENT
    assert page.locator("main input[name=score]:checked").count() == 3
    assert_nothing_of_the_others("Gamma scorecard")

    # Another judge's scorecard does not exist for her; the lead's results are not for her.
    response = journey.goto(f"/judging/{judged.assignments[(LEOPOLD, ALPHA)].pk}/", "leopolds-scorecard-not-found")
    assert response.status == 404
    assert_nothing_of_the_others("another judge's scorecard")
    response = journey.goto("/cohorts/3/results/", "results-preview-refused")
    assert response.status == 403
    assert_nothing_of_the_others("results preview")
    response = journey.goto(f"/cohorts/3/results/{judged.enrolments[ALPHA].pk}/", "finalist-results-refused")
    assert response.status == 403
    response = journey.goto("/cohorts/3/results/scores.csv", "scores-export-refused")
    assert response.status == 403
    assert_nothing_of_the_others("scores export")
