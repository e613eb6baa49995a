import logging

from celery import shared_task

from cohorts.services.reminders import send_due_reminders

logger = logging.getLogger(__name__)


@shared_task
def send_deadline_reminders() -> int:
    """Celery beat runs this once a day (CELERY_BEAT_SCHEDULE). Safe to run
    again, or in two processes at once: each reminder is sent once."""
    run = send_due_reminders()
    logger.info("deadline reminders: %s", run)
    return len(run.sent)
