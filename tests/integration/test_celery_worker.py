"""E-mail delivery through the real broker (Redis) and a real Celery worker.

The worker runs in a thread of this process (celery.contrib.testing), with
its own database connection, so the tests use a transactional database:
what the test commits is what the worker sees, as in production.
"""

import os
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from core.models import OutboundEmail
from core.notifications import send_templated_email
from tests.integration.conftest import QUEUE, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        os.environ.get("PQ_INTEGRATION") != "1",
        reason="needs Redis as the Celery broker: run with PQ_INTEGRATION=1 and CELERY_BROKER_URL (CI's second pass)",
    ),
]

INVITATION_CONTEXT = {
    "role_phrase": "a judge",
    "organisation": None,
    "inviter": None,
    "accept_url": "http://127.0.0.1:8000/invitations/some-token/",
    "expires_at": None,
}


def sent_to(address: str) -> Callable[[], bool]:
    def condition() -> bool:
        return OutboundEmail.objects.filter(to=address, status=OutboundEmail.Status.SENT).exists() and any(
            message.to == [address] for message in mail.outbox
        )

    return condition


def test_email_queued_in_committed_transaction_is_sent_by_the_worker(celery_worker, executed_tasks):
    with transaction.atomic():
        (email,) = send_templated_email(to="jude.judge@example.org", template="invitation", context=INVITATION_CONTEXT)
        # Nothing leaves before the commit.
        assert executed_tasks == []

    wait_until(sent_to("jude.judge@example.org"), what="the worker to send the e-mail")

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jude.judge@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "[P&Q portal] You are invited to the P&Q portal as a judge"
    # The worker sends the link; the outbox keeps only the redacted text (core.sealed).
    assert message.body == email.body_text.replace(
        "[link removed: it is secret]", "http://127.0.0.1:8000/invitations/some-token/"
    )
    assert "some-token" not in email.body_text
    assert message.alternatives[0].mimetype == "text/html"
    # Run by the worker's thread from the broker's queue, not in-process.
    assert executed_tasks == [("core.tasks.deliver_email", False, False, QUEUE)]


def test_email_queued_in_rolled_back_transaction_is_never_sent(celery_worker, executed_tasks):
    with pytest.raises(RuntimeError, match="change abandoned"), transaction.atomic():
        send_templated_email(to="never@example.org", template="invitation", context=INVITATION_CONTEXT)
        raise RuntimeError("change abandoned")

    # A committed e-mail queued afterwards reaches the single worker after
    # anything queued before it, so once it is sent, the rolled-back one
    # would have been sent too, had it ever been queued.
    time.sleep(1)
    with transaction.atomic():
        send_templated_email(to="later@example.org", template="invitation", context=INVITATION_CONTEXT)
    wait_until(sent_to("later@example.org"), what="the worker to send the later e-mail")

    assert list(OutboundEmail.objects.values_list("to", "status")) == [("later@example.org", "sent")]
    assert [message.to for message in mail.outbox] == [["later@example.org"]]
    assert executed_tasks == [("core.tasks.deliver_email", False, False, QUEUE)]
