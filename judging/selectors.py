"""Reads for judging: conflicts, the assignment overview and the lead's
judging dashboard. Each loads what its page needs in a fixed number of
queries, however many finalists the cohort has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Invitation, User
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Milestone, Phase, Reminder
from frameworks.models import Criterion
from judging.assignment import plan_assignments
from judging.models import Assignment, CohortJudge, ConflictDeclaration, Scorecard, ScoreEntry
from organisations.models import Membership

FINALISTS_PER_PAGE = 15


@dataclass(frozen=True)
class Conflict:
    """Why a judge may not judge an organisation: a declaration (with its
    relationship) or membership of the organisation."""

    judge: User
    enrolment: Enrolment
    declaration: ConflictDeclaration | None = None

    @property
    def is_membership(self) -> bool:
        return self.declaration is None

    @property
    def why(self) -> str:
        if self.declaration is None:
            return "member of the organisation"
        return f"declared: {self.declaration.get_relationship_display().lower()}"


def panel_seats(cohort: Cohort) -> list[CohortJudge]:
    return list(cohort.panel.filter(removed_at__isnull=True).select_related("judge"))


def finalists_of(cohort: Cohort) -> QuerySet[Enrolment]:
    return cohort.enrolments.filter(status=EnrolmentStatus.FINALIST).select_related("organisation")


def conflicts_in(cohort: Cohort, *, judges: list[User], enrolments: list[Enrolment]) -> dict[tuple[int, int], Conflict]:
    """Every conflict between these judges and enrolments, keyed by
    (judge id, enrolment id). A declaration wins over membership when both
    hold, because it says more. Two queries."""
    judges_by_id = {judge.pk: judge for judge in judges}
    enrolment_of_organisation = {enrolment.organisation_id: enrolment for enrolment in enrolments}
    conflicts: dict[tuple[int, int], Conflict] = {}
    memberships = Membership.objects.active().filter(
        user_id__in=judges_by_id, organisation_id__in=enrolment_of_organisation
    )
    for judge_id, organisation_id in memberships.values_list("user_id", "organisation_id"):
        enrolment = enrolment_of_organisation[organisation_id]
        conflicts[(judge_id, enrolment.pk)] = Conflict(judge=judges_by_id[judge_id], enrolment=enrolment)
    declarations = ConflictDeclaration.objects.filter(
        cohort=cohort, judge_id__in=judges_by_id, organisation_id__in=enrolment_of_organisation
    )
    for declaration in declarations:
        enrolment = enrolment_of_organisation[declaration.organisation_id]
        conflicts[(declaration.judge_id, enrolment.pk)] = Conflict(
            judge=judges_by_id[declaration.judge_id], enrolment=enrolment, declaration=declaration
        )
    return conflicts


def conflict_of(judge: User, enrolment: Enrolment) -> Conflict | None:
    return conflicts_in(enrolment.cohort, judges=[judge], enrolments=[enrolment]).get((judge.pk, enrolment.pk))


def with_scorecard_state(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Assignments with their scorecard (or None) and `started`: some score,
    comment or overall remark has been written on it."""
    written = ScoreEntry.objects.filter(scorecard__assignment=OuterRef("pk")).filter(
        Q(score__isnull=False) | ~Q(comment="")
    )
    return assignments.select_related("scorecard").annotate(has_entries=Exists(written))


def scorecard_of(assignment: Assignment) -> Scorecard | None:
    try:
        return assignment.scorecard
    except Scorecard.DoesNotExist:
        return None


def is_started(assignment: Assignment) -> bool:
    """Scoring has begun: a score, a comment or an overall remark, or the
    scorecard is submitted. (Needs `with_scorecard_state`.)"""
    scorecard = scorecard_of(assignment)
    if scorecard is None:
        return False
    return (
        scorecard.status == Scorecard.Status.SUBMITTED
        or assignment.has_entries
        or bool(scorecard.strengths.strip() or scorecard.improvements.strip())
    )


# The cells of the lead's matrix ---------------------------------------------

