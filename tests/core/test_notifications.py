import smtplib

import pytest
from django.core import mail
from django.db import transaction

from core.models import AuditEvent, OutboundEmail
from core.notifications import send_templated_email
from core.tasks import backoff_seconds, deliver_email

pytestmark = pytest.mark.django_db

CONTEXT = {
    "role_phrase": "a judge",
    "organisation": None,
    "inviter": None,
    "accept_url": "http://127.0.0.1:8000/invitations/abc/",
    "expires_at": None,
}


class BrokenSMTPBackend:
    """Stands in for an SMTP server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "Service not available")


def test_email_is_sent_after_commit_with_text_and_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [email] = send_templated_email(to="a@example.org", template="invitation", context=CONTEXT)
        assert mail.outbox == []

    assert len(callbacks) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    [message] = mail.outbox
    assert message.to == ["a@example.org"]
    assert message.subject == "[P&Q portal] You are invited to the P&Q portal as a judge"
    assert "http://127.0.0.1:8000/invitations/abc/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_email_queued_in_a_rolled_back_transaction_is_never_sent(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_templated_email(to="a@example.org", template="invitation", context=CONTEXT)
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


def test_smtp_failure_is_recorded_and_does_not_break_the_caller(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.core.test_notifications.BrokenSMTPBackend"

    with django_capture_on_commit_callbacks(execute=True):
        [email] = send_templated_email(to="a@example.org", template="invitation", context=CONTEXT)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 1
    assert email.last_error == "SMTPConnectError: (421, 'Service not available')"
    assert email.failed_at is not None


def test_lead_sees_failed_emails_and_resends(settings, lead_client, lead, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.core.test_notifications.BrokenSMTPBackend"
    # An e-mail with no secret in it is queued again as it was (tests/core/test_secret_links.py: one with a secret).
    with django_capture_on_commit_callbacks(execute=True):
        [email] = send_templated_email(to="a@example.org", template="invitation", context={**CONTEXT, "accept_url": ""})

    listing = lead_client.get("/lead/emails/")
    dashboard = lead_client.get("/lead/")
    assert [e.pk for e in listing.context["emails"]] == [email.pk]
    assert dashboard.context["failed_emails"] == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/lead/emails/{email.pk}/resend/")

    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert AuditEvent.objects.filter(action="email.resent", actor=lead).count() == 1
    assert lead_client.post(f"/lead/emails/{email.pk}/resend/").status_code == 404


def test_delivery_is_idempotent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [email] = send_templated_email(to="a@example.org", template="invitation", context=CONTEXT)
    deliver_email.delay(email_id=email.pk)
    deliver_email.delay(email_id=999_999)

    assert len(mail.outbox) == 1


def test_retry_backoff_grows_and_is_capped():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 7, 8)] == [60, 120, 240, 480, 3600, 3600]
