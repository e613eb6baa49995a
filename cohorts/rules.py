"""Who may see and change what in the programme."""

import rules

from accounts.rules import is_judge, is_organisation_member, is_programme_lead
from organisations.rules import _active_memberships


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

# The Django admin is the lead's fallback.
for perm in (
    "view_cohort",
    "change_cohort",
    "view_milestone",
    "view_enrolment",
    "view_application",
    "view_reminder",
):
    rules.add_perm(f"cohorts.{perm}", is_programme_lead)
rules.add_perm("cohorts", is_programme_lead)  # the app's section of the admin