NOT_ASSIGNED = "not_assigned"
CONFLICT = "conflict"
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
WITHDRAWN = "withdrawn"

CELL_LABELS = {
    NOT_ASSIGNED: "Not assigned",
    CONFLICT: "Conflict",
    NOT_STARTED: "Assigned – not started",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    WITHDRAWN: "Withdrawn",
}


@dataclass(frozen=True)
class Cell:
    state: str
    detail: str = ""
    assignment_id: int | None = None  # for the lead's unlock link on a submitted scorecard

    @property
    def label(self) -> str:
        return CELL_LABELS[self.state]


def assignment_cell(assignment: Assignment) -> Cell:
    scorecard = scorecard_of(assignment)
    if scorecard is None:
        return Cell(NOT_STARTED)
    if scorecard.status == Scorecard.Status.SUBMITTED:
        return Cell(SUBMITTED, assignment_id=assignment.pk)
    if scorecard.status == Scorecard.Status.WITHDRAWN:
        return Cell(WITHDRAWN, scorecard.withdrawal_reason)
    return Cell(IN_PROGRESS if is_started(assignment) else NOT_STARTED)


def cell_for(
    judge: User, enrolment: Enrolment, *, active: Assignment | None, ended: list[Assignment], conflict: Conflict | None
) -> Cell:
    if active is not None:
        if conflict is not None:
            return Cell(CONFLICT, f"{conflict.why}; still assigned: remove the assignment")
        return assignment_cell(active)
    withdrawn = [a for a in ended if (card := scorecard_of(a)) and card.status == Scorecard.Status.WITHDRAWN]
    if withdrawn:
        latest = max(withdrawn, key=lambda a: a.scorecard.withdrawn_at)
        return Cell(WITHDRAWN, latest.scorecard.withdrawal_reason)
    if conflict is not None:
        return Cell(CONFLICT, conflict.why)
    return Cell(NOT_ASSIGNED)


# The assignments page --------------------------------------------------------


@dataclass
class FinalistRow:
    enrolment: Enrolment
    assignments: list[tuple[Assignment, Cell]]
    needed: int
    shortfall: str = ""

    @property
    def short_by(self) -> int:
        return max(0, self.needed - len(self.assignments))


def shortfall_reason(reason: str, enrolment: Enrolment, judges: list[User], conflicts: dict) -> str:
    """The algorithm's reason, with the conflicted judges named."""
    named = [
        f"{judge} ({conflicts[(judge.pk, enrolment.pk)].why})"
        for judge in judges
        if (judge.pk, enrolment.pk) in conflicts
    ]
    return reason + (f"; conflicted: {', '.join(named)}" if named else "")


def assignment_overview(cohort: Cohort) -> tuple[list[FinalistRow], list[CohortJudge], dict[int, int]]:
    """Each finalist with its active assignments (and their scorecard state)
    and, when it has fewer than k judges, why: what automatic assignment
    would still leave short, worked out with the same algorithm. Also the
    panel and each judge's load. Five queries."""
    seats = panel_seats(cohort)
    judges = [seat.judge for seat in seats]
    finalists = list(finalists_of(cohort).order_by("organisation__name"))
    conflicts = conflicts_in(cohort, judges=judges, enrolments=finalists)
    assignments = list(
        with_scorecard_state(
            cohort.assignments.active().filter(enrolment__in=finalists).select_related("judge")
        ).order_by("judge__full_name", "judge__email")
    )
    by_finalist: dict[int, list[Assignment]] = {finalist.pk: [] for finalist in finalists}
    load: dict[int, int] = {judge.pk: 0 for judge in judges}
    for assignment in assignments:
        by_finalist[assignment.enrolment_id].append(assignment)
        load[assignment.judge_id] = load.get(assignment.judge_id, 0) + 1
    on_panel = {judge.pk for judge in judges}
    standing = [a for a in assignments if a.judge_id in on_panel and (a.judge_id, a.enrolment_id) not in conflicts]
    plan = plan_assignments(
        finalists=[finalist.pk for finalist in finalists],
        judges=[judge.pk for judge in judges],
        k=cohort.judges_per_finalist,
        conflicts=conflicts.keys(),
        existing=[(a.judge_id, a.enrolment_id) for a in standing],
        fixed=[(a.judge_id, a.enrolment_id) for a in standing if is_started(a)],
    )
    rows = []
    for finalist in finalists:
        current = by_finalist[finalist.pk]
        row = FinalistRow(
            enrolment=finalist,
            assignments=[(a, assignment_cell(a)) for a in current],
            needed=cohort.judges_per_finalist,
        )
        if row.short_by:
            if finalist.pk in plan.shortfalls:
                row.shortfall = shortfall_reason(plan.shortfalls[finalist.pk], finalist, judges, conflicts)
            else:
                row.shortfall = "automatic assignment can fill this"
        rows.append(row)
    return rows, seats, load


