"""Who may see and change what in the programme."""

import rules

from accounts.rules import is_judge, is_organisation_member, is_programme_lead


@rules.predicate
def has_no_role(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and not is_programme_lead(user)
        and not is_judge(user)
        and not is_organisation_member(user)
    )


rules.add_perm("cohorts.manage_cohorts", is_programme_lead)
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
