"""Who may see and change self-assessments and frameworks."""

import rules

from accounts.rules import is_programme_lead
from organisations.rules import is_member_of


@rules.predicate
def is_member_of_assessing_organisation(user, assessment) -> bool:
    return assessment is not None and is_member_of(user, assessment.enrolment.organisation)


@rules.predicate
def is_draft(user, assessment) -> bool:
    return assessment is not None and not assessment.is_locked


rules.add_perm("assessments.view_assessment", is_programme_lead | is_member_of_assessing_organisation)
rules.add_perm("assessments.edit_assessment", is_member_of_assessing_organisation & is_draft)
rules.add_perm("assessments.reopen_assessment", is_programme_lead)


# The Django admin is the lead's fallback.
for perm in (
    "view_selfassessment",
    "view_response",
    "view_kpivalue",
    "view_evidencefile",
):
    rules.add_perm(f"assessments.{perm}", is_programme_lead)
rules.add_perm("assessments", is_programme_lead)  # the app's section of the admin
