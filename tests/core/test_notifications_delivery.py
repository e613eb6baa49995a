"""Delivery when SMTP is down: retried with backoff by the worker, listed for
the lead when it finally fails, and never a failure of the request that
queued it."""

import smtplib

import pytest
from django.core import mail

from cohorts.models import Reminder
from core.models import OutboundEmail
from core.notifications import send_templated_email
from core.tasks import deliver_email
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_member

pytestmark = pytest.mark.django_db

CONTEXT = {
    "role_phrase": "a judge",
    "organisation": None,
    "inviter": None,
    "accept_url": "http://127.0.0.1:8000/invitations/abc/",
    "expires_at": None,
}


class BrokenSMTPBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RetryLater(Exception):
    pass


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "tests.core.test_notifications_delivery.BrokenSMTPBackend"
    settings.EMAIL_MAX_ATTEMPTS = 5


@pytest.fixture
def as_worker(monkeypatch):
    """deliver_email as a worker runs it (not in-process), its retries caught."""
    countdowns = []

    def retry(countdown=None, exc=None, **kwargs):
        countdowns.append(countdown)
        return RetryLater()

    monkeypatch.setattr(deliver_email, "retry", retry)
    deliver_email.push_request(is_eager=False, called_directly=False)
    yield countdowns
    deliver_email.pop_request()


def test_a_failure_is_retried_with_growing_backoff_then_recorded_as_failed(smtp_down, as_worker):
    [email] = send_templated_email(to="a@example.org", template="invitation", context=CONTEXT)

    for attempt in range(1, 5):
        with pytest.raises(RetryLater):
            deliver_email.run(email_id=email.pk)
        email.refresh_from_db()
        assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, attempt)
        assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"

    deliver_email.run(email_id=email.pk)  # the fifth and last attempt: no retry

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, 5)
    assert email.failed_at is not None
    assert as_worker == [60, 120, 240, 480]


def test_the_service_goes_through_when_smtp_is_down_and_the_lead_sees_what_failed(
    smtp_down, lead, lead_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(number=3, phase="self_assessment")
    severn = OrganisationFactory(name="Severn Water")
    make_member(email="amy@severn.example", organisation=severn)
    enrolment = EnrolmentFactory(cohort=cohort, organisation=severn)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/cohorts/3/enrolments/{enrolment.pk}/remind/", follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["We have reminded 1 member of Severn Water by e-mail."]
    assert Reminder.objects.count() == 1
    [email] = OutboundEmail.objects.all()
    assert (email.to, email.status) == ("amy@severn.example", OutboundEmail.Status.FAILED)
    assert mail.outbox == []
    listing = lead_client.get("/lead/emails/")
    assert [e.pk for e in listing.context["emails"]] == [email.pk]
    assert "Resend" in listing.content.decode()
