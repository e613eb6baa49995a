"""Writes for judges' scorecards. Each state change audits itself."""

from django.db import transaction
from django.utils import timezone

from cohorts.models import Assignment
from core import audit

from ..models import Scorecard, ScoreEntry


@transaction.atomic
def ensure_scorecard(*, assignment: Assignment) -> Scorecard:
    """The assignment's scorecard, with an entry per criterion of the
    cohort's framework (judging-only ones included). Idempotent."""
    scorecard, _ = Scorecard.objects.get_or_create(assignment=assignment)
    existing = set(scorecard.entries.values_list("criterion_id", flat=True))
    criteria = assignment.cohort.framework.criteria.order_by("position", "code")
    ScoreEntry.objects.bulk_create(
        ScoreEntry(scorecard=scorecard, criterion=criterion) for criterion in criteria if criterion.pk not in existing
    )
    return scorecard


@transaction.atomic
def withdraw_scorecard(*, scorecard: Scorecard, reason: str, actor) -> Scorecard:
    """Take a scorecard out of the results for good (the judge declared a
    conflict with the finalist, or left the panel). It is kept, marked
    withdrawn, so the lead can see what happened.

    Side effects: the scorecard withdrawn; an audit entry with the reason.
    """
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.status == Scorecard.Status.WITHDRAWN:
        return scorecard
    before = scorecard.status
    scorecard.status = Scorecard.Status.WITHDRAWN
    scorecard.withdrawn_at = timezone.now()
    scorecard.withdrawal_reason = reason
    scorecard.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    audit.record(
        actor=actor,
        action="scorecard.withdrawn",
        obj=scorecard,
        before={"status": before},
        after={"status": scorecard.status},
        note=reason,
    )
    return scorecard
