"""Who may judge, and who may run the judging."""

import rules

from accounts.rules import is_judge, is_programme_lead
from assessments.rules import is_member_of_assessing_organisation
from judging.models import Assignment, ConflictDeclaration
from organisations.rules import is_member_of


@rules.predicate
def is_on_panel(user, cohort) -> bool:
    return (
        cohort is not None
        and getattr(user, "is_authenticated", False)
        and is_judge(user)
        and cohort.panel.filter(judge=user, removed_at__isnull=True).exists()
    )


def is_conflicted_with(user, enrolment) -> bool:
    """A declared conflict with the organisation in this cohort, or
    membership of it (a conflict by itself)."""
    return (
        is_member_of(user, enrolment.organisation)
        or ConflictDeclaration.objects.filter(
            cohort_id=enrolment.cohort_id, judge=user, organisation_id=enrolment.organisation_id
        ).exists()
    )


@rules.predicate
def judges_finalist(user, enrolment) -> bool:
    """Assigned to the finalist, still on the panel, and not conflicted."""
    return (
        enrolment is not None
        and getattr(user, "is_authenticated", False)
        and is_judge(user)
        and Assignment.objects.active()
        .filter(judge=user, enrolment=enrolment, cohort__panel__judge=user, cohort__panel__removed_at__isnull=True)
        .exists()
        and not is_conflicted_with(user, enrolment)
    )


rules.add_perm("judging.manage_judging", is_programme_lead)
rules.add_perm("judging.declare_conflict", is_on_panel)  # object: the cohort
rules.add_perm("judging.judge_finalist", judges_finalist)  # object: the finalist's enrolment


@rules.predicate
def judges_the_assessing_organisation(user, assessment) -> bool:
    """A judge reads the submitted self-assessment of a finalist they judge."""
    return assessment is not None and assessment.is_locked and judges_finalist(user, assessment.enrolment)


# Judges read (never change) the self-assessments of the finalists they judge.
rules.set_perm(
    "assessments.view_assessment",
    is_programme_lead | is_member_of_assessing_organisation | judges_the_assessing_organisation,
)


# The Django admin is the lead's fallback.
for perm in ("view_cohortjudge", "view_conflictdeclaration", "view_assignment", "view_scorecard", "view_scoreentry"):
    rules.add_perm(f"judging.{perm}", is_programme_lead)
rules.add_perm("judging", is_programme_lead)  # the app's section of the admin
