"""Writes for judging: the panel, conflicts of interest, assignments and
reminders. Each one audits itself; e-mails leave only after commit."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, Role, RoleGrant, User
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase, Reminder
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from judging.assignment import plan_assignments
from judging.models import Assignment, CohortJudge, ConflictDeclaration, PanelInvitation, Relationship, Scorecard
from judging.selectors import (
    conflict_of,
    conflicts_in,
    finalists_of,
    is_started,
    open_assignments_of,
    panel_seats,
    scorecard_of,
    shortfall_reason,
    with_scorecard_state,
)
from judging.services.scorecards import withdraw_scorecard
from organisations.models import Organisation

# Judging can change until the results are out.
FROZEN_PHASES = (Phase.RESULTS, Phase.CLOSED)

CONFLICT_DECLARED = "conflict declared"
CONFLICT_MEMBER = "conflict: member of the organisation"
LEFT_PANEL = "removed from the panel"
REMOVED_BY_LEAD = "assignment removed by the programme lead"
MOVED_TO_BALANCE = "moved to another judge to balance the load"

# What the audit entries of an assignment name.
ASSIGNMENT_RELATIONS = ("judge", "enrolment__organisation", "enrolment__cohort")


def _check_open(cohort: Cohort) -> None:
    if cohort.phase in FROZEN_PHASES:
        raise ServiceError(
            f"Cohort {cohort.number} is in {Phase(cohort.phase).label.lower()}: judging can no longer change."
        )


def _seat_of(cohort: Cohort, judge: User) -> CohortJudge | None:
    return CohortJudge.objects.filter(cohort=cohort, judge=judge, removed_at__isnull=True).first()


def _end_assignment(assignment: Assignment, *, actor, reason: str, now: datetime, keep_submitted: bool = False) -> None:
    """End an assignment, withdrawing its scorecard first when it has one
    (a submitted one too, unless `keep_submitted`)."""
    scorecard = scorecard_of(assignment)
    withdraw = scorecard is not None and scorecard.status != Scorecard.Status.WITHDRAWN
    if withdraw and keep_submitted and scorecard.status == Scorecard.Status.SUBMITTED:
        withdraw = False
    if withdraw:
        withdraw_scorecard(scorecard=scorecard, reason=reason, actor=actor)
    assignment.removed_at = now
    assignment.save(update_fields=["removed_at"])
    audit.record(
        actor=actor,
        action="assignment.ended",
        obj=assignment.enrolment,
        before={"judge": str(assignment.judge)},
        after={"judge": None},
        note=reason,
    )


def _audit_added(assignment: Assignment, actor) -> None:
    audit.record(
        actor=actor,
        action="assignment.added",
        obj=assignment.enrolment,
        after={"judge": str(assignment.judge), "method": assignment.get_method_display().lower()},
    )


# The panel ------------------------------------------------------------------


@transaction.atomic
def add_judge(*, cohort: Cohort, judge: User, actor, note: str = "") -> CohortJudge:
    """Seat a person who holds the judge role on the cohort's panel.

    Side effects: a CohortJudge; an audit entry; after commit, an e-mail
    asking the judge to declare their conflicts of interest.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_open(cohort)
    if not RoleGrant.objects.active().filter(user=judge, role=Role.JUDGE).exists():
        raise ServiceError(f"{judge} does not hold the judge role: invite them by e-mail instead.")
    if _seat_of(cohort, judge) is not None:
        raise ServiceError(f"{judge} is already on the judging panel of cohort {cohort.number}.")
    seat = CohortJudge.objects.create(cohort=cohort, judge=judge, added_by=actor)
    audit.record(actor=actor, action="panel.judge_added", obj=seat, after={"judge": judge.email}, note=note)
    send_templated_email(
        to=judge.email,
        template="judge_panel_added",
        context={
            "cohort": cohort,
            "judge": judge,
            "conflicts_url": absolute_url(reverse("judging:conflicts", kwargs={"number": cohort.number})),
            "dashboard_url": absolute_url(reverse("judge_dashboard")),
        },
    )
    return seat


