"""Data retention: evidence files and drafts that were never submitted are
kept for `Cohort.retention_days` after the cohort closes, then deleted.

A cohort's closing date is Cohort.closed_at, which the phase move into
"closed" sets and a move back clears, so that moving it back to results and
closing it again starts the period afresh. Celery beat runs `purge_expired_data` daily
(CELERY_BEAT_SCHEDULE); each cohort is purged in its own transaction, and
running it twice deletes nothing more.

Kept for good: submitted self-assessments (without their evidence files),
scorecards that were submitted or withdrawn, results and certificates: the
record of what was awarded.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from assessments.models import EvidenceFile, SelfAssessment
from cohorts.models import Cohort, Phase
from core import audit
from judging.models import Scorecard

logger = logging.getLogger(__name__)


def closed_at(cohort: Cohort) -> datetime | None:
    """When the cohort last moved into the closed phase; None when it is
    not closed."""
    if cohort.phase != Phase.CLOSED:
        return None
    return cohort.closed_at


def purge_due_at(cohort: Cohort) -> datetime | None:
    """When the cohort's evidence files and drafts are due for deletion."""
    closed = closed_at(cohort)
    return closed + timedelta(days=cohort.retention_days) if closed else None


def _evidence_facts(evidence: EvidenceFile) -> dict:
    return {
        "criterion": evidence.response.criterion.code,
        "file": evidence.original_name,
        "size": evidence.size,
        "uploaded_at": evidence.uploaded_at.isoformat(),
    }


@transaction.atomic
def purge_cohort(*, cohort: Cohort, now: datetime | None = None) -> dict[str, int]:
    """Delete the closed cohort's evidence files and unsubmitted drafts when
    its retention period has run out (otherwise nothing).

    Side effects: every evidence file of the cohort (rows now, stored files
    after commit); every self-assessment still in draft (its answers, KPI
    values and files) and every scorecard still in progress (its scores and
    comments); one audit entry per deletion ("retention.evidence_deleted",
    "retention.draft_deleted", "retention.scorecard_deleted"), by the system.
    Returns how many of each were deleted.
    """
    now = now or timezone.now()
    counts = {"evidence_files": 0, "draft_assessments": 0, "draft_scorecards": 0}
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    due = purge_due_at(cohort)
    if due is None or due > now:
        return counts
    note = f"Kept {cohort.retention_days} days after the cohort closed; deleted on schedule."

    evidence = list(
        EvidenceFile.objects.filter(response__assessment__enrolment__cohort=cohort).select_related(
            "response__criterion", "response__assessment__enrolment__organisation"
        )
    )
    stored = [(item.file.storage, item.file.name) for item in evidence]
    for item in evidence:
        audit.record(
            actor=None,
            action="retention.evidence_deleted",
            obj=item.response.assessment,
            before=_evidence_facts(item),
            note=note,
        )
    EvidenceFile.objects.filter(pk__in=[item.pk for item in evidence]).delete()
    counts["evidence_files"] = len(evidence)
    transaction.on_commit(lambda: _delete_stored(stored))

    drafts = SelfAssessment.objects.filter(enrolment__cohort=cohort, status=SelfAssessment.Status.DRAFT).select_related(
        "enrolment__organisation", "enrolment__cohort"
    )
    for assessment in drafts:
        answered = assessment.responses.exclude(level__isnull=True, narrative="").count()
        audit.record(
            actor=None,
            action="retention.draft_deleted",
            obj=assessment,
            before={"organisation": assessment.enrolment.organisation.name, "answers": answered},
            note=note,
        )
        assessment.delete()
        counts["draft_assessments"] += 1

    scorecards = Scorecard.objects.filter(assignment__cohort=cohort, status=Scorecard.Status.DRAFT).select_related(
        "assignment__judge", "assignment__enrolment__organisation"
    )
    for scorecard in scorecards:
        audit.record(
            actor=None,
            action="retention.scorecard_deleted",
            obj=scorecard.assignment,
            before={
                "judge": scorecard.assignment.judge.email,
                "finalist": scorecard.assignment.enrolment.organisation.name,
                "scores": scorecard.entries.exclude(score__isnull=True).count(),
            },
            note=note,
        )
        scorecard.delete()
        counts["draft_scorecards"] += 1
    return counts


def _delete_stored(stored) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Retention: could not delete the stored file %s", name)


def purge_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Purge every closed cohort whose retention period has run out; each
    cohort in its own transaction. Returns the totals."""
    now = now or timezone.now()
    totals = {"cohorts": 0, "evidence_files": 0, "draft_assessments": 0, "draft_scorecards": 0}
    for cohort in Cohort.objects.filter(phase=Phase.CLOSED).order_by("number"):
        due = purge_due_at(cohort)
        if due is None:
            logger.warning("Retention: cohort %s is closed but its closing is not in the audit trail", cohort.number)
            continue
        if due > now:
            continue
        counts = purge_cohort(cohort=cohort, now=now)
        if any(counts.values()):
            totals["cohorts"] += 1
            for key, value in counts.items():
                totals[key] += value
    return totals


@shared_task
def purge_expired_data() -> dict[str, int]:
    """Celery beat's daily retention run (idempotent)."""
    totals = purge_expired()
    if totals["cohorts"]:
        logger.info("Retention: %s", totals)
    return totals
