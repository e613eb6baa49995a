"""Deadline reminders: the daily automatic run (Celery beat) and the lead's
reminders by hand, which share the Reminder record.

An automatic reminder is claimed before it is sent: its Reminder row, whose
key ("self_assessment_deadline:2027-05-31:7") is unique per cohort and
person, is inserted first and the e-mail is queued only when the insert
succeeded, in the same transaction, so it leaves on commit. A second run the
same day, or a second process running at the same moment, fails to insert
the row and sends nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts import timeline
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase, Reminder
from cohorts.services.programme import submission_deadline, submission_refusal
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from organisations.models import Membership

# Days before each deadline on which reminders go out.
SELF_ASSESSMENT_DAYS = (14, 7, 1)

SELF_ASSESSMENT_KEY = "self_assessment_deadline"


# Pure date logic ----------------------------------------------------------------


def days_left(deadline_day: date, today: date) -> int:
    """Whole days from `today` to the deadline's day (0: it is today, at 23:59)."""
    return (deadline_day - today).days


def due_milestone(days: int, milestones: Iterable[int]) -> int | None:
    """The reminder due when `days` days are left: the nearest milestone not
    below `days` (so a run missed on the day itself still sends it, late,
    without sending the earlier ones as well). None once the deadline has
    passed or while it is further off than the first milestone.

    >>> due_milestone(7, (14, 7, 1)), due_milestone(5, (14, 7, 1)), due_milestone(20, (14, 7, 1))
    (7, 7, None)
    """
    if days < 0:
        return None
    ahead = [milestone for milestone in milestones if milestone >= days]
    return min(ahead) if ahead else None


def reminder_key(prefix: str, deadline_day: date, milestone: int) -> str:
    """The key that makes an automatic reminder unique for a person in a
    cohort. It names the deadline's day, so a moved deadline (or an
    extension) has its own reminders."""
    return f"{prefix}:{deadline_day.isoformat()}:{milestone}"


def effective_deadline_day(cohort_deadline: date | None, extension_until: date | None) -> date | None:
    """The organisation's own last day: the cohort's, or its extension's if later."""
    if extension_until and (cohort_deadline is None or extension_until > cohort_deadline):
        return extension_until
    return cohort_deadline


# The daily run --------------------------------------------------------------------


@dataclass
class ReminderRun:
    sent: list[Reminder] = field(default_factory=list)
    already_sent: int = 0

    def __str__(self):
        return f"{len(self.sent)} reminder(s) sent, {self.already_sent} already sent before"


def send_due_reminders(*, now: datetime | None = None) -> ReminderRun:
    """Send every deadline reminder due today, once.

    Self-assessment: 14, 7 and 1 days before the organisation's deadline
    (the cohort's, or its extension's), to the active members of enrolled
    organisations that have not submitted, while the cohort is in
    self-assessment. Judging: 7 and 1 days before the judging deadline, to
    the judges on the panel with open (not submitted, not withdrawn)
    scorecards, while the cohort is in judging. "Today" is the day in the
    cohort's time zone.

    Side effects: per reminder, a Reminder row with its key, an audit entry
    (by the system), a notification and, after commit, the e-mail. Each
    reminder is its own transaction, claimed by inserting the row first.
    """
    now = now or timezone.now()
    run = ReminderRun()
    cohorts = Cohort.objects.filter(phase__in=list(DAILY_REMINDERS)).prefetch_related("milestones")
    for cohort in cohorts:
        today = now.astimezone(cohort.zone).date()
        for send_reminders in DAILY_REMINDERS[cohort.phase]:
            send_reminders(cohort, today, run)
    return run


def register_daily_reminders(phase: str, send_reminders: Callable[[Cohort, date, ReminderRun], None]) -> None:
    """Add the reminders of a phase to the daily run: `send_reminders(cohort,
    today, run)` sends those due today (through `claim_and_send`) and counts
    them in `run`. Judging registers its judges' reminders (judging/apps.py)."""
    DAILY_REMINDERS.setdefault(phase, [])
    if send_reminders not in DAILY_REMINDERS[phase]:
        DAILY_REMINDERS[phase].append(send_reminders)


def _self_assessment_reminders(cohort: Cohort, today: date, run: ReminderRun) -> None:
    """Self-assessment: to the members of enrolled organisations that have not submitted."""
    cohort_day = cohort.milestone_date(timeline.SELF_ASSESSMENT_DEADLINE)
    enrolments = list(
        cohort.enrolments.filter(status=EnrolmentStatus.ENROLLED).select_related("organisation").order_by("pk")
    )
    due: dict[int, tuple[date, int]] = {}
    for enrolment in enrolments:
        day = effective_deadline_day(cohort_day, enrolment.extension_until)
        milestone = due_milestone(days_left(day, today), SELF_ASSESSMENT_DAYS) if day else None
        if milestone is not None:
            due[enrolment.organisation_id] = (day, milestone)
    if not due:
        return
    already = sent_reminder_keys(cohort)
    by_organisation = {enrolment.organisation_id: enrolment for enrolment in enrolments}
    memberships = (
        Membership.objects.active()
        .filter(organisation_id__in=due)
        .select_related("user")
        .order_by("organisation_id", "user__email")
    )
    for membership in memberships:
        day, milestone = due[membership.organisation_id]
        enrolment = by_organisation[membership.organisation_id]
        enrolment.cohort = cohort
        key = reminder_key(SELF_ASSESSMENT_KEY, day, milestone)
        if (membership.user_id, key) in already:
            run.already_sent += 1
            continue
        reminder = claim_and_send(
            cohort=cohort,
            recipient=membership.user,
            kind=Reminder.Kind.SELF_ASSESSMENT,
            key=key,
            after={"cohort": cohort.number, "deadline": day.isoformat(), "days before": milestone},
            send=lambda user=membership.user, enrolment=enrolment, day=day: _send_self_assessment_reminder(
                user=user, enrolment=enrolment, day=day, today=today
            ),
        )
        if reminder is None:
            run.already_sent += 1
        else:
            already.add((membership.user_id, key))
            run.sent.append(reminder)


