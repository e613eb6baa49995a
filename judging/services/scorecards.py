"""Writes for judges' scorecards: creation, autosave of each score, comment
and overall remark (with conflict detection, as the self-assessment),
submission, the lead's unlock, withdrawal. Each state change audits itself."""

import re
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Phase
from core import audit, autosave
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from judging.models import Assignment, Scorecard, ScoreEntry
from judging.rules import judges_finalist

COMMENT_MAX_LENGTH = 10_000
ENTRY_FIELDS = ("score", "comment")
OVERALL_FIELDS = ("strengths", "improvements")
FIELD_NAMES = {
    "score": "the score",
    "comment": "the comment",
    "strengths": "the strengths",
    "improvements": "the areas to improve",
}
WHOLE_NUMBER = re.compile(r"[0-9]{1,2}")


class ScoreConflict(autosave.Conflict):
    """The stored value changed since the page was loaded (the judge saved
    it from another window or device): neither version is thrown away, the
    judge chooses."""

    def __init__(self, *, field: str, mine: str, theirs: str, at: datetime):
        message = (
            f"This was changed in another window or on another device at {timezone.localtime(at):%H:%M} "
            "while you were editing it here."
        )
        super().__init__(message, field=field, mine=mine, theirs=theirs, at=at)


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


def edit_refusal(scorecard: Scorecard, *, actor) -> str | None:
    """Why `actor` cannot change the scorecard now, or None."""
    assignment = scorecard.assignment
    cohort = assignment.cohort
    if scorecard.status == Scorecard.Status.SUBMITTED:
        when = timezone.localtime(scorecard.submitted_at, cohort.zone)
        return f"This scorecard was submitted on {when:%-d %B %Y at %H:%M} and is locked."
    if scorecard.status == Scorecard.Status.WITHDRAWN:
        return "This scorecard was withdrawn and no longer counts."
    if cohort.phase != Phase.JUDGING:
        return f"Cohort {cohort.number} is not in its judging phase, so scorecards cannot be changed."
    if (
        assignment.removed_at is not None
        or actor is None
        or actor.pk != assignment.judge_id
        or not judges_finalist(actor, assignment.enrolment)
    ):
        return "You no longer judge this finalist, so this scorecard cannot be changed."
    return None


def _locked_scorecard(pk: int) -> Scorecard:
    return (
        Scorecard.objects.select_for_update(of=("self",))
        .select_related("assignment__cohort", "assignment__enrolment__organisation", "assignment__judge")
        .get(pk=pk)
    )


def _refuse_unless_editable(scorecard: Scorecard, actor) -> None:
    refusal = edit_refusal(scorecard, actor=actor)
    if refusal:
        raise ServiceError(refusal)


# Autosave ----------------------------------------------------------------


def field_value(obj: ScoreEntry | Scorecard, field: str) -> str:
    """The stored value of one field as the page shows it (a string)."""
    if field == "score":
        return "" if obj.score is None else str(obj.score)
    return getattr(obj, field)


def _clean(field: str, value: str):
    """Check a submitted (normalised) value; return what to store."""
    if field == "score":
        if value == "":
            return None
        if not WHOLE_NUMBER.fullmatch(value) or int(value) > 10:
            raise ServiceError(f"A score is a whole number from 0 to 10; “{value[:20]}” is not.")
        return int(value)
    if len(value) > COMMENT_MAX_LENGTH:
        raise ServiceError(
            f"{FIELD_NAMES[field].capitalize()} can be at most {COMMENT_MAX_LENGTH:,} characters "
            f"(this is {len(value):,}). Nothing was lost: shorten it, and it will be saved."
        )
    return value


def _save_field(obj, *, field: str, value: str, base: str, force: bool, when: datetime) -> bool:
    """The three-way check shared by entries and overall remarks: saves
    `value` unless it is already stored, or the stored value moved away
    from `base` (ScoreConflict, unless `force`). True when it wrote."""
    strip = field == "score"
    value, base = autosave.normalise(value, strip=strip), autosave.normalise(base, strip=strip)
    cleaned = _clean(field, value)
    current = field_value(obj, field)
    if not autosave.needs_write(
        stored="" if cleaned is None else str(cleaned),
        current=current,
        base=base,
        force=force,
        conflict=lambda: ScoreConflict(field=field, mine=value, theirs=current, at=obj.updated_at),
    ):
        return False
    setattr(obj, field, cleaned)
    obj.version += 1
    obj.updated_at = when
    obj.save(update_fields=[field, "version", "updated_at"])
    return True