# The lead's judging dashboard -------------------------------------------------


@dataclass
class JudgeProgress:
    seat: CohortJudge
    assigned: int = 0
    submitted: int = 0
    open: int = 0
    last_reminder: datetime | None = None

    @property
    def judge(self) -> User:
        return self.seat.judge


@dataclass
class MatrixRow:
    enrolment: Enrolment
    cells: list[Cell]


@dataclass
class JudgingDashboard:
    judges: list[JudgeProgress]
    page: Page
    rows: list[MatrixRow]
    declarations: list[ConflictDeclaration]
    memberships: list[Conflict]
    withdrawn: list[Scorecard]
    counts: dict[str, int] = field(default_factory=dict)


def judging_dashboard(cohort: Cohort, *, page_number=None, per_page: int = FINALISTS_PER_PAGE) -> JudgingDashboard:
    """The judge × finalist matrix for one page of finalists, each judge's
    progress and last reminder, and the cohort's conflicts and withdrawn
    scorecards. The number of queries does not depend on the number of
    finalists."""
    seats = panel_seats(cohort)
    judges = [seat.judge for seat in seats]
    page = Paginator(finalists_of(cohort).order_by("organisation__name", "pk"), per_page).get_page(page_number)
    finalists = list(page.object_list)

    enrolled = list(cohort.enrolments.active().select_related("organisation"))
    conflicts = conflicts_in(cohort, judges=judges, enrolments=enrolled)
    declarations = list(
        cohort.conflicts.select_related("judge", "organisation").order_by("organisation__name", "judge__full_name")
    )

    assignments = with_scorecard_state(cohort.assignments.filter(enrolment__in=finalists))
    active: dict[tuple[int, int], Assignment] = {}
    ended: dict[tuple[int, int], list[Assignment]] = {}
    for assignment in assignments:
        pair = (assignment.judge_id, assignment.enrolment_id)
        if assignment.removed_at is None:
            active[pair] = assignment
        else:
            ended.setdefault(pair, []).append(assignment)
    rows = [
        MatrixRow(
            enrolment=finalist,
            cells=[
                cell_for(
                    judge,
                    finalist,
                    active=active.get((judge.pk, finalist.pk)),
                    ended=ended.get((judge.pk, finalist.pk), []),
                    conflict=conflicts.get((judge.pk, finalist.pk)),
                )
                for judge in judges
            ],
        )
        for finalist in finalists
    ]

    progress = {seat.judge_id: JudgeProgress(seat=seat) for seat in seats}
    totals = (
        cohort.assignments.active()
        .filter(judge_id__in=progress, enrolment__status=EnrolmentStatus.FINALIST)
        .values("judge_id")
        .annotate(
            assigned=Count("id"),
            submitted=Count("id", filter=Q(scorecard__status=Scorecard.Status.SUBMITTED)),
            withdrawn=Count("id", filter=Q(scorecard__status=Scorecard.Status.WITHDRAWN)),
        )
    )
    for total in totals:
        entry = progress[total["judge_id"]]
        entry.assigned, entry.submitted = total["assigned"], total["submitted"]
        entry.open = total["assigned"] - total["submitted"] - total["withdrawn"]
    reminders = (
        Reminder.objects.filter(cohort=cohort, kind=Reminder.Kind.JUDGING, recipient_id__in=progress)
        .values("recipient_id")
        .annotate(last=Max("sent_at"))
    )
    for reminder in reminders:
        progress[reminder["recipient_id"]].last_reminder = reminder["last"]

    withdrawn = list(
        Scorecard.objects.filter(assignment__cohort=cohort, status=Scorecard.Status.WITHDRAWN)
        .select_related("assignment__judge", "assignment__enrolment__organisation")
        .order_by("-withdrawn_at")
    )
    return JudgingDashboard(
        judges=list(progress.values()),
        page=page,
        rows=rows,
        declarations=declarations,
        memberships=sorted(
            (c for c in conflicts.values() if c.is_membership),
            key=lambda c: (c.enrolment.organisation.name, str(c.judge)),
        ),
        withdrawn=withdrawn,
    )