@transaction.atomic
def invite_judge(*, cohort: Cohort, email: str, actor) -> CohortJudge | Invitation:
    """Bring a person onto the panel by e-mail address.

    Someone who already holds the judge role is seated at once (returns the
    CohortJudge). Anyone else is invited to the judge role through
    accounts.services.invite (or keeps their pending invitation) and gets a
    PanelInvitation for this cohort; `seat_invited_judge` seats them when
    they accept (returns the Invitation).

    Side effects: as add_judge, or: an Invitation and its e-mail (unless one
    is pending), a PanelInvitation, an audit entry on the cohort naming the
    address.
    """
    email = email.strip().lower()
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_open(cohort)
    person = User.objects.filter(email__iexact=email).first()
    if person is not None and RoleGrant.objects.active().filter(user=person, role=Role.JUDGE).exists():
        return add_judge(cohort=cohort, judge=person, actor=actor)
    invitation = Invitation.objects.pending().filter(email=email, role=Role.JUDGE).first()
    if invitation is None:
        invitation, _token = account_services.invite(email=email, role=Role.JUDGE, invited_by=actor, cohort=cohort)
    elif PanelInvitation.objects.filter(cohort=cohort, invitation=invitation).exists():
        raise ServiceError(
            f"{email} has already been invited to this panel. "
            "Resend the invitation from the people page if it was lost."
        )
    PanelInvitation.objects.create(cohort=cohort, invitation=invitation, invited_by=actor)
    audit.record(actor=actor, action="panel.judge_invited", obj=cohort, after={"email": email})
    return invitation


@transaction.atomic
def seat_invited_judge(*, invitation: Invitation, user: User) -> list[CohortJudge]:
    """Seat a person who has just accepted a judge invitation on the panels
    it invited them to (their PanelInvitations not yet seated). Cohorts
    whose results are out are skipped. Called by judging.receivers when
    accounts sends `invitation_accepted`, once the role is granted.

    Side effects: as add_judge, for each panel (the lead who invited them to
    that panel is the actor); each PanelInvitation linked to its seat.
    """
    if invitation.role != Role.JUDGE:
        return []
    seats = []
    for panel_invitation in (
        PanelInvitation.objects.select_for_update(of=("self",))
        .filter(invitation=invitation, seat__isnull=True)
        .exclude(cohort__phase__in=FROZEN_PHASES)
        .select_related("cohort", "invited_by")
        .order_by("cohort__number")
    ):
        cohort = panel_invitation.cohort
        if _seat_of(cohort, user) is not None:
            continue
        seat = add_judge(
            cohort=cohort,
            judge=user,
            actor=panel_invitation.invited_by or invitation.invited_by,
            note="accepted the invitation",
        )
        panel_invitation.seat = seat
        panel_invitation.save(update_fields=["seat"])
        seats.append(seat)
    return seats


@transaction.atomic
def remove_judge(*, seat: CohortJudge, reason: str, actor) -> CohortJudge:
    """Take a judge off the panel, with a reason.

    Side effects: the seat ended (when, by whom, why); the judge's open
    (draft) scorecards in the cohort withdrawn; all their active assignments
    in the cohort ended (submitted scorecards stay submitted: that work was
    finished); an audit entry for each.
    """
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give a reason for removing the judge.")
    seat = CohortJudge.objects.select_for_update().select_related("cohort", "judge").get(pk=seat.pk)
    cohort = seat.cohort
    if seat.removed_at is not None:
        raise ServiceError(f"{seat.judge} has already left the panel.")
    _check_open(cohort)
    now = timezone.now()
    for assignment in with_scorecard_state(
        cohort.assignments.active().filter(judge=seat.judge).select_related(*ASSIGNMENT_RELATIONS)
    ):
        _end_assignment(assignment, actor=actor, reason=f"{LEFT_PANEL}: {reason}", now=now, keep_submitted=True)
    seat.removed_at = now
    seat.removed_by = actor
    seat.removal_reason = reason
    seat.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    audit.record(
        actor=actor,
        action="panel.judge_removed",
        obj=seat,
        before={"on the panel": True},
        after={"on the panel": False},
        note=reason,
    )
    return seat