@transaction.atomic
def save_score(
    *, entry: ScoreEntry, field: str, value: str, base: str, actor, force: bool = False, now: datetime | None = None
) -> ScoreEntry:
    """Save the score or the comment of one criterion, as the judge types.

    `base` is the value the judge's page started from. When the stored
    value has changed since (saved from another window) the save is refused
    with ScoreConflict, unless `force` (the judge chose this version).
    Refused (ServiceError) for a score that is not a whole number 0–10, a
    comment over 10,000 characters, or a scorecard the judge cannot change.
    Side effects: the entry saved, its version raised; the scorecard's
    time of last change.
    """
    if field not in ENTRY_FIELDS:
        raise ServiceError("Unknown field.")
    scorecard = _locked_scorecard(entry.scorecard_id)
    _refuse_unless_editable(scorecard, actor)
    entry = ScoreEntry.objects.select_for_update(of=("self",)).select_related("criterion").get(pk=entry.pk)
    when = now or timezone.now()
    if _save_field(entry, field=field, value=value, base=base, force=force, when=when):
        Scorecard.objects.filter(pk=scorecard.pk).update(updated_at=when)
    return entry


@transaction.atomic
def save_overall(
    *, scorecard: Scorecard, field: str, value: str, base: str, actor, force: bool = False, now: datetime | None = None
) -> Scorecard:
    """Save the overall strengths or areas to improve, as save_score does
    for a criterion. Side effects: the scorecard saved, its version raised."""
    if field not in OVERALL_FIELDS:
        raise ServiceError("Unknown field.")
    scorecard = _locked_scorecard(scorecard.pk)
    _refuse_unless_editable(scorecard, actor)
    _save_field(scorecard, field=field, value=value, base=base, force=force, when=now or timezone.now())
    return scorecard


# Submission and unlocking --------------------------------------------------


def missing_scores(scorecard: Scorecard) -> list[str]:
    """The codes of the criteria without a score, in framework order."""
    return list(
        scorecard.entries.filter(score__isnull=True)
        .order_by("criterion__position", "criterion__code")
        .values_list("criterion__code", flat=True)
    )


@transaction.atomic
def submit(*, scorecard: Scorecard, actor, now: datetime | None = None) -> Scorecard:
    """Submit and lock the scorecard.

    Refused unless every criterion, judging-only ones included, has a score
    and the judge may still change the scorecard. Side effects: the
    scorecard locked; an audit entry with the scores.
    """
    scorecard = _locked_scorecard(scorecard.pk)
    _refuse_unless_editable(scorecard, actor)
    entries = list(scorecard.entries.select_related("criterion").order_by("criterion__position", "criterion__code"))
    missing = [entry.criterion.code for entry in entries if entry.score is None]
    if missing or not entries:
        raise ServiceError(f"Every criterion needs a score before you submit. Still to score: {', '.join(missing)}.")
    scorecard.status = Scorecard.Status.SUBMITTED
    scorecard.submitted_at = now or timezone.now()
    scorecard.save(update_fields=["status", "submitted_at"])
    audit.record(
        actor=actor,
        action="scorecard.submitted",
        obj=scorecard,
        before={"status": Scorecard.Status.DRAFT},
        after={
            "status": Scorecard.Status.SUBMITTED,
            "scores": {entry.criterion.code: entry.score for entry in entries},
        },
    )
    return scorecard


@transaction.atomic
def unlock(*, scorecard: Scorecard, actor, reason: str) -> Scorecard:
    """The lead unlocks a submitted scorecard so that the judge can change
    it. It counts in the results again only once resubmitted.

    Side effects: the scorecard back to draft; an audit entry with the
    reason; an e-mail to the judge.
    """
    scorecard = _locked_scorecard(scorecard.pk)
    reason = reason.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not reason:
        raise ServiceError("Give a reason for unlocking the scorecard: the judge is told.")
    if scorecard.status != Scorecard.Status.SUBMITTED:
        raise ServiceError("This scorecard is not submitted, so there is nothing to unlock.")
    assignment = scorecard.assignment
    cohort = assignment.cohort
    if cohort.phase != Phase.JUDGING:
        raise ServiceError(f"Scorecards can be unlocked only while cohort {cohort.number} is in its judging phase.")
    submitted_at = scorecard.submitted_at
    scorecard.status = Scorecard.Status.DRAFT
    scorecard.submitted_at = None
    scorecard.save(update_fields=["status", "submitted_at"])
    audit.record(
        actor=actor,
        action="scorecard.unlocked",
        obj=scorecard,
        before={
            "status": Scorecard.Status.SUBMITTED,
            "submitted_at": submitted_at.isoformat() if submitted_at else None,
        },
        after={"status": Scorecard.Status.DRAFT},
        note=reason,
    )
    deadline = cohort.judging_deadline
    send_templated_email(
        to=assignment.judge.email,
        template="scorecard_unlocked",
        context={
            "judge": assignment.judge,
            "organisation": assignment.enrolment.organisation,
            "cohort": cohort,
            "reason": reason,
            "deadline": deadline.astimezone(cohort.zone) if deadline else None,
            "url": absolute_url(scorecard_url(assignment)),
        },
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


def scorecard_url(assignment: Assignment) -> str:
    return reverse("judging:scorecard", kwargs={"assignment_pk": assignment.pk})
