"""Who may see and change what in the programme."""

import rules

from accounts.rules import is_judge, is_organisation_member, is_programme_lead
from cohorts.models import Assignment, ConflictDeclaration
from organisations.rules import _active_memberships, is_member_of


@rules.predicate
def belongs_to_cohort(user, cohort) -> bool:
    """A member of an organisation enrolled in the cohort, or a judge on its panel."""
    if cohort is None or not getattr(user, "is_authenticated", False):
        return False
    organisation_ids = set(_active_memberships(user))
    if organisation_ids and cohort.enrolments.filter(organisation_id__in=organisation_ids).exists():
        return True
    return cohort.panel.filter(judge=user, removed_at__isnull=True).exists()


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


@rules.predicate
def has_no_role(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and not is_programme_lead(user)
        and not is_judge(user)
        and not is_organisation_member(user)
    )


rules.add_perm("cohorts.manage_cohorts", is_programme_lead)
rules.add_perm("cohorts.view_cohort_timeline", is_programme_lead | belongs_to_cohort)
rules.add_perm("cohorts.apply", has_no_role)
rules.add_perm("cohorts.manage_judging", is_programme_lead)
rules.add_perm("cohorts.declare_conflict", is_on_panel)  # object: the cohort
rules.add_perm("cohorts.judge_finalist", judges_finalist)  # object: the finalist's enrolment

# The Django admin is the lead's fallback.
for perm in (
    "view_cohort",
    "change_cohort",
    "view_milestone",
    "view_enrolment",
    "view_cohortjudge",
    "view_application",
    "view_conflictdeclaration",
    "view_assignment",
    "view_reminder",
    "view_resultsnapshot",
):
    rules.add_perm(f"cohorts.{perm}", is_programme_lead)
rules.add_perm("cohorts", is_programme_lead)  # the app's section of the admin
