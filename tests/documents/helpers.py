"""A finalised cohort for the documents tests, built with the real services."""

from cohorts.models import Phase
from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
from judging.services.scorecards import ensure_scorecard
from results import services as results
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member


def scorecard(cohort, judge, enrolment, score):
    assignment = Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)
    card = ensure_scorecard(assignment=assignment)
    ScoreEntry.objects.filter(scorecard=card).update(score=score, comment=f"Comment from {judge.full_name}")
    card.status = Scorecard.Status.SUBMITTED
    card.save()
    return card


def judged_cohort(*, names=("Alpha Water", "Beta Water", "Gamma Water"), scores=(8, 6, 4), number=3):
    """A cohort in judging whose finalists `names` were scored `scores` on
    every criterion by two judges (8 → distinction, 6 → accredited, 4 → not)."""
    cohort = make_cohort(
        number=number,
        phase=Phase.JUDGING,
        sponsor="Clarity Analytics",
        signatory_name="Dr Helen Price",
        signatory_title="Programme Director",
    )
    judges = [make_judge(full_name=f"Judge {n}", email=f"judge{n}-{number}@example.org") for n in (1, 2)]
    for judge in judges:
        CohortJudge.objects.create(cohort=cohort, judge=judge)
    enrolments = {}
    for name, score in zip(names, scores, strict=True):
        organisation = OrganisationFactory(name=name)
        make_member(organisation=organisation, email=f"member-{len(enrolments)}-{number}@example.org")
        enrolment = EnrolmentFactory(cohort=cohort, organisation=organisation, status="finalist")
        for judge in judges:
            scorecard(cohort, judge, enrolment, score)
        enrolments[name] = enrolment
    return cohort, enrolments


def finalise(cohort, actor, capture):
    with capture(execute=True):
        return results.finalise(cohort=cohort, actor=actor)
