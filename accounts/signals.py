"""The signals accounts sends, and the account events from allauth, written
to the audit trail."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.dispatch import Signal, receiver

from core import audit

# Sent by services.accept_invitation inside its transaction, once the site
# role (if any) is granted and before the invitation is marked used, with
# `invitation` and `user`. Higher apps react through it, in their
# receivers.py (organisations creates the membership, judging seats the
# judge on the panels it was invited to): accounts imports neither. A
# receiver that raises rolls the whole acceptance back.
invitation_accepted = Signal()


@receiver(account_signals.user_signed_up)
def audit_sign_up(sender, request, user, **kwargs):
    audit.record(actor=user, action="user.registered", obj=user, after={"email": user.email, "via": "sign-up"})


@receiver(account_signals.email_confirmed)
def audit_email_confirmed(sender, request, email_address, **kwargs):
    audit.record(
        actor=email_address.user, action="email.verified", obj=email_address.user, after={"email": email_address.email}
    )


@receiver(account_signals.password_changed)
@receiver(account_signals.password_reset)
def audit_password_changed(sender, request, user, **kwargs):
    audit.record(actor=user, action="password.changed", obj=user)


@receiver(mfa_signals.authenticator_added)
def audit_mfa_added(sender, request, user, authenticator, **kwargs):
    audit.record(actor=user, action="mfa.added", obj=user, after={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def audit_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit.record(actor=user, action="mfa.removed", obj=user, before={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def audit_mfa_reset(sender, request, user, authenticator, **kwargs):
    audit.record(actor=user, action="mfa.reset", obj=user, after={"type": authenticator.type})
