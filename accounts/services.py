"""Writes for people, roles and invitations. Each one audits itself."""

from datetime import timedelta

from allauth.account import app_settings as allauth_settings
from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import SITE_ROLES, Invitation, Role, RoleGrant, User, hash_token, new_token
from accounts.signals import invitation_accepted
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email


def _normalise(email: str) -> str:
    return email.strip().lower()


def user_holds(*, email: str, role: str, organisation=None) -> bool:
    email = _normalise(email)
    source = roles.role_source(role)
    if source is not None:
        return source.held_by_email(email, organisation)
    return RoleGrant.objects.active().filter(user__email=email, role=role).exists()


@transaction.atomic
def invite(
    *,
    email: str,
    role: str,
    invited_by: User,
    organisation=None,
    organisation_role: str = "",
    cohort=None,
) -> tuple[Invitation, str]:
    """Invite `email` to take up `role` (in `organisation`, for a member;
    the e-mail names `cohort` when a judge is invited to its panel).

    Side effects: an Invitation, an audit entry, the invitation e-mail after
    commit. Returns the invitation and its token (the e-mail's link).
    """
    email = _normalise(email)
    if role == Role.ORGANISATION_MEMBER:
        if organisation is None:
            raise ServiceError("Choose the organisation the person will be a member of.")
        source = roles.role_source(role)
        organisation_role = organisation_role or (source.default_kind if source else "")
    else:
        organisation, organisation_role = None, ""
    if user_holds(email=email, role=role, organisation=organisation):
        raise ServiceError(f"{email} already holds this role.")
    if Invitation.objects.pending().filter(email=email, role=role, organisation=organisation).exists():
        raise ServiceError(f"{email} already has a pending invitation to this role: resend it instead.")
    token = new_token()
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        organisation=organisation,
        organisation_role=organisation_role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        created_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit.record(actor=invited_by, action="invitation.sent", obj=invitation, after=_invitation_state(invitation))
    _send_invitation_email(invitation, token, cohort=cohort)
    return invitation, token


@transaction.atomic
def resend_invitation(*, invitation: Invitation, actor: User) -> str:
    """Send a fresh link (the old one stops working) valid for the full period.

    Side effects: new token and expiry, an audit entry, the e-mail after commit.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.CANCELLED):
        raise ServiceError(f"This invitation is {invitation.get_status_display().lower()}: it cannot be resent.")
    before = _invitation_state(invitation)
    token = new_token()
    now = timezone.now()
    invitation.token_hash = hash_token(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit.record(
        actor=actor, action="invitation.resent", obj=invitation, before=before, after=_invitation_state(invitation)
    )
    _send_invitation_email(invitation, token)
    return token


@transaction.atomic
def cancel_invitation(*, invitation: Invitation, actor: User) -> None:
    """Side effects: the invitation's link stops working; an audit entry."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ServiceError("This invitation has already been accepted: revoke the role instead.")
    if invitation.status == Invitation.Status.CANCELLED:
        return
    before = _invitation_state(invitation)
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    audit.record(
        actor=actor, action="invitation.cancelled", obj=invitation, before=before, after=_invitation_state(invitation)
    )


