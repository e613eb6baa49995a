"""Making one document: claim the job, render, store the file, record the
outcome. documents.tasks wraps this in a Celery task.

Idempotent: a document that is done is left alone, and the file has one
name per document, overwritten when made again, so running a job twice
stores one file. A worker that dies mid-job hands the message back
(acks late, rejected on worker loss) and the redelivered job, carrying the
same task id, takes the document over; a job stuck longer than the time
limit may be taken over by any worker.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from documents import reports
from documents.certificates import certificate_pdf
from documents.models import STALE_AFTER, Document

logger = logging.getLogger(__name__)


def claim(document_id: int, task_id: str) -> Document | None:
    """Mark the document running for `task_id`, or None if there is nothing
    for this job to do (gone, done, failed, or another live job has it)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status in (Document.Status.DONE, Document.Status.FAILED):
            return None
        now = timezone.now()
        if (
            document.status == Document.Status.RUNNING
            and document.task_id
            and document.task_id != task_id
            and document.started_at
            and document.started_at > now - STALE_AFTER
        ):
            return None
        document.status = Document.Status.RUNNING
        document.task_id = task_id or ""
        document.started_at = now
        document.attempts += 1
        document.save(update_fields=["status", "task_id", "started_at", "attempts"])
    return document


def build(document: Document) -> bytes:
    """The PDF of `document`, by its kind."""
    if document.kind == Document.Kind.CERTIFICATE:
        return certificate_pdf(document.certificate)
    if document.kind == Document.Kind.AWARD_REPORT:
        return reports.award_report_pdf(document.snapshot)
    return reports.feedback_report_pdf(document.snapshot, document.enrolment)


def file_name(document: Document) -> str:
    """One stable name per document, under MEDIA_ROOT/documents/."""
    safe_key = document.key.replace(":", "-")
    return document.file.field.generate_filename(document, f"cohort-{document.cohort.number}/{safe_key}.pdf")


def store(document: Document, task_id: str, content: bytes) -> bool:
    """Save the file and mark the document done, unless another job has
    taken it over meanwhile."""
    with transaction.atomic():
        current = Document.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=document.pk)
        if current.status != Document.Status.RUNNING or current.task_id != (task_id or ""):
            return False
        name = file_name(current)
        storage = current.file.storage
        if current.file.name and current.file.name != name:
            storage.delete(current.file.name)
        storage.delete(name)  # overwrite: never a second copy beside it
        current.file.save(name.removeprefix("documents/"), ContentFile(content), save=False)
        current.status = Document.Status.DONE
        current.size = len(content)
        current.error = ""
        current.finished_at = timezone.now()
        current.save(update_fields=["file", "status", "size", "error", "finished_at"])
    return True


def fail(document_id: int, reason: str) -> None:
    Document.objects.filter(pk=document_id).update(
        status=Document.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def requeue(document_id: int, reason: str) -> None:
    """Back to the queue after a transient failure, to be tried again."""
    Document.objects.filter(pk=document_id).update(status=Document.Status.QUEUED, error=reason[:2000])


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def load(document_id: int) -> Document:
    return Document.objects.select_related("cohort", "certificate", "snapshot", "enrolment__organisation").get(
        pk=document_id
    )
