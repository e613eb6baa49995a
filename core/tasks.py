import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from core.models import OutboundEmail

logger = logging.getLogger(__name__)


def backoff_seconds(attempt: int) -> int:
    """Wait before the next try: 1, 2, 4, 8… minutes, at most an hour."""
    return min(60 * 2 ** max(attempt - 1, 0), 3600)


@shared_task(bind=True, max_retries=None)
def deliver_email(self, *, email_id: int) -> None:
    """Send one queued e-mail. Idempotent: a sent or failed one is left alone.

    A failure is retried with backoff up to EMAIL_MAX_ATTEMPTS, then recorded
    as failed for the lead to resend; it never propagates to the caller.
    """
    email = OutboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        logger.warning("deliver_email: e-mail %s is gone", email_id)
        return
    if email.status != OutboundEmail.Status.QUEUED:
        return
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    email.attempts += 1
    try:
        message.send()
    except Exception as exc:  # any transport error is recorded, never raised to the user
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        # In-process (no broker) there is no one to retry later: record at once.
        if email.attempts < settings.EMAIL_MAX_ATTEMPTS and not self.request.is_eager:
            email.save(update_fields=["attempts", "last_error"])
            raise self.retry(countdown=backoff_seconds(email.attempts), exc=exc) from exc
        email.status = OutboundEmail.Status.FAILED
        email.failed_at = timezone.now()
        email.save(update_fields=["attempts", "last_error", "status", "failed_at"])
        logger.error("deliver_email: e-mail %s failed for good: %s", email_id, email.last_error)
        return
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.save(update_fields=["attempts", "status", "sent_at"])
