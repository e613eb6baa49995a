"""Writes for an organisation's self-assessment: autosave of each answer
(with conflict detection), submission, reopening. Each state change audits
itself."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import KPIValue, Response, SelfAssessment
from cohorts.models import Enrolment, EnrolmentStatus, Phase
from cohorts.services.programme import submission_refusal
from core import audit, autosave
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from frameworks.models import KPI, Criterion
from organisations.models import Membership

NARRATIVE_MAX_LENGTH = 20_000
KPI_MAX_DIGITS = 10  # before the decimal point


class SaveConflict(autosave.Conflict):
    """A colleague saved a different value for the same field since the
    page was loaded: neither version is thrown away, the person chooses."""

    def __init__(self, *, field: str, mine: str, theirs: str, by, at: datetime):
        who = by.get_full_name() if by else "A colleague"
        message = f"{who} changed this at {timezone.localtime(at):%H:%M} while you were editing it."
        super().__init__(message, field=field, mine=mine, theirs=theirs, at=at)
        self.by = by


def assessed_criteria(framework) -> list[Criterion]:
    """The criteria an organisation assesses itself on: all but judging-only."""
    return list(framework.criteria.filter(judging_only=False).order_by("position", "code"))


@transaction.atomic
def ensure_assessment(*, enrolment: Enrolment) -> SelfAssessment:
    """The enrolment's self-assessment, with an answer row per criterion.

    Side effects: creates what is missing (idempotent).
    """
    framework = enrolment.cohort.framework
    if framework is None:
        raise ServiceError(f"Cohort {enrolment.cohort.number} has no framework yet: ask the programme lead.")
    assessment, _ = SelfAssessment.objects.get_or_create(enrolment=enrolment)
    existing = set(assessment.responses.values_list("criterion_id", flat=True))
    Response.objects.bulk_create(
        Response(assessment=assessment, criterion=criterion)
        for criterion in assessed_criteria(framework)
        if criterion.pk not in existing
    )
    return assessment


def edit_refusal(assessment: SelfAssessment, *, now: datetime | None = None) -> str | None:
    """Why the organisation cannot change its self-assessment now, or None."""
    if assessment.is_locked:
        when = timezone.localtime(assessment.submitted_at)
        return f"This self-assessment was submitted on {when:%-d %B %Y at %H:%M} and is locked."
    return submission_refusal(assessment.enrolment, now=now)


# Autosave ----------------------------------------------------------------


def field_value(response: Response, field: str) -> str:
    """The stored value of one field as the page shows it (a string)."""
    if field == "level":
        return str(response.level) if response.level else ""
    if field == "narrative":
        return response.narrative
    kpi_id = _kpi_id(field)
    value = next((v.value for v in response.kpi_values.all() if v.kpi_id == kpi_id), None)
    return format_kpi(value)


def format_kpi(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def _kpi_id(field: str) -> int:
    try:
        prefix, number = field.split("_", 1)
        if prefix != "kpi":
            raise ValueError
        return int(number)
    except ValueError as error:
        raise ServiceError("Unknown field.") from error


def _clean(response: Response, field: str, value: str):
    """Check a submitted value; return what to store."""
    if field == "level":
        if value == "":
            return None
        if value not in {"1", "2", "3", "4", "5"}:
            raise ServiceError("Choose a maturity level from 1 to 5.")
        return int(value)
    if field == "narrative":
        if len(value) > NARRATIVE_MAX_LENGTH:
            raise ServiceError(
                f"The evidence narrative can be at most {NARRATIVE_MAX_LENGTH:,} characters "
                f"(this is {len(value):,}). Nothing was lost: shorten it, and it will be saved."
            )
        return value
    if value == "":
        return None
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation as error:
        raise ServiceError(f"“{value[:40]}” is not a number.") from error
    if not number.is_finite() or abs(number) >= Decimal(10) ** KPI_MAX_DIGITS:
        raise ServiceError(f"“{value[:40]}” is not a number we can store.")
    return number.quantize(Decimal("0.0001"))


@transaction.atomic
def save_answer(
    *, response: Response, field: str, value: str, base: str, actor, force: bool = False, now: datetime | None = None
) -> Response:
    """Save one field of one answer, as a member types.

    `base` is the value the member's page started from. When the stored
    value has changed since (a colleague saved something else) the save is
    refused with SaveConflict, unless `force` (the member chose to keep
    their version). Side effects: the answer saved, its version raised.
    """
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("assessment__enrolment__cohort", "criterion", "updated_by")
        .prefetch_related("kpi_values")
        .get(pk=response.pk)
    )
    refusal = edit_refusal(response.assessment, now=now)
    if refusal:
        raise ServiceError(refusal)
    if field not in ("level", "narrative"):
        kpi_id = _kpi_id(field)
        if not KPI.objects.filter(pk=kpi_id, criterion=response.criterion).exists():
            raise ServiceError("Unknown field.")
    strip = field != "narrative"
    value, base = autosave.normalise(value, strip=strip), autosave.normalise(base, strip=strip)
    cleaned = _clean(response, field, value)
    current = field_value(response, field)
    if not autosave.needs_write(
        stored=format_kpi(cleaned) if field.startswith("kpi_") else ("" if cleaned is None else str(cleaned)),
        current=current,
        base=base,
        force=force,
        conflict=lambda: SaveConflict(
            field=field, mine=value, theirs=current, by=response.updated_by, at=response.updated_at
        ),
    ):
        return response
    if field == "level":
        response.level = cleaned
    elif field == "narrative":
        response.narrative = cleaned
    else:
        KPIValue.objects.update_or_create(response=response, kpi_id=_kpi_id(field), defaults={"value": cleaned})
    response.version += 1
    response.updated_by = actor
    response.updated_at = now or timezone.now()
    response.save(update_fields=["level", "narrative", "version", "updated_by", "updated_at"])
    return response


# Progress --------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def completeness(responses) -> dict[str, Progress]:
    """Answers with a level and a narrative, per pillar ("P", "Q") and overall ("all")."""
    counts = {"P": [0, 0], "Q": [0, 0], "all": [0, 0]}
    for response in responses:
        for key in (response.criterion.pillar, "all"):
            counts[key][1] += 1
            counts[key][0] += int(response.is_complete)
    return {key: Progress(done, total) for key, (done, total) in counts.items()}


# Submission ----------------------------------------------------------------


def _member_emails(enrolment: Enrolment) -> list[str]:
    return list(
        Membership.objects.active().filter(organisation=enrolment.organisation).values_list("user__email", flat=True)
    )


@transaction.atomic
def submit(*, assessment: SelfAssessment, actor, now: datetime | None = None) -> SelfAssessment:
    """Submit and lock the self-assessment.

    Refused unless every criterion that is not judging-only has a level and
    a narrative, and the deadline (or the organisation's extension) has not
    passed. Side effects: the assessment locked; the enrolment marked
    submitted; an audit entry; a receipt e-mail to every member.
    """
    assessment = (
        SelfAssessment.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort", "enrolment__organisation")
        .get(pk=assessment.pk)
    )
    refusal = edit_refusal(assessment, now=now)
    if refusal:
        raise ServiceError(refusal)
    responses = list(assessment.responses.select_related("criterion"))
    missing = [r.criterion.code for r in responses if not r.is_complete]
    if missing or not responses:
        raise ServiceError(
            "Every criterion needs a maturity level and an evidence narrative before you submit. "
            f"Still to do: {', '.join(missing)}."
        )
    assessment.status = SelfAssessment.Status.SUBMITTED
    assessment.submitted_at = now or timezone.now()
    assessment.submitted_by = actor
    assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
    enrolment = assessment.enrolment
    enrolment.status = EnrolmentStatus.SUBMITTED
    enrolment.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="assessment.submitted",
        obj=assessment,
        before={"status": SelfAssessment.Status.DRAFT},
        after={"status": SelfAssessment.Status.SUBMITTED},
    )
    send_templated_email(
        to=_member_emails(enrolment),
        template="assessment_submitted",
        context={
            "assessment": assessment,
            "organisation": enrolment.organisation,
            "cohort": enrolment.cohort,
            "submitted_by": actor,
            "submitted_at": assessment.submitted_at,
            "url": absolute_url(assessment_url(assessment)),
        },
    )
    return assessment


@transaction.atomic
def reopen(*, assessment: SelfAssessment, actor, reason: str) -> SelfAssessment:
    """The lead unlocks a submitted self-assessment so that the organisation
    can change it.

    Side effects: the assessment back to draft, with when, by whom and why
    (reopened_at, reopened_by, reopen_reason); the enrolment back to
    enrolled; an audit entry with the reason; an e-mail to every member.
    """
    assessment = (
        SelfAssessment.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort", "enrolment__organisation")
        .get(pk=assessment.pk)
    )
    reason = reason.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not reason:
        raise ServiceError("Give a reason for reopening the self-assessment.")
    if not assessment.is_locked:
        raise ServiceError("This self-assessment is not submitted, so there is nothing to reopen.")
    enrolment = assessment.enrolment
    if enrolment.cohort.phase not in (Phase.SELF_ASSESSMENT, Phase.SHORTLISTING) or enrolment.status not in (
        EnrolmentStatus.SUBMITTED,
    ):
        raise ServiceError("Self-assessments can be reopened only until the finalists are chosen.")
    assessment.status = SelfAssessment.Status.DRAFT
    assessment.reopened_at = timezone.now()
    assessment.reopened_by = actor if actor is not None and actor.is_authenticated else None
    assessment.reopen_reason = reason
    assessment.save(update_fields=["status", "reopened_at", "reopened_by", "reopen_reason"])
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="assessment.reopened",
        obj=assessment,
        before={"status": SelfAssessment.Status.SUBMITTED},
        after={"status": SelfAssessment.Status.DRAFT},
        note=reason,
    )
    send_templated_email(
        to=_member_emails(enrolment),
        template="assessment_reopened",
        context={
            "assessment": assessment,
            "organisation": enrolment.organisation,
            "cohort": enrolment.cohort,
            "reason": reason,
            "deadline_note": submission_refusal(enrolment),
            "url": absolute_url(assessment_url(assessment)),
        },
    )
    return assessment


def assessment_url(assessment: SelfAssessment) -> str:
    return reverse("assessments:overview", kwargs={"pk": assessment.pk})
