import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from core.errors import ServiceError
from core.models import OutboundEmail
from core.notifications import bodies_to_deliver
from core.sealed import InvalidToken

logger = logging.getLogger(__name__)


def backoff_seconds(attempt: int) -> int:
    """Wait before the next try: 1, 2, 4, 8… minutes, at most an hour."""
    return min(60 * 2 ** max(attempt - 1, 0), 3600)


def _finish(email: OutboundEmail, *, status: str, fields: list[str]) -> None:
    """Sent or failed for good: the sealed copy of a secret is deleted, so
    that only the redacted body stays."""
    email.status = status
    if status == OutboundEmail.Status.SENT:
        email.sent_at = timezone.now()
        fields.append("sent_at")
    else:
        email.failed_at = timezone.now()
        fields.append("failed_at")
    if email.sealed_body:
        email.sealed_body = ""
        fields.append("sealed_body")
    email.save(update_fields=["status", *fields])


@shared_task(bind=True, max_retries=None)
def deliver_email(self, *, email_id: int) -> None:
    """Send one queued e-mail. Idempotent: a sent or failed one is left alone.

    A failure is retried with backoff up to EMAIL_MAX_ATTEMPTS, then recorded
    as failed for the lead to resend; it never propagates to the caller. An
    e-mail with a secret is sent from its sealed copy, kept for the retries
    and deleted once it is sent or has failed for good.
    """
    email = OutboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        logger.warning("deliver_email: e-mail %s is gone", email_id)
        return
    if email.status != OutboundEmail.Status.QUEUED:
        return
    try:
        text, html = bodies_to_deliver(email)
    except (InvalidToken, ServiceError) as exc:
        # Never send the redacted copy of a secret: the person would get a link that is not there.
        email.last_error = (
            "Its secret link cannot be read (EMAIL_SECRET_KEY changed?)" if isinstance(exc, InvalidToken) else str(exc)
        )
        _finish(email, status=OutboundEmail.Status.FAILED, fields=["last_error"])
        logger.error("deliver_email: e-mail %s failed for good: %s", email_id, email.last_error)
        return
    message = EmailMultiAlternatives(
        subject=email.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to]
    )
    if html:
        message.attach_alternative(html, "text/html")
    email.attempts += 1
    try:
        message.send()
    except Exception as exc:  # any transport error is recorded, never raised to the user
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        # In-process (no broker) there is no one to retry later: record at once.
        if email.attempts < settings.EMAIL_MAX_ATTEMPTS and not self.request.is_eager:
            email.save(update_fields=["attempts", "last_error"])
            raise self.retry(countdown=backoff_seconds(email.attempts), exc=exc) from exc
        _finish(email, status=OutboundEmail.Status.FAILED, fields=["attempts", "last_error"])
        logger.error("deliver_email: e-mail %s failed for good: %s", email_id, email.last_error)
        return
    _finish(email, status=OutboundEmail.Status.SENT, fields=["attempts"])
