from decimal import Decimal

import pytest
from django.core import mail

from assessments.services.self_assessment import ensure_assessment
from cohorts.models import Cohort, Enrolment, Phase
from cohorts.services import programme
from core.errors import ServiceError
from core.models import AuditEvent
from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
from judging.services.scorecards import ensure_scorecard
from results import services
from results.models import ResultSnapshot
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

CODES = ["Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "P6"]


def scorecard(cohort, judge, enrolment, score, *, submit=True):
    assignment = Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)
    card = ensure_scorecard(assignment=assignment)
    ScoreEntry.objects.filter(scorecard=card).update(score=score, comment=f"Comment from {judge.full_name}")
    card.strengths = "Clear ownership."
    if submit:
        card.status = Scorecard.Status.SUBMITTED
    card.save()
    return card


@pytest.fixture
def judging():
    """Cohort 3 in judging: finalists Alpha (all 8s), Beta (all 6s), Gamma
    (no scorecard); Delta submitted but not shortlisted; Epsilon withdrew."""
    cohort = make_cohort(number=3, phase=Phase.JUDGING)
    judges = [make_judge(full_name=f"Judge {n}") for n in (1, 2)]
    for judge in judges:
        CohortJudge.objects.create(cohort=cohort, judge=judge)
    member = make_member(email="amy@alpha.example")
    alpha = EnrolmentFactory(cohort=cohort, organisation=member.memberships.get().organisation, status="finalist")
    beta = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Beta Water"), status="finalist")
    gamma = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Gamma Water"), status="finalist")
    delta = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Delta Water"), status="submitted")
    epsilon = EnrolmentFactory(
        cohort=cohort, organisation=OrganisationFactory(name="Epsilon Water"), status="withdrawn"
    )
    for judge in judges:
        scorecard(cohort, judge, alpha, 8)
        scorecard(cohort, judge, beta, 6)
    return {
        "cohort": cohort,
        "judges": judges,
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "delta": delta,
        "epsilon": epsilon,
    }


def test_finalise_freezes_results_sets_every_outcome_and_tells_organisations(
    judging, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = services.finalise(cohort=judging["cohort"], actor=lead)

    rows = {row["organisation"]: row for row in snapshot.data["finalists"]}
    assert (rows[judging["alpha"].organisation.name]["total"], rows["Beta Water"]["total"]) == (80.0, 60.0)
    assert rows[judging["alpha"].organisation.name]["rank"] == 1
    assert rows["Beta Water"]["level"] == "accredited"  # exactly on the pass threshold
    assert (rows["Gamma Water"]["judged"], rows["Gamma Water"]["level"]) == (False, "not_judged")
    assert snapshot.data["awards"] == {
        "winner": [judging["alpha"].pk],
        "best_people": [judging["alpha"].pk],
        "best_quality": [judging["alpha"].pk],
    }
    assert rows["Beta Water"]["comments"]["Q1"] == ["Comment from Judge 1", "Comment from Judge 2"]
    assert "judge" not in str(rows["Beta Water"]["comments"]).lower().replace("judge 1", "").replace("judge 2", "")
    outcomes = dict(Enrolment.objects.values_list("organisation__name", "status"))
    assert outcomes == {
        judging["alpha"].organisation.name: "accredited_distinction",
        "Beta Water": "accredited",
        "Gamma Water": "not_judged",
        "Delta Water": "not_shortlisted",
        "Epsilon Water": "withdrawn",
    }
    assert Cohort.objects.get(pk=judging["cohort"].pk).phase == "results"
    # Alpha's member: the outcome, then the certificate (Beta and Gamma have no members here).
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["amy@alpha.example"],
            f"[P&Q portal] Results of cohort 3 of the P&Q programme: {judging['alpha'].organisation.name}",
        ),
        (["amy@alpha.example"], "[P&Q portal] Your P&Q certificate (Accredited with distinction): cohort 3"),
    ]
    assert "Accredited with distinction" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="results.finalised").count() == 1