# Conflicts of interest ----------------------------------------------------------


@transaction.atomic
def declare_conflict(
    *, cohort: Cohort, judge: User, organisation: Organisation, relationship: str, note: str = ""
) -> ConflictDeclaration:
    """A judge on the panel declares a conflict of interest with an
    organisation enrolled in the cohort.

    Side effects: the declaration; an audit entry; when the judge is assigned
    to the organisation, that assignment ended and its scorecard (draft or
    submitted) withdrawn with the reason "conflict declared", each audited.
    """
    if _seat_of(cohort, judge) is None:
        raise ServiceError(f"You are not on the judging panel of cohort {cohort.number}.")
    _check_open(cohort)
    if relationship not in Relationship.values:
        raise ServiceError("Choose how you are related to the organisation.")
    enrolment = cohort.enrolments.active().filter(organisation=organisation).first()
    if enrolment is None:
        raise ServiceError(f"{organisation} is not enrolled in cohort {cohort.number}.")
    existing = conflict_of(judge, enrolment)
    if existing is not None and existing.is_membership:
        raise ServiceError(
            f"You are a member of {organisation}: that is a conflict by itself, with nothing to declare."
        )
    if existing is not None:
        raise ServiceError(f"You have already declared a conflict with {organisation}.")
    declaration = ConflictDeclaration.objects.create(
        cohort=cohort, judge=judge, organisation=organisation, relationship=relationship, note=note.strip()
    )
    audit.record(
        actor=judge,
        action="conflict.declared",
        obj=organisation,
        after={"cohort": cohort.number, "relationship": declaration.get_relationship_display().lower()},
        note=declaration.note,
        cohort=cohort,
    )
    now = timezone.now()
    for assignment in with_scorecard_state(
        Assignment.objects.active().filter(judge=judge, enrolment=enrolment).select_related(*ASSIGNMENT_RELATIONS)
    ):
        _end_assignment(assignment, actor=judge, reason=CONFLICT_DECLARED, now=now)
    return declaration


# Assignments ------------------------------------------------------------------


@dataclass
class Shortfall:
    enrolment: Enrolment
    reason: str

    def __str__(self):
        return f"{self.enrolment.organisation}: {self.reason}"


@dataclass
class AssignmentRun:
    added: list[Assignment] = field(default_factory=list)
    ended: list[Assignment] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    notified: list[User] = field(default_factory=list)


