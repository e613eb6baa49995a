"""Who may do what. Every permission check on the site goes through these."""

import rules

from accounts.models import Role
from accounts.selectors import roles_of


@rules.predicate
def is_programme_lead(user) -> bool:
    return Role.PROGRAMME_LEAD in roles_of(user)


@rules.predicate
def is_judge(user) -> bool:
    return Role.JUDGE in roles_of(user)


@rules.predicate
def is_organisation_member(user) -> bool:
    return Role.ORGANISATION_MEMBER in roles_of(user)


@rules.predicate
def needs_mfa(user) -> bool:
    """Programme leads and judges see cohort data only with two-factor
    authentication; for organisation members it is optional. Staff and
    superusers need it too: a superuser passes every rule (every lead power,
    and the admin), so a password alone must never be enough for one."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(roles_of(user) & {Role.PROGRAMME_LEAD, Role.JUDGE})


rules.add_perm("accounts.view_lead_dashboard", is_programme_lead)
rules.add_perm("accounts.view_judge_dashboard", is_judge)
rules.add_perm("accounts.view_member_dashboard", is_organisation_member)
rules.add_perm("accounts.manage_people", is_programme_lead)
rules.add_perm("core.view_outbound_emails", is_programme_lead)
rules.add_perm("core.resend_email", is_programme_lead)
# core's admin (the audit trail and the outbox, read-only): core imports none
# of the apps above it, so its permissions are given here.
rules.add_perm("core.view_auditevent", is_programme_lead)
rules.add_perm("core.view_outboundemail", is_programme_lead)
rules.add_perm("core", is_programme_lead)  # the app's section of the admin
# The admin's people actions: each e-mails the person, so neither lets the lead in as them.
rules.add_perm("accounts.send_password_reset", is_programme_lead)
rules.add_perm("accounts.reset_second_factor", is_programme_lead)

# The Django admin is the lead's fallback. Role changes go through the people
# page (which audits them), so roles and invitations are read-only there.
for perm in ("view_user", "change_user", "view_rolegrant", "view_invitation"):
    rules.add_perm(f"accounts.{perm}", is_programme_lead)
for perm in ("view_emailaddress", "change_emailaddress"):
    rules.add_perm(f"account.{perm}", is_programme_lead)
rules.add_perm("accounts", is_programme_lead)  # the app's section of the admin
rules.add_perm("account", is_programme_lead)