def test_finalise_is_refused_while_scorecards_are_open_unless_confirmed(judging, lead):
    scorecard(judging["cohort"], make_judge(full_name="Late Judge"), judging["gamma"], 5, submit=False)

    with pytest.raises(ServiceError, match=r"1 scorecard is still open \(Late Judge for Gamma Water\)"):
        services.finalise(cohort=judging["cohort"], actor=lead)
    assert ResultSnapshot.objects.count() == 0

    snapshot = services.finalise(cohort=judging["cohort"], actor=lead, confirm_missing=True)

    assert snapshot.missing_scorecards == [{"judge": "Late Judge", "organisation": "Gamma Water"}]
    assert AuditEvent.objects.get(action="results.finalised").note == "Missing scorecards: Late Judge for Gamma Water"


def test_changing_a_score_afterwards_changes_no_stored_result(judging, lead):
    snapshot = services.finalise(cohort=judging["cohort"], actor=lead)
    frozen = snapshot.data

    ScoreEntry.objects.all().update(score=0)
    Cohort.objects.filter(pk=judging["cohort"].pk).update(normalise_scores=True, pass_threshold=Decimal("70"))

    snapshot.refresh_from_db()
    assert snapshot.data == frozen
    assert Enrolment.objects.get(pk=judging["beta"].pk).status == "accredited"


def test_reopening_supersedes_the_snapshot_and_finalising_again_makes_a_new_one(judging, lead):
    first = services.finalise(cohort=judging["cohort"], actor=lead)

    with pytest.raises(ServiceError, match="Give a reason"):
        services.reopen(cohort=judging["cohort"], actor=lead, reason=" ")
    services.reopen(cohort=judging["cohort"], actor=lead, reason="A judge mis-scored Beta")

    first.refresh_from_db()
    assert (first.status, first.reopen_reason) == ("superseded", "A judge mis-scored Beta")
    assert Cohort.objects.get(pk=judging["cohort"].pk).phase == "judging"
    assert dict(Enrolment.objects.values_list("organisation__name", "status"))["Beta Water"] == "finalist"
    assert dict(Enrolment.objects.values_list("organisation__name", "status"))["Delta Water"] == "submitted"

    ScoreEntry.objects.filter(scorecard__assignment__enrolment=judging["beta"]).update(score=9)
    second = services.finalise(cohort=judging["cohort"], actor=lead)

    assert (second.number, second.status) == (2, "final")
    assert ResultSnapshot.objects.get(pk=first.pk).status == "superseded"
    assert {row["organisation"]: row["rank"] for row in second.data["finalists"] if row["judged"]}["Beta Water"] == 1


def test_only_submitted_scorecards_count_and_withdrawn_ones_never(judging, lead):
    late = make_judge(full_name="Conflicted Judge")
    card = scorecard(judging["cohort"], late, judging["beta"], 0)
    card.status = Scorecard.Status.WITHDRAWN
    card.withdrawal_reason = "conflict declared"
    card.save()

    inputs = services.gather(judging["cohort"])

    assert (late.pk, judging["beta"].pk) not in inputs.raw
    assert inputs.withdrawn == [("Conflicted Judge", "Beta Water", "conflict declared")]


def test_finalise_only_in_judging(lead):
    cohort = make_cohort(number=4, phase=Phase.SHORTLISTING)

    with pytest.raises(ServiceError, match="only in the judging phase"):
        services.finalise(cohort=cohort, actor=lead)


def test_results_phase_is_reached_only_by_finalising(judging, lead):
    [forward] = [m for m in programme.phase_moves(judging["cohort"]) if m.forward]

    assert forward.blockers == ("Results move to this phase when the lead finalises them (Results → Finalise).",)


def test_the_snapshot_freezes_self_assessed_levels_and_withdrawn_scorecards(judging, lead):
    assessment = ensure_assessment(enrolment=judging["alpha"])
    assessment.responses.update(level=4)
    card = scorecard(judging["cohort"], make_judge(full_name="Conflicted Judge"), judging["beta"], 1)
    card.status = Scorecard.Status.WITHDRAWN
    card.withdrawal_reason = "conflict declared"
    card.save()

    snapshot = services.finalise(cohort=judging["cohort"], actor=lead)
    assessment.responses.update(level=1)

    alpha = next(row for row in snapshot.data["finalists"] if row["enrolment"] == judging["alpha"].pk)
    assert set(alpha["self_levels"].values()) == {4}
    assert snapshot.data["withdrawn"] == [
        {"judge": "Conflicted Judge", "organisation": "Beta Water", "reason": "conflict declared"}
    ]