@transaction.atomic
def assign_automatically(*, cohort: Cohort, actor) -> AssignmentRun:
    """Give every finalist `judges_per_finalist` judges from the panel with
    the balanced algorithm (cohorts.assignment.plan_assignments): conflicts
    (declared or membership) are never assigned, assignments whose scoring
    has started never move, other existing ones are kept unless moving them
    evens out the judges' loads.

    Side effects: new Assignment rows (automatic) and ended ones (with any
    untouched scorecard withdrawn), including assignments that became
    conflicted through membership; an audit entry for each and one for the
    run on the cohort; after commit, one e-mail to each judge whose list of
    finalists changed, listing all their finalists. Returns what changed and
    which finalists are still short of judges, and why.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_open(cohort)
    finalists = list(finalists_of(cohort).order_by("organisation__name", "pk"))
    if not finalists:
        raise ServiceError("There are no finalists to assign judges to yet.")
    judges = [seat.judge for seat in panel_seats(cohort)]
    if not judges:
        raise ServiceError("The judging panel is empty: add judges to the panel first.")
    conflicts = conflicts_in(cohort, judges=judges, enrolments=finalists)
    judges_by_id = {judge.pk: judge for judge in judges}
    on_panel = set(judges_by_id)
    by_pk = {finalist.pk: finalist for finalist in finalists}
    for finalist in finalists:
        finalist.cohort = cohort
    now = timezone.now()
    run = AssignmentRun()

    standing = []
    for assignment in with_scorecard_state(
        cohort.assignments.active().filter(enrolment__in=finalists).select_related(*ASSIGNMENT_RELATIONS)
    ):
        pair = (assignment.judge_id, assignment.enrolment_id)
        if pair in conflicts:
            reason = CONFLICT_MEMBER if conflicts[pair].is_membership else CONFLICT_DECLARED
            _end_assignment(assignment, actor=actor, reason=reason, now=now)
            run.ended.append(assignment)
        elif assignment.judge_id in on_panel:
            standing.append(assignment)

    plan = plan_assignments(
        finalists=[finalist.pk for finalist in finalists],
        judges=[judge.pk for judge in judges],
        k=cohort.judges_per_finalist,
        conflicts=conflicts.keys(),
        existing=[(a.judge_id, a.enrolment_id) for a in standing],
        fixed=[(a.judge_id, a.enrolment_id) for a in standing if is_started(a)],
    )
    planned = [(judge_id, finalist_id) for finalist_id, chosen in plan.judges_of.items() for judge_id in chosen]
    planned_pairs = set(planned)
    kept = set()
    for assignment in standing:
        pair = (assignment.judge_id, assignment.enrolment_id)
        if pair in planned_pairs:
            kept.add(pair)
        else:
            _end_assignment(assignment, actor=actor, reason=MOVED_TO_BALANCE, now=now)
            run.ended.append(assignment)
    for judge_id, finalist_id in planned:
        if (judge_id, finalist_id) in kept:
            continue
        assignment = Assignment.objects.create(
            cohort=cohort,
            judge=judges_by_id[judge_id],
            enrolment=by_pk[finalist_id],
            method=Assignment.Method.AUTOMATIC,
            created_by=actor,
            created_at=now,
        )
        _audit_added(assignment, actor)
        run.added.append(assignment)

    run.shortfalls = [
        Shortfall(enrolment=by_pk[finalist_id], reason=shortfall_reason(reason, by_pk[finalist_id], judges, conflicts))
        for finalist_id, reason in plan.shortfalls.items()
    ]
    run.shortfalls.sort(key=lambda shortfall: shortfall.enrolment.organisation.name)
    audit.record(
        actor=actor,
        action="assignment.automatic_run",
        obj=cohort,
        after={
            "assignments added": len(run.added),
            "assignments ended": len(run.ended),
            "short of judges": [str(shortfall) for shortfall in run.shortfalls],
        },
    )
    changed = {a.judge_id for a in run.added} | {a.judge_id for a in run.ended}
    run.notified = [judge for judge in judges if judge.pk in changed]
    for judge in run.notified:
        _tell_judge_their_finalists(cohort, judge)
    return run


@transaction.atomic
def assign_by_hand(*, cohort: Cohort, judge: User, enrolment: Enrolment, actor) -> Assignment:
    """Assign one judge to one finalist.

    Refused, with the reason, for someone off the panel, a conflicted judge
    (declared or member), an enrolment that is not a finalist of the cohort,
    or a judge who already judges the finalist.

    Side effects: an Assignment (by hand); an audit entry; after commit, the
    judge's updated list of finalists by e-mail.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_open(cohort)
    organisation = enrolment.organisation
    if enrolment.cohort_id != cohort.pk or enrolment.status != EnrolmentStatus.FINALIST:
        raise ServiceError(f"{organisation} is not a finalist of cohort {cohort.number}.")
    if _seat_of(cohort, judge) is None:
        raise ServiceError(
            f"{judge} is not on the judging panel of cohort {cohort.number}: add them to the panel first."
        )
    conflict = conflict_of(judge, enrolment)
    if conflict is not None and conflict.is_membership:
        raise ServiceError(f"{judge} cannot judge {organisation}: they are a member of it.")
    if conflict is not None:
        raise ServiceError(
            f"{judge} cannot judge {organisation}: they declared a conflict of interest "
            f"({conflict.declaration.get_relationship_display().lower()})."
        )
    if Assignment.objects.active().filter(judge=judge, enrolment=enrolment).exists():
        raise ServiceError(f"{judge} already judges {organisation}.")
    assignment = Assignment.objects.create(
        cohort=cohort, judge=judge, enrolment=enrolment, method=Assignment.Method.MANUAL, created_by=actor
    )
    _audit_added(assignment, actor)
    _tell_judge_their_finalists(cohort, judge)
    return assignment


