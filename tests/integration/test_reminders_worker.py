"""The daily reminder run through the real broker (Redis) and a real Celery
worker, as Celery beat sends it: the worker runs the job, which claims each
reminder and queues its e-mail for the worker too; a second run sends
nothing."""

import os
from datetime import timedelta

import pytest
from celery import signals
from django.core import mail
from django.utils import timezone

from cohorts.models import Milestone, Reminder
from cohorts.tasks import send_deadline_reminders
from core.models import OutboundEmail
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_member
from tests.integration.conftest import QUEUE, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        os.environ.get("PQ_INTEGRATION") != "1",
        reason="needs Redis as the Celery broker: run with PQ_INTEGRATION=1 and CELERY_BROKER_URL (CI's second pass)",
    ),
]

REMINDER_TASK = "cohorts.tasks.send_deadline_reminders"
DELIVERY_TASK = "core.tasks.deliver_email"


def runs_of(executed, name) -> list[tuple]:
    return [run for run in executed if run[0] == name]


@pytest.fixture
def finished_tasks():
    """The name of every task that finished while the test runs."""
    names = []

    def on_postrun(sender=None, task=None, **kwargs):
        names.append(task.name)

    signals.task_postrun.connect(on_postrun, weak=False)
    yield names
    signals.task_postrun.disconnect(on_postrun)


def test_the_reminder_run_goes_through_the_worker_and_sends_once(celery_worker, executed_tasks, finished_tasks):
    cohort = make_cohort(number=3, phase="self_assessment", name="Water industry")
    deadline = timezone.localdate() + timedelta(days=7)
    Milestone.objects.filter(cohort=cohort, kind="self_assessment_deadline").update(date=deadline)
    severn = OrganisationFactory(name="Severn Water")
    make_member(email="amy@severn.example", organisation=severn)
    EnrolmentFactory(cohort=cohort, organisation=severn)

    send_deadline_reminders.delay()

    wait_until(
        lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 1 and len(mail.outbox) == 1,
        what="the worker to run the reminders and send the e-mail",
    )
    [reminder] = Reminder.objects.all()
    assert (reminder.recipient.email, reminder.key) == (
        "amy@severn.example",
        f"self_assessment_deadline:{deadline.isoformat()}:7",
    )
    assert mail.outbox[0].subject == (
        "[P&Q portal] Reminder: Severn Water's self-assessment for cohort 3 is due in 7 days"
    )
    # Both jobs ran in the worker's thread from the broker's queue, not in-process.
    assert runs_of(executed_tasks, REMINDER_TASK) == [(REMINDER_TASK, False, False, QUEUE)]
    assert runs_of(executed_tasks, DELIVERY_TASK) == [(DELIVERY_TASK, False, False, QUEUE)]

    # Beat fires again the same day: the job runs, and nothing more is sent.
    send_deadline_reminders.delay()
    wait_until(lambda: finished_tasks.count(REMINDER_TASK) == 2, what="the second run to finish")
    assert Reminder.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1