def open_assignments_of(judge: User, cohort: Cohort) -> list[Assignment]:
    """The judge's active assignments in the cohort whose scorecard is not
    submitted (or not yet opened), finalists in name order."""
    return [
        assignment
        for assignment in with_scorecard_state(
            cohort.assignments.active()
            .filter(judge=judge, enrolment__status=EnrolmentStatus.FINALIST)
            .select_related("enrolment__organisation")
            .order_by("enrolment__organisation__name")
        )
        if assignment_cell(assignment).state in (NOT_STARTED, IN_PROGRESS)
    ]


def invited_to_panel(cohort: Cohort) -> list[Invitation]:
    """People invited by e-mail to the cohort's panel (its PanelInvitations,
    see services.panel.invite_judge) who are not on it now, each with their
    latest invitation, by e-mail address. Two queries."""
    latest: dict[str, Invitation] = {}
    for panel_invitation in cohort.panel_invitations.select_related("invitation__accepted_by"):
        invitation = panel_invitation.invitation
        if invitation.email not in latest or invitation.created_at > latest[invitation.email].created_at:
            latest[invitation.email] = invitation
    seated = set(
        cohort.panel.filter(removed_at__isnull=True, judge__email__in=list(latest)).values_list(
            "judge__email", flat=True
        )
    )
    return [latest[email] for email in sorted(latest) if email not in seated]


def _count(queryset, group_by: str):
    return Subquery(
        queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n"), output_field=IntegerField()
    )


def assignments_judged_by(user, *, phases=(Phase.JUDGING,)) -> QuerySet[Assignment]:
    """The user's active assignments in cohorts in `phases`, on whose panel
    they still sit, leaving out finalists they are conflicted with (a
    declaration, or membership of the organisation): the same rule as the
    "judging.judge_finalist" permission, as a filter.

    Each assignment carries `criteria_total` and `scores_given`, its cohort
    (with milestones, for the judging deadline), its organisation and its
    scorecard, if there is one yet.
    """
    member_of = Membership.objects.active().filter(user=user).values("organisation_id")
    declared = ConflictDeclaration.objects.filter(
        judge=user, cohort_id=OuterRef("cohort_id"), organisation_id=OuterRef("enrolment__organisation_id")
    )
    return (
        Assignment.objects.active()
        .filter(
            judge=user,
            cohort__phase__in=phases,
            cohort__panel__judge=user,
            cohort__panel__removed_at__isnull=True,
        )
        .exclude(enrolment__organisation_id__in=member_of)
        .exclude(Exists(declared))
        .select_related("cohort", "enrolment__organisation", "scorecard")
        .prefetch_related(Prefetch("cohort__milestones", queryset=Milestone.objects.order_by("date", "id")))
        .annotate(
            criteria_total=Coalesce(
                _count(Criterion.objects.filter(framework_id=OuterRef("cohort__framework_id")), "framework_id"),
                Value(0),
            ),
            scores_given=Coalesce(
                _count(
                    ScoreEntry.objects.filter(scorecard__assignment_id=OuterRef("pk"), score__isnull=False),
                    "scorecard_id",
                ),
                Value(0),
            ),
        )
        .order_by("cohort__number", "enrolment__organisation__name")
    )
