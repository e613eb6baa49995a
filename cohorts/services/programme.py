"""Writes for cohorts: creation, the timeline, phase moves, enrolment,
withdrawal and deadline extensions. Each one audits itself."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from cohorts import timeline
from cohorts.models import PHASE_ORDER, Cohort, Enrolment, EnrolmentStatus, Milestone, Phase
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from frameworks.models import Framework
from organisations.models import Membership, Organisation

COHORT_FIELDS = (
    "number",
    "name",
    "sponsor",
    "signatory_name",
    "signatory_title",
    "start_date",
    "time_zone",
    "framework",
    "judges_per_finalist",
    "normalise_scores",
    "pass_threshold",
    "distinction_threshold",
    "retention_days",
)
ENROLLING_PHASES = (Phase.DRAFT, Phase.ENROLMENT, Phase.SELF_ASSESSMENT)


def _state(obj, fields) -> dict:
    values = {}
    for field in fields:
        value = getattr(obj, field)
        if isinstance(value, models.Model):
            value = str(value)
        elif isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = f"{value:.2f}"
        values[field] = value
    return values


@transaction.atomic
def create_cohort(*, actor, **fields) -> Cohort:
    """Side effects: the cohort (in draft), its default six-month timeline, an audit entry."""
    if Cohort.objects.filter(number=fields["number"]).exists():
        raise ServiceError(f"Cohort {fields['number']} already exists.")
    if "framework" not in fields:
        fields["framework"] = Framework.objects.order_by("-version").first()
    cohort = Cohort.objects.create(**fields)
    _lay_out_default_timeline(cohort)
    audit.record(actor=actor, action="cohort.created", obj=cohort, after=_state(cohort, COHORT_FIELDS))
    return cohort


@transaction.atomic
def update_cohort(*, cohort: Cohort, actor, **fields) -> Cohort:
    """Side effects: the changed fields saved; an audit entry with the before and after of what changed."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    before = _state(cohort, COHORT_FIELDS)
    for name, value in fields.items():
        setattr(cohort, name, value)
    after = _state(cohort, COHORT_FIELDS)
    changed = [name for name in COHORT_FIELDS if before[name] != after[name]]
    if not changed:
        return cohort
    if cohort.phase == Phase.CLOSED and set(changed) != {"retention_days"}:
        raise ServiceError(
            f"Cohort {cohort.number} is closed: its settings can no longer change, "
            "only how long its evidence and drafts are kept."
        )
    if (
        "framework" in changed
        and before["framework"] is not None
        and cohort.phase not in (Phase.DRAFT, Phase.ENROLMENT)
    ):
        raise ServiceError("The cohort keeps the framework version it started self-assessment with.")
    if "number" in changed and Cohort.objects.filter(number=cohort.number).exclude(pk=cohort.pk).exists():
        raise ServiceError(f"Cohort {cohort.number} already exists.")
    cohort.save()
    audit.record(
        actor=actor,
        action="cohort.updated",
        obj=cohort,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return cohort


def _lay_out_default_timeline(cohort: Cohort) -> None:
    Milestone.objects.bulk_create(
        Milestone(cohort=cohort, kind=planned.kind, title=planned.title, date=planned.on)
        for planned in timeline.default_timeline(cohort.start_date)
    )


@transaction.atomic
def reset_timeline(*, cohort: Cohort, actor) -> None:
    """Replace every milestone with the default timeline from the start date.

    Side effects: milestones replaced; an audit entry listing the old ones.
    """
    before = [{"title": m.title, "date": m.date.isoformat()} for m in cohort.milestones.all()]
    cohort.milestones.all().delete()
    _lay_out_default_timeline(cohort)
    after = [{"title": m.title, "date": m.date.isoformat()} for m in cohort.milestones.all()]
    audit.record(
        actor=actor, action="timeline.reset", obj=cohort, before={"milestones": before}, after={"milestones": after}
    )


@transaction.atomic
def save_milestone(*, cohort: Cohort, actor, milestone: Milestone | None = None, **fields) -> Milestone:
    """Add a milestone, or move or rename one.

    Side effects: the milestone saved; an audit entry.
    """
    kind = fields.get("kind", milestone.kind if milestone else Milestone.Kind.OTHER)
    if kind in timeline.DEADLINE_KINDS:
        clash = cohort.milestones.filter(kind=kind)
        if milestone is not None:
            clash = clash.exclude(pk=milestone.pk)
        if clash.exists():
            raise ServiceError(f"The cohort already has a {Milestone.Kind(kind).label.lower()}: move that one instead.")
    _check_deadline_order(cohort, kind, fields.get("date", milestone.date if milestone else None))
    if milestone is None:
        milestone = Milestone.objects.create(cohort=cohort, **fields)
        audit.record(
            actor=actor,
            action="milestone.added",
            obj=cohort,
            after={"title": milestone.title, "kind": milestone.kind, "date": milestone.date.isoformat()},
        )
        return milestone
    before = {"title": milestone.title, "kind": milestone.kind, "date": milestone.date.isoformat()}
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.save()
    after = {"title": milestone.title, "kind": milestone.kind, "date": milestone.date.isoformat()}
    if before != after:
        audit.record(actor=actor, action="milestone.changed", obj=cohort, before=before, after=after)
    return milestone


def _check_deadline_order(cohort: Cohort, kind: str, day: date | None) -> None:
    """The self-assessment deadline must come before the judging deadline."""
    if day is None or kind not in timeline.DEADLINE_KINDS:
        return
    if kind == timeline.SELF_ASSESSMENT_DEADLINE:
        judging = cohort.milestones.filter(kind=timeline.JUDGING_DEADLINE).first()
        if judging and day >= judging.date:
            raise ServiceError(
                f"The self-assessment deadline must come before the judging deadline ({judging.date:%-d %B %Y})."
            )
    else:
        own = cohort.milestones.filter(kind=timeline.SELF_ASSESSMENT_DEADLINE).first()
        if own and day <= own.date:
            raise ServiceError(
                f"The judging deadline must come after the self-assessment deadline ({own.date:%-d %B %Y})."
            )


@transaction.atomic
def remove_milestone(*, milestone: Milestone, actor) -> None:
    """Side effects: the milestone deleted; an audit entry. The two deadlines
    cannot be removed, only moved: the rules of the cohort depend on them."""
    if milestone.is_deadline:
        raise ServiceError(f"The {milestone.get_kind_display().lower()} cannot be removed; move it instead.")
    audit.record(
        actor=actor,
        action="milestone.removed",
        obj=milestone.cohort,
        before={"title": milestone.title, "kind": milestone.kind, "date": milestone.date.isoformat()},
    )
    milestone.delete()


# Phase moves ---------------------------------------------------------------


@dataclass(frozen=True)
class PhaseMove:
    to: str
    forward: bool
    blockers: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def label(self) -> str:
        return Phase(self.to).label


def _guard_enrolment(cohort: Cohort, now: datetime) -> list[str]:
    problems = []
    if cohort.self_assessment_deadline is None:
        problems.append("The timeline needs a self-assessment deadline.")
    return problems


def _guard_self_assessment(cohort: Cohort, now: datetime) -> list[str]:
    problems = []
    if cohort.framework_id is None:
        problems.append("Choose the framework version the cohort assesses against.")
    if not cohort.enrolments.filter(status=EnrolmentStatus.ENROLLED).exists():
        problems.append("No organisation is enrolled yet.")
    deadline = cohort.self_assessment_deadline
    if deadline is None:
        problems.append("The timeline needs a self-assessment deadline.")
    elif deadline <= now:
        problems.append(
            f"The self-assessment deadline ({_when(deadline)}) has already passed: move it to a later date first."
        )
    return problems


def _guard_shortlisting(cohort: Cohort, now: datetime) -> list[str]:
    problems = []
    deadline = cohort.self_assessment_deadline
    if deadline is not None and deadline > now:
        problems.append(f"The self-assessment deadline ({_when(deadline)}) has not passed yet.")
    running = [
        enrolment.organisation.name
        for enrolment in cohort.enrolments.active().select_related("organisation")
        if enrolment.extension_until and timeline.deadline_at(enrolment.extension_until, cohort.time_zone) > now
    ]
    if running:
        problems.append(f"Extensions are still running for: {', '.join(running)}.")
    return problems


def _guard_closed(cohort: Cohort, now: datetime) -> list[str]:
    return []


# What must be true to move forward INTO each phase. The apps above cohorts
# add their own checks with `register_phase_guard` when they load (judging:
# finalists and a complete assignment plan; results: finalised results), so
# that cohorts need not know them.
FORWARD_GUARDS: dict[str, list[Callable[[Cohort, datetime], list[str]]]] = {
    Phase.ENROLMENT: [_guard_enrolment],
    Phase.SELF_ASSESSMENT: [_guard_self_assessment],
    Phase.SHORTLISTING: [_guard_shortlisting],
    Phase.JUDGING: [],
    Phase.RESULTS: [],
    Phase.CLOSED: [_guard_closed],
}


def register_phase_guard(phase: str, guard: Callable[[Cohort, datetime], list[str]]) -> None:
    """Add a check for moving forward into `phase`: `guard(cohort, now)`
    returns what blocks the move, in words for the lead (empty: nothing)."""
    if guard not in FORWARD_GUARDS[phase]:
        FORWARD_GUARDS[phase].append(guard)


def _blockers(cohort: Cohort, phase: str, now: datetime) -> tuple[str, ...]:
    return tuple(problem for guard in FORWARD_GUARDS[phase] for problem in guard(cohort, now))


def _when(moment: datetime) -> str:
    return f"{moment:%H:%M on %-d %B %Y}"


def phase_moves(cohort: Cohort, *, now: datetime | None = None) -> list[PhaseMove]:
    """The moves open from the cohort's phase: the next one (with what blocks
    it) and one step back."""
    now = now or timezone.now()
    index = PHASE_ORDER.index(cohort.phase)
    moves = []
    if index + 1 < len(PHASE_ORDER):
        to = PHASE_ORDER[index + 1]
        moves.append(PhaseMove(to=to, forward=True, blockers=_blockers(cohort, to, now)))
    if index > 0:
        moves.append(PhaseMove(to=PHASE_ORDER[index - 1], forward=False, blockers=()))
    return moves


@transaction.atomic
def move_phase(*, cohort: Cohort, to: str, actor, reason: str = "", now: datetime | None = None) -> Cohort:
    """Move the cohort one phase forward (when its guard holds) or one step
    back (with a reason).

    Side effects: the phase saved; closed_at set on a move into closed (so
    that retention counts from it) and cleared on a move back out of it; an
    audit entry with the before and after. Raises ServiceError saying what
    is missing.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    move = next((m for m in phase_moves(cohort, now=now) if m.to == to), None)
    if move is None:
        raise ServiceError(
            f"A cohort in {Phase(cohort.phase).label.lower()} cannot move to {Phase(to).label.lower()}: "
            "phases move one step at a time."
            if to in PHASE_ORDER
            else "Unknown phase."
        )
    reason = reason.strip()
    if not move.forward and not reason:
        raise ServiceError("Give a reason for moving the cohort back.")
    if move.blockers:
        raise ServiceError(f"The cohort cannot move to {move.label.lower()} yet. " + " ".join(move.blockers))
    before = cohort.phase
    cohort.phase = to
    cohort.closed_at = timezone.now() if to == Phase.CLOSED else None
    cohort.save(update_fields=["phase", "closed_at"])
    audit.record(
        actor=actor,
        action="cohort.phase_moved" if move.forward else "cohort.phase_moved_back",
        obj=cohort,
        before={"phase": before},
        after={"phase": to},
        note=reason,
    )
    return cohort


# Enrolment ----------------------------------------------------------------


@transaction.atomic
def enrolment_refusal(cohort: Cohort) -> str | None:
    """Why the cohort takes no enrolments now; None when it does."""
    if cohort.phase in ENROLLING_PHASES:
        return None
    return (
        "Organisations can be enrolled only up to the self-assessment phase; "
        f"cohort {cohort.number} is in {Phase(cohort.phase).label.lower()}."
    )


# Phases in which a cohort's framework version may still change.
FRAMEWORK_EDITABLE_PHASES = (Phase.DRAFT, Phase.ENROLMENT)


def cohorts_past_enrolment(framework, lock: bool) -> list[Cohort]:
    """The cohorts using the framework version that are past enrolment, by
    number; with `lock`, locked (select_for_update) for the transaction."""
    if lock:
        return list(
            Cohort.objects.select_for_update()
            .filter(framework=framework)
            .exclude(phase__in=FRAMEWORK_EDITABLE_PHASES)
            .order_by("number")
        )
    past = [cohort for cohort in framework.cohorts.all() if cohort.phase not in FRAMEWORK_EDITABLE_PHASES]
    return sorted(past, key=lambda cohort: cohort.number)


def open_for_enrolment():
    """The cohorts still taking enrolments, newest first."""
    return Cohort.objects.filter(phase__in=ENROLLING_PHASES).order_by("-number")


def enrol(*, cohort: Cohort, organisations: list[Organisation], actor) -> list[Enrolment]:
    """Enrol organisations in the cohort (those already in it are left alone).

    Side effects: one Enrolment and audit entry per organisation; an
    "enrolment confirmed" e-mail to each organisation's members after commit.
    """
    if cohort.phase not in ENROLLING_PHASES:
        raise ServiceError(
            f"Organisations can be enrolled only up to the self-assessment phase; "
            f"cohort {cohort.number} is in {Phase(cohort.phase).label.lower()}."
        )
    already = set(cohort.enrolments.values_list("organisation_id", flat=True))
    created = []
    for organisation in organisations:
        if organisation.pk in already:
            continue
        enrolment = Enrolment.objects.create(cohort=cohort, organisation=organisation, status=EnrolmentStatus.ENROLLED)
        audit.record(actor=actor, action="enrolment.created", obj=enrolment, after={"status": enrolment.status})
        _tell_members_enrolled(enrolment)
        created.append(enrolment)
    return created


def _tell_members_enrolled(enrolment: Enrolment) -> None:
    recipients = list(
        Membership.objects.active().filter(organisation=enrolment.organisation).values_list("user__email", flat=True)
    )
    if recipients:
        send_templated_email(
            to=recipients,
            template="enrolment_confirmed",
            context={
                "cohort": enrolment.cohort,
                "organisation": enrolment.organisation,
                "deadline": enrolment.cohort.self_assessment_deadline,
                "dashboard_url": absolute_url("/organisation/"),
            },
        )


@transaction.atomic
def withdraw(*, enrolment: Enrolment, actor, reason: str) -> Enrolment:
    """Side effects: the enrolment marked withdrawn with the reason; an audit entry."""
    enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=enrolment.pk)
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give a reason for the withdrawal.")
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise ServiceError("This organisation has already withdrawn.")
    if enrolment.cohort.phase in (Phase.RESULTS, Phase.CLOSED):
        raise ServiceError("Results are out: the enrolment can no longer be withdrawn.")
    before = enrolment.status
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.withdrawal_reason = reason
    enrolment.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    audit.record(
        actor=actor,
        action="enrolment.withdrawn",
        obj=enrolment,
        before={"status": before},
        after={"status": enrolment.status},
        note=reason,
    )
    return enrolment


@transaction.atomic
def grant_extension(*, enrolment: Enrolment, until: date | None, actor, now: datetime | None = None) -> Enrolment:
    """Let one organisation submit after the deadline, until 23:59 on `until`
    in the cohort's time zone (None takes the extension away).

    Side effects: the extension saved; an audit entry. Refused once the
    cohort is past self-assessment (shortlisting needs no extension running).
    """
    enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=enrolment.pk)
    cohort = enrolment.cohort
    if cohort.phase not in ENROLLING_PHASES:
        raise ServiceError(
            f"Cohort {cohort.number} is in {Phase(cohort.phase).label.lower()}: extensions can be given "
            "or taken away only until the self-assessment phase ends."
        )
    now = now or timezone.now()
    if until is not None:
        deadline = cohort.self_assessment_deadline
        if deadline is not None and until <= deadline.date():
            raise ServiceError(f"An extension must end after the deadline ({_when(deadline)}).")
        if timeline.deadline_at(until, cohort.time_zone) <= now:
            raise ServiceError("An extension must end in the future.")
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            raise ServiceError("This organisation has withdrawn.")
    before = enrolment.extension_until.isoformat() if enrolment.extension_until else None
    enrolment.extension_until = until
    enrolment.save(update_fields=["extension_until"])
    audit.record(
        actor=actor,
        action="enrolment.extension_granted" if until else "enrolment.extension_removed",
        obj=enrolment,
        before={"extension_until": before},
        after={"extension_until": until.isoformat() if until else None},
    )
    return enrolment


def submission_deadline(enrolment: Enrolment) -> datetime | None:
    """The moment after which the organisation can no longer submit: the
    cohort's deadline, or the end of the organisation's extension if later."""
    cohort = enrolment.cohort
    deadline = cohort.self_assessment_deadline
    if enrolment.extension_until:
        extended = timeline.deadline_at(enrolment.extension_until, cohort.time_zone)
        if deadline is None or extended > deadline:
            return extended
    return deadline


def submission_refusal(enrolment: Enrolment, *, now: datetime | None = None) -> str | None:
    """Why the organisation cannot submit its self-assessment now, or None
    when it can. Deadlines fall at 23:59 in the cohort's time zone."""
    now = now or timezone.now()
    cohort = enrolment.cohort
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return "Your organisation has withdrawn from this cohort."
    if cohort.phase != Phase.SELF_ASSESSMENT:
        return f"Cohort {cohort.number} is not taking self-assessments (it is in {Phase(cohort.phase).label.lower()})."
    deadline = submission_deadline(enrolment)
    if deadline is not None and now > deadline:
        return f"The deadline ({_when(deadline.astimezone(cohort.zone))}) has passed."
    return None
