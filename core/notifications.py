"""The notification core: one way to send a templated e-mail.

Each e-mail has three templates under templates/emails/: NAME_subject.txt,
NAME.txt and NAME.html. It is rendered now, stored as an OutboundEmail, and
handed to a Celery task only once the surrounding transaction commits, so a
rolled-back change never sends anything.

Every e-mail to a user of the site also leaves an in-site Notification (its
subject and a link), and optional kinds of e-mail (core.email_kinds) are not
sent to people who switched them off; mandatory ones always are.

An e-mail that carries a secret (an invitation's link, a password reset or
an address confirmation: SECRET_CONTEXT_KEYS) is stored redacted, with the
real bodies encrypted (core.sealed) until delivery; resending one whose
secret is gone asks the app that made it for a fresh link (`reissuers`).
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse

from core import audit, email_kinds, sealed
from core.errors import ServiceError
from core.models import EmailOptOut, Notification, OutboundEmail

# Context entries that hold the e-mail's direct link, most specific first.
# (Never an invitation's accept_url: it carries a secret token.)
LINK_KEYS = ("url", "application_url", "conflicts_url", "dashboard_url")

# Context entries that are secrets: whoever reads them can act as the
# recipient (accept an invitation, reset a password, confirm an address).
# Ours (the invitation's accept_url) and allauth's (reset and confirmation
# links, their keys, and codes).
SECRET_CONTEXT_KEYS = ("accept_url", "password_reset_url", "activate_url", "key", "code")

# template → a function(email=…, actor=…) that sends the person a fresh
# e-mail with a new secret link, for a failed e-mail whose own link is gone.
# Filled by the apps that send such e-mails (accounts, at ready()).
reissuers: dict[str, Callable[..., str]] = {}


def register_reissuer(template: str, reissue: Callable[..., str]) -> None:
    reissuers[template] = reissue


def secrets_in(context: dict[str, Any]) -> list[str]:
    """The secret values of an e-mail's context (SECRET_CONTEXT_KEYS)."""
    return [str(context[key]) for key in SECRET_CONTEXT_KEYS if context.get(key)]


def absolute_url(path: str) -> str:
    """A full link for an e-mail, which has no request to build it from."""
    return f"{settings.SITE_URL}{path}"


def site_path(url: str) -> str:
    """The path of a link to this site ("" for a link elsewhere)."""
    if url.startswith(settings.SITE_URL + "/"):
        return url[len(settings.SITE_URL) :]
    return url if url.startswith("/") and not url.startswith("//") else ""


def _render(name: str, context: dict[str, Any], *, autoescape: bool) -> str:
    template = get_template(name)
    if autoescape:
        return template.render(context)
    # Subjects and plain-text bodies are not HTML: "Smith & Sons" stays as typed.
    return template.template.render(Context(context, autoescape=False))


