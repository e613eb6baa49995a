"""E-mail delivery through the real broker (Redis) and a real Celery worker.

The worker runs in a thread of this process (celery.contrib.testing), with
its own database connection, so the tests use a transactional database:
what the test commits is what the worker sees, as in production.
"""

import os
import threading
import time
from collections.abc import Callable

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connections, transaction

from core.models import OutboundEmail
from core.notifications import send_templated_email
from pq_portal.celery import app as celery_app

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        os.environ.get("PQ_INTEGRATION") != "1",
        reason="needs Redis as the Celery broker: run with PQ_INTEGRATION=1 and CELERY_BROKER_URL (CI's second pass)",
    ),
]

DELIVERY_TIMEOUT = 20.0

INVITATION_CONTEXT = {
    "role_phrase": "a judge",
    "organisation": None,
    "inviter": None,
    "accept_url": "http://127.0.0.1:8000/invitations/some-token/",
    "expires_at": None,
}


def wait_until(condition: Callable[[], bool], *, timeout: float = DELIVERY_TIMEOUT, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Gave up after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def executed_tasks():
    """(task name, eager?, ran on the test's own thread?, broker queue) of
    every task run while the test runs."""
    runs = []

    def on_prerun(sender=None, task=None, **kwargs):
        delivery_info = task.request.delivery_info or {}
        runs.append(
            (
                task.name,
                bool(task.request.is_eager),
                threading.current_thread() is threading.main_thread(),
                delivery_info.get("routing_key"),
            )
        )

    signals.task_prerun.connect(on_prerun, weak=False)
    yield runs
    signals.task_prerun.disconnect(on_prerun)


@pytest.fixture
def celery_worker(transactional_db):
    """A worker consuming from the Redis broker named by CELERY_BROKER_URL."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "PQ_INTEGRATION=1 needs CELERY_BROKER_URL=redis://…"
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    # Messages left behind by an interrupted earlier run must not be delivered here.
    celery_app.control.purge()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = was_eager
        # The worker thread opened its own connection; close it so that the
        # test database can be flushed and dropped.
        connections.close_all()


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
    assert message.subject == "You are invited to the P&Q portal as a judge"
    assert message.body == email.body_text
    assert "http://127.0.0.1:8000/invitations/some-token/" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    # Run by the worker's thread from the broker's queue, not in-process.
    assert executed_tasks == [("core.tasks.deliver_email", False, False, "celery")]


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
    assert executed_tasks == [("core.tasks.deliver_email", False, False, "celery")]
