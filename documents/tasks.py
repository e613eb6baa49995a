"""Celery jobs that make documents. Each takes a document id and calls
documents.jobs; see there for why running one twice stores one file."""

import logging

from celery import shared_task
from django.db import DatabaseError

from documents import jobs

logger = logging.getLogger(__name__)

# Worth another try: a full or busy disk, a database that dropped the connection.
TRANSIENT = (OSError, DatabaseError)
MAX_RETRIES = 3


def retry_delay(retries: int) -> int:
    """10 s, 30 s, 90 s."""
    return 10 * 3**retries


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True, reject_on_worker_lost=True)
def render_document(self, *, document_id: int) -> str:
    """Make document `document_id`. Returns its status, for logs and tests."""
    task_id = self.request.id or ""
    document = jobs.claim(document_id, task_id)
    if document is None:
        return "skipped"
    try:
        content = jobs.build(jobs.load(document_id))
        stored = jobs.store(document, task_id, content)
    except TRANSIENT as exc:
        reason = jobs.describe(exc)
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            jobs.fail(document_id, f"Could not be made after {self.request.retries + 1} tries: {reason}")
            logger.error("render_document %s failed for good: %s", document_id, reason)
            return "failed"
        jobs.requeue(document_id, f"Trying again after: {reason}")
        raise self.retry(countdown=retry_delay(self.request.retries), exc=exc) from exc
    except Exception as exc:  # a fault in the document itself: record it for the lead, do not retry
        logger.exception("render_document %s failed", document_id)
        jobs.fail(document_id, jobs.describe(exc))
        return "failed"
    return "done" if stored else "skipped"
