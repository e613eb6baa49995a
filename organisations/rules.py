"""Who may see and change organisations and their members."""

import rules

from accounts.rules import is_programme_lead
from organisations.models import Membership


def _active_memberships(user):
    """The user's active memberships, read once per request (cached on the
    user object, like their roles)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_pq_memberships", None)
    if cached is None:
        cached = {m.organisation_id: m.role for m in Membership.objects.active().filter(user=user)}
        user._pq_memberships = cached
    return cached


@rules.predicate
def is_member_of(user, organisation) -> bool:
    return organisation is not None and organisation.pk in _active_memberships(user)


@rules.predicate
def is_admin_of(user, organisation) -> bool:
    return organisation is not None and _active_memberships(user).get(organisation.pk) == Membership.Role.ADMIN


rules.add_perm("organisations.manage_organisations", is_programme_lead)
rules.add_perm("organisations.view_organisation_page", is_programme_lead | is_member_of)
rules.add_perm("organisations.manage_members", is_programme_lead | is_admin_of)

# The Django admin is the lead's fallback.
for perm in (
    "view_organisation",
    "add_organisation",
    "change_organisation",
    "view_membership",
    "view_organisationimport",
):
    rules.add_perm(f"organisations.{perm}", is_programme_lead)
rules.add_perm("organisations", is_programme_lead)  # the app's section of the admin