def render_email(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject (without the site's prefix), plain text and HTML of an e-mail."""
    context = {
        "site_url": settings.SITE_URL,
        "preferences_url": absolute_url(reverse("notification_preferences")),
        **context,
    }
    subject = " ".join(_render(f"emails/{template}_subject.txt", context, autoescape=False).split())
    text = _render(f"emails/{template}.txt", context, autoescape=False)
    html = _render(f"emails/{template}.html", context, autoescape=True)
    return subject, text, html


def send_templated_email(
    *, to: str | Iterable[str], template: str, context: dict[str, Any], link: str | None = None
) -> list[OutboundEmail]:
    """Queue the e-mail `template` to each address in `to`, its subject
    prefixed with EMAIL_SUBJECT_PREFIX. `link` is where the in-site
    notification leads (by default the e-mail's own link from `context`).

    Side effects: for each address of a user of the site, a Notification;
    one OutboundEmail row per address, except users who switched off this
    optional kind of e-mail; after commit, one `core.tasks.deliver_email`
    job per row. Returns the e-mails queued.
    """
    subject, text, html = render_email(template=template, context=context)
    if link is None:
        link = next((context[key] for key in LINK_KEYS if context.get(key)), "")
    return _send(
        to=to,
        template=template,
        subject=settings.EMAIL_SUBJECT_PREFIX + subject,
        title=subject,
        link=site_path(str(link)),
        text=text,
        html=html,
        secrets=secrets_in(context),
    )


def send_rendered_email(
    *, to: str | Iterable[str], template: str, subject: str, text: str, html: str = "", secrets: Iterable[str] = ()
) -> list[OutboundEmail]:
    """Queue an e-mail rendered elsewhere (allauth's account e-mails, whose
    subject already carries the prefix). Account e-mails are never optional.
    `secrets` are the values in the bodies that must not be stored in clear.

    Side effects: as send_templated_email (the notification has no link:
    account e-mails carry secret ones).
    """
    title = subject.removeprefix(settings.EMAIL_SUBJECT_PREFIX)
    return _send(
        to=to, template=template, subject=subject, title=title, link="", text=text, html=html, secrets=list(secrets)
    )


def _stored_bodies(text: str, html: str, secrets: list[str]) -> dict[str, Any]:
    """The OutboundEmail fields for these bodies: as they are, or, when they
    carry a secret, redacted with the real ones sealed."""
    secrets = [secret for secret in secrets if secret and (secret in text or secret in html)]
    if not secrets:
        return {"body_text": text, "body_html": html}
    return {
        "body_text": sealed.redact(text, secrets),
        "body_html": sealed.redact(html, secrets),
        "has_secret": True,
        "sealed_body": sealed.seal(json.dumps({"text": text, "html": html})),
    }


def bodies_to_deliver(email: OutboundEmail) -> tuple[str, str]:
    """The plain text and HTML to send: the sealed originals when the e-mail
    carries a secret. Raises sealed.InvalidToken when no key opens them, and
    ServiceError when its secret was already removed."""
    if not email.has_secret:
        return email.body_text, email.body_html
    if not email.sealed_body:
        raise ServiceError("Its secret link was removed once delivery ended: send a fresh one instead.")
    bodies = json.loads(sealed.unseal(email.sealed_body))
    return bodies["text"], bodies["html"]


def _send(
    *,
    to: str | Iterable[str],
    template: str,
    subject: str,
    title: str,
    link: str,
    text: str,
    html: str,
    secrets: list[str],
) -> list[OutboundEmail]:
    addresses = list(dict.fromkeys(address.strip() for address in ([to] if isinstance(to, str) else to)))
    users = _users_by_address(addresses, template=template)
    emails, notices = [], []
    for address in addresses:
        user = users.get(address.lower())
        if user is not None:
            notices.append(Notification(user=user, title=title[:300], link=link[:500], template=template))
            if getattr(user, "opted_out", False):
                continue
        emails.append(
            OutboundEmail.objects.create(
                template=template, to=address, subject=subject, **_stored_bodies(text, html, secrets)
            )
        )
    Notification.objects.bulk_create(notices)
    for email in emails:
        queue_delivery(email)
    return emails


def _users_by_address(addresses: list[str], *, template: str) -> dict:
    """The site's users among the addresses (one query), each with
    `opted_out` when the e-mail is optional and they switched its kind off."""
    User = get_user_model()
    if not addresses:
        return {}
    users = User.objects.annotate(address=Lower("email")).filter(address__in={a.lower() for a in addresses})
    if email_kinds.is_optional(template):
        category = email_kinds.category_of(template).code
        users = users.annotate(opted_out=Exists(EmailOptOut.objects.filter(user=OuterRef("pk"), category=category)))
    return {user.address: user for user in users.only("pk", "email")}


def queue_delivery(email: OutboundEmail) -> None:
    from core.tasks import deliver_email  # noqa: PLC0415 - core.tasks imports this module

    email_id = email.pk
    transaction.on_commit(lambda: deliver_email.delay(email_id=email_id))


def resend(*, email: OutboundEmail, actor) -> str:
    """Queue a failed e-mail again (the lead's resend button). One whose
    secret link was removed when it failed for good cannot be sent again as
    it was: the app that sent it issues a fresh link in a new e-mail (a new
    invitation link, a new password-reset link), and this one is marked
    replaced. Returns what was done, for the lead.

    Side effects: resets the row to queued (or marks it replaced), an audit
    entry, a new delivery job (or the fresh e-mail). ServiceError when the
    secret is gone and nobody can issue a new one.
    """
    if email.has_secret and not email.sealed_body:
        reissue = reissuers.get(email.template)
        if reissue is None:
            raise ServiceError(
                f"This e-mail carried a secret link, removed when it could not be delivered; it cannot be "
                f"sent again. Ask {email.to} to ask for a new one."
            )
        with transaction.atomic():
            done = reissue(email=email, actor=actor)
            before = {"status": email.status}
            email.status = OutboundEmail.Status.REPLACED
            email.save(update_fields=["status"])
            audit.record(actor=actor, action="email.replaced", obj=email, before=before, after={"status": email.status})
        return done
    before = {"status": email.status, "attempts": email.attempts}
    email.status = OutboundEmail.Status.QUEUED
    email.attempts = 0
    email.last_error = ""
    email.failed_at = None
    email.save(update_fields=["status", "attempts", "last_error", "failed_at"])
    audit.record(actor=actor, action="email.resent", obj=email, before=before, after={"status": email.status})
    queue_delivery(email)
    return f"The e-mail to {email.to} was queued again."