@transaction.atomic
def unassign(*, assignment: Assignment, actor) -> Assignment:
    """End one assignment by hand.

    Side effects: the assignment ended and its scorecard, if any, withdrawn
    (audited); after commit, the judge's updated list of finalists by e-mail.
    """
    assignment = with_scorecard_state(
        Assignment.objects.select_for_update(of=("self",)).select_related("cohort", *ASSIGNMENT_RELATIONS)
    ).get(pk=assignment.pk)
    if assignment.removed_at is not None:
        raise ServiceError(f"{assignment.judge} no longer judges {assignment.enrolment.organisation}.")
    _check_open(assignment.cohort)
    _end_assignment(assignment, actor=actor, reason=REMOVED_BY_LEAD, now=timezone.now())
    _tell_judge_their_finalists(assignment.cohort, assignment.judge)
    return assignment


def _tell_judge_their_finalists(cohort: Cohort, judge: User) -> None:
    finalists = [
        assignment.enrolment.organisation
        for assignment in cohort.assignments.active()
        .filter(judge=judge, enrolment__status=EnrolmentStatus.FINALIST)
        .select_related("enrolment__organisation")
        .order_by("enrolment__organisation__name")
    ]
    send_templated_email(
        to=judge.email,
        template="judge_assignment",
        context={
            "cohort": cohort,
            "judge": judge,
            "finalists": finalists,
            "deadline": cohort.judging_deadline,
            "dashboard_url": absolute_url(reverse("judge_dashboard")),
        },
    )


# Reminders --------------------------------------------------------------------


@transaction.atomic
def remind_judge(*, cohort: Cohort, judge: User, actor) -> Reminder:
    """The lead reminds one judge of their open scorecards.

    Side effects: a manual Reminder (kind judging, no key); an audit entry;
    after commit, an e-mail listing the judge's open scorecards and the
    judging deadline. Refused when the judge has nothing open.
    """
    if _seat_of(cohort, judge) is None:
        raise ServiceError(f"{judge} is not on the judging panel of cohort {cohort.number}.")
    open_assignments = open_assignments_of(judge, cohort)
    if not open_assignments:
        raise ServiceError(
            f"{judge} has no open scorecards in cohort {cohort.number}: there is nothing to remind them of."
        )
    reminder = Reminder.objects.create(
        cohort=cohort, recipient=judge, kind=Reminder.Kind.JUDGING, key="", sent_by=actor
    )
    audit.record(
        actor=actor,
        action="reminder.sent",
        obj=judge,
        after={"cohort": cohort.number, "open scorecards": len(open_assignments)},
        cohort=cohort,
    )
    send_templated_email(
        to=judge.email,
        template="judge_reminder",
        context={
            "cohort": cohort,
            "judge": judge,
            "open_scorecards": [
                (assignment.enrolment.organisation, "in progress" if is_started(assignment) else "not started")
                for assignment in open_assignments
            ],
            "deadline": cohort.judging_deadline,
            "dashboard_url": absolute_url(reverse("judge_dashboard")),
        },
    )
    return reminder
