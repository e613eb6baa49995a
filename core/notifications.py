"""The notification core: one way to send a templated e-mail.

Each e-mail has three templates under templates/emails/: NAME_subject.txt,
NAME.txt and NAME.html. It is rendered now, stored as an OutboundEmail, and
handed to a Celery task only once the surrounding transaction commits, so a
rolled-back change never sends anything.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from .models import OutboundEmail


def absolute_url(path: str) -> str:
    """A full link for an e-mail, which has no request to build it from."""
    return f"{settings.SITE_URL}{path}"


def render_email(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


def send_templated_email(*, to: str | Iterable[str], template: str, context: dict[str, Any]) -> list[OutboundEmail]:
    """Queue the e-mail `template` to each address in `to`.

    Side effects: one OutboundEmail row per address; after commit, one
    `core.tasks.deliver_email` job per row.
    """
    subject, text, html = render_email(template=template, context=context)
    return send_rendered_email(to=to, template=template, subject=subject, text=text, html=html)


def send_rendered_email(
    *, to: str | Iterable[str], template: str, subject: str, text: str, html: str = ""
) -> list[OutboundEmail]:
    """Queue an e-mail rendered elsewhere (allauth's account e-mails).

    Side effects: as send_templated_email.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    emails = [
        OutboundEmail.objects.create(template=template, to=address, subject=subject, body_text=text, body_html=html)
        for address in recipients
    ]
    for email in emails:
        queue_delivery(email)
    return emails


def queue_delivery(email: OutboundEmail) -> None:
    from .tasks import deliver_email

    email_id = email.pk
    transaction.on_commit(lambda: deliver_email.delay(email_id=email_id))


def resend(*, email: OutboundEmail, actor) -> None:
    """Queue a failed e-mail again (the lead's resend button).

    Side effects: resets the row to queued, an audit entry, a new delivery job.
    """
    from . import audit

    before = {"status": email.status, "attempts": email.attempts}
    email.status = OutboundEmail.Status.QUEUED
    email.attempts = 0
    email.last_error = ""
    email.failed_at = None
    email.save(update_fields=["status", "attempts", "last_error", "failed_at"])
    audit.record(actor=actor, action="email.resent", obj=email, before=before, after={"status": email.status})
    queue_delivery(email)