def find_invitation(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation", "invited_by").filter(token_hash=hash_token(token)).first()


def check_invitation_usable(invitation: Invitation) -> None:
    """Raise ServiceError, with what the person can do, unless the link works."""
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise ServiceError("This invitation has already been used. Sign in to reach your account.")
    if status == Invitation.Status.CANCELLED:
        raise ServiceError("This invitation was cancelled. Ask the programme lead for a new one if you need it.")
    if status == Invitation.Status.EXPIRED:
        raise ServiceError(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%d %B %Y}. "
            "Ask the programme lead to send it again."
        )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> None:
    """`user` takes up the role the invitation offers.

    Side effects: a site role granted (RoleGrant); `invitation_accepted`
    sent, whose receivers do the rest in this transaction (organisations:
    the membership; judging: the seats on the panels the person was invited
    to); the e-mail address marked verified (the link proved it); the
    invitation used up; audit entries.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation_usable(invitation)
    if _normalise(user.email) != invitation.email:
        raise ServiceError(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            "Sign out, then open the link again."
        )
    if (
        invitation.role in SITE_ROLES
        and not RoleGrant.objects.active().filter(user=user, role=invitation.role).exists()
    ):
        grant_role(user=user, role=invitation.role, actor=invitation.invited_by)
    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    mark_email_verified(user)
    before = _invitation_state(invitation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user, action="invitation.accepted", obj=invitation, before=before, after=_invitation_state(invitation)
    )


@transaction.atomic
def register_from_invitation(*, invitation: Invitation, full_name: str, password: str) -> User:
    """Create the account for a new person who follows an invitation link.

    Side effects: a User (e-mail verified) and everything accept_invitation does.
    """
    check_invitation_usable(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ServiceError(f"An account for {invitation.email} already exists: sign in to accept the invitation.")
    user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name.strip())
    audit.record(actor=user, action="user.registered", obj=user, after={"email": user.email, "via": "invitation"})
    accept_invitation(invitation=invitation, user=user)
    return user


def mark_email_verified(user: User) -> None:
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])


@transaction.atomic
def grant_role(*, user: User, role: str, actor: User | None) -> RoleGrant:
    """Side effects: a RoleGrant; a programme lead also becomes staff (the
    admin is the lead's fallback); an audit entry."""
    if role not in (Role.PROGRAMME_LEAD, Role.JUDGE):
        raise ServiceError("Organisation members are added through their organisation.")
    grant = RoleGrant.objects.active().filter(user=user, role=role).first()
    if grant:
        return grant
    grant = RoleGrant.objects.create(user=user, role=role, granted_by=actor)
    if role == Role.PROGRAMME_LEAD and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit.record(actor=actor, action="role.granted", obj=user, after={"role": role})
    return grant


@transaction.atomic
def revoke_role(*, grant: RoleGrant, actor: User) -> None:
    """Take a site role away; it stops working on the user's next request.

    Side effects: the grant marked revoked; a former lead loses staff status;
    an audit entry.
    """
    grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if not grant.is_active:
        raise ServiceError("This role has already been revoked.")
    if grant.role == Role.PROGRAMME_LEAD and grant.user_id == actor.pk:
        raise ServiceError("You cannot revoke your own programme lead role: ask another lead.")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    user = grant.user
    if grant.role == Role.PROGRAMME_LEAD and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    audit.record(actor=actor, action="role.revoked", obj=user, before={"role": grant.role}, after={"role": None})


def _invitation_state(invitation: Invitation) -> dict:
    return {
        "email": invitation.email,
        "role": invitation.role,
        "organisation": invitation.organisation.name if invitation.organisation_id else None,
        "status": invitation.status,
        "expires_at": invitation.expires_at.isoformat(),
    }


def _send_invitation_email(invitation: Invitation, token: str, *, cohort=None) -> None:
    send_templated_email(
        to=invitation.email,
        template="invitation",
        context={
            "invitation": invitation,
            "role_phrase": invitation.role_phrase,
            "organisation": invitation.organisation,
            "inviter": invitation.invited_by,
            "accept_url": absolute_url(Invitation.accept_path(token)),
            "expires_at": invitation.expires_at,
            "cohort": cohort,
        },
    )


@transaction.atomic
def create_lead(*, email: str, full_name: str, actor: User | None = None) -> tuple[User, bool]:
    """The first programme lead of a new site (`manage.py create_lead`), or a
    lead made from an existing account. A new account has no password: the
    person chooses one from the password-set e-mail, and sets up two-factor
    authentication at first sign-in (leads must). Returns the user and
    whether the account is new.

    Side effects: a User with a verified address (when new), its audit
    entry and the password-set e-mail after commit; the lead role through
    grant_role (staff status, an audit entry).
    """
    email = _normalise(email)
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
        mark_email_verified(user)
        audit.record(actor=actor, action="user.registered", obj=user, after={"email": user.email, "via": "create_lead"})
    grant_role(user=user, role=Role.PROGRAMME_LEAD, actor=actor)
    if created:
        send_password_reset(user=user, actor=actor)
    return user, created


@transaction.atomic
def send_password_reset(*, user: User, actor: User | None) -> None:
    """E-mail `user` allauth's password-reset link (it works once), so that
    they choose a password themselves: nobody sets one for them.

    Side effects: the e-mail after commit (its link stored only encrypted,
    until delivered); an audit entry.
    """
    if not user.is_active:
        raise ServiceError(f"{user.email}'s account is closed: it cannot get a password-reset e-mail.")
    request_password_reset(None, user.email, [user], allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR())
    audit.record(actor=actor, action="password.reset_sent", obj=user, after={"email": user.email})


@transaction.atomic
def reset_second_factor(*, user: User, actor: User) -> int:
    """Remove every second factor of `user` (TOTP, recovery codes), for a
    person who lost their phone. They set it up again at their next sign-in
    (leads and judges must); their password is untouched, so the reset lets
    nobody else in. Returns how many authenticators were removed.

    Side effects: the authenticators deleted; an audit entry; an e-mail
    telling the person, after commit.
    """
    authenticators = Authenticator.objects.filter(user=user)
    types = sorted(set(authenticators.values_list("type", flat=True)))
    if not types:
        raise ServiceError(f"{user.email} has no second factor to reset.")
    removed, _ = authenticators.delete()
    audit.record(actor=actor, action="mfa.reset_by_lead", obj=user, before={"types": types}, after={"types": []})
    send_templated_email(
        to=user.email,
        template="second_factor_reset",
        context={
            "person": user,
            "actor": actor,
            "url": absolute_url(reverse("account_login")),
            "security_contact": settings.SECURITY_CONTACT_EMAIL,
        },
    )
    return removed


def reissue_invitation_email(*, email, actor: User) -> str:
    """For a failed invitation e-mail whose link is gone: a fresh link, as
    the people page's resend does (core.notifications.resend calls this)."""
    invitation = (
        Invitation.objects.filter(email=_normalise(email.to), accepted_at__isnull=True, cancelled_at__isnull=True)
        .order_by("-sent_at")
        .first()
    )
    if invitation is None:
        raise ServiceError(f"{email.to} has no open invitation any more (accepted or cancelled): nothing to resend.")
    resend_invitation(invitation=invitation, actor=actor)
    return f"A new invitation link was sent to {invitation.email} (the old link no longer works)."


def reissue_password_reset_email(*, email, actor: User) -> str:
    """For a failed password-reset e-mail whose link is gone: a new link."""
    user = User.objects.filter(email__iexact=email.to).first()
    if user is None:
        raise ServiceError(f"There is no account for {email.to} any more: nothing to resend.")
    send_password_reset(user=user, actor=actor)
    return f"A new password-reset link was sent to {user.email}."