# The reminders each phase sends daily; apps above cohorts add theirs.
DAILY_REMINDERS: dict[str, list[Callable[[Cohort, date, ReminderRun], None]]] = {
    Phase.SELF_ASSESSMENT: [_self_assessment_reminders],
}


def sent_reminder_keys(cohort: Cohort) -> set[tuple[int, str]]:
    return set(cohort.reminders.exclude(key="").values_list("recipient_id", "key"))


def claim_and_send(*, cohort: Cohort, recipient: User, kind: str, key: str, after: dict, send) -> Reminder | None:
    """Insert the reminder's row, then send it, in one transaction; None when
    another run has already claimed it (the unique key refused the row)."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(cohort=cohort, recipient=recipient, kind=kind, key=key)
            audit.record(actor=None, action="reminder.sent", obj=recipient, after=after, cohort=cohort)
            send()
    except IntegrityError:
        return None
    return reminder


def in_days(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _send_self_assessment_reminder(*, user: User, enrolment: Enrolment, day: date, today: date) -> None:
    cohort = enrolment.cohort
    deadline = timeline.deadline_at(day, cohort.time_zone)
    send_templated_email(
        to=user.email,
        template="self_assessment_deadline_reminder",
        context={
            "cohort": cohort,
            "organisation": enrolment.organisation,
            "member": user,
            "deadline": deadline.astimezone(cohort.zone),
            "extension": day == enrolment.extension_until,
            "when": in_days(days_left(day, today)),
            "url": absolute_url(reverse("assessments:start", kwargs={"enrolment_pk": enrolment.pk})),
        },
    )


# By hand ----------------------------------------------------------------------------


@transaction.atomic
def remind_organisation(*, enrolment: Enrolment, actor) -> list[Reminder]:
    """The lead reminds an organisation that has not submitted its
    self-assessment.

    Refused when it has submitted, cannot submit now, or has no members.
    Side effects: a manual Reminder (no key) per active member; one audit
    entry on the enrolment; after commit, the e-mail to each member.
    """
    enrolment = Enrolment.objects.select_related("cohort", "organisation").get(pk=enrolment.pk)
    cohort = enrolment.cohort
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ServiceError(
            f"{enrolment.organisation} is {enrolment.get_status_display().lower()}: there is nothing to remind it of."
        )
    refusal = submission_refusal(enrolment)
    if refusal:
        raise ServiceError(f"{enrolment.organisation} cannot submit now. {refusal}")
    members = [
        m.user for m in Membership.objects.active().filter(organisation=enrolment.organisation).select_related("user")
    ]
    if not members:
        raise ServiceError(f"{enrolment.organisation} has no members to remind: invite one first.")
    reminders = Reminder.objects.bulk_create(
        Reminder(cohort=cohort, recipient=user, kind=Reminder.Kind.SELF_ASSESSMENT, key="", sent_by=actor)
        for user in members
    )
    audit.record(
        actor=actor,
        action="reminder.sent",
        obj=enrolment,
        after={"members": sorted(user.email for user in members)},
    )
    deadline = submission_deadline(enrolment)
    send_templated_email(
        to=[user.email for user in members],
        template="organisation_reminder",
        context={
            "cohort": cohort,
            "organisation": enrolment.organisation,
            "deadline": deadline.astimezone(cohort.zone) if deadline else None,
            "url": absolute_url(reverse("assessments:start", kwargs={"enrolment_pk": enrolment.pk})),
        },
    )
    return reminders


# Reads -------------------------------------------------------------------------------


def last_reminded(*, cohort: Cohort, kind: str, recipients: Iterable[int]) -> dict[int, datetime]:
    """When each person was last reminded (automatically or by hand) of the
    cohort's deadline of `kind`. One query."""
    return dict(
        Reminder.objects.filter(cohort=cohort, kind=kind, recipient_id__in=list(recipients))
        .values("recipient_id")
        .annotate(last=Max("sent_at"))
        .values_list("recipient_id", "last")
    )


def last_reminded_by_organisation(cohort: Cohort) -> dict[int, datetime]:
    """When any current member of each enrolled organisation was last
    reminded of the self-assessment deadline, by organisation id. Two queries."""
    members = list(
        Membership.objects.active()
        .filter(organisation__enrolments__cohort=cohort)
        .values_list("organisation_id", "user_id")
    )
    last = last_reminded(cohort=cohort, kind=Reminder.Kind.SELF_ASSESSMENT, recipients={u for _, u in members})
    by_organisation: dict[int, datetime] = {}
    for organisation_id, user_id in members:
        when = last.get(user_id)
        if when and (organisation_id not in by_organisation or when > by_organisation[organisation_id]):
            by_organisation[organisation_id] = when
    return by_organisation


def last_reminded_of(user: User, *, kind: str) -> dict[int, datetime]:
    """When the person was last reminded of a deadline of `kind`, by cohort id. One query."""
    return dict(
        Reminder.objects.filter(recipient=user, kind=kind)
        .values("cohort_id")
        .annotate(last=Max("sent_at"))
        .values_list("cohort_id", "last")
    )
