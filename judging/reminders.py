"""The judges' deadline reminders: 7 and 1 days before the judging deadline,
to the judges on the panel with open scorecards, while the cohort is in
judging. Part of the daily run of cohorts.services.reminders, which
claims each reminder once."""

from datetime import date

from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from cohorts import timeline
from cohorts.models import Cohort, EnrolmentStatus, Reminder
from cohorts.services.reminders import (
    ReminderRun,
    claim_and_send,
    days_left,
    due_milestone,
    in_days,
    reminder_key,
    sent_reminder_keys,
)
from core.notifications import absolute_url, send_templated_email
from judging.models import Assignment, Scorecard

JUDGING_DAYS = (7, 1)


JUDGING_KEY = "judging_deadline"


def judging_reminders(cohort: Cohort, today: date, run: ReminderRun) -> None:
    day = cohort.milestone_date(timeline.JUDGING_DEADLINE)
    milestone = due_milestone(days_left(day, today), JUDGING_DAYS) if day else None
    if milestone is None:
        return
    key = reminder_key(JUDGING_KEY, day, milestone)
    open_by_judge = open_scorecards_by_judge(cohort)
    if not open_by_judge:
        return
    already = sent_reminder_keys(cohort)
    for judge in User.objects.filter(pk__in=open_by_judge).order_by("email"):
        if (judge.pk, key) in already:
            run.already_sent += 1
            continue
        reminder = claim_and_send(
            cohort=cohort,
            recipient=judge,
            kind=Reminder.Kind.JUDGING,
            key=key,
            after={"cohort": cohort.number, "deadline": day.isoformat(), "days before": milestone},
            send=lambda judge=judge: send_judging_reminder(
                judge=judge, cohort=cohort, assignments=open_by_judge[judge.pk], today=today
            ),
        )
        if reminder is None:
            run.already_sent += 1
        else:
            run.sent.append(reminder)


def open_scorecards_by_judge(cohort: Cohort) -> dict[int, list[Assignment]]:
    """The active assignments of judges on the panel whose scorecard is open
    (not started, or a draft), per judge, finalists in name order."""
    assignments = (
        cohort.assignments.active()
        .filter(
            enrolment__status=EnrolmentStatus.FINALIST,
            judge__panels__cohort=cohort,
            judge__panels__removed_at__isnull=True,
        )
        .filter(Q(scorecard__isnull=True) | Q(scorecard__status=Scorecard.Status.DRAFT))
        .select_related("enrolment__organisation")
        .order_by("enrolment__organisation__name")
    )
    by_judge: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_judge.setdefault(assignment.judge_id, []).append(assignment)
    return by_judge


def send_judging_reminder(*, judge: User, cohort: Cohort, assignments: list[Assignment], today: date) -> None:
    day = cohort.milestone_date(timeline.JUDGING_DEADLINE)
    deadline = timeline.deadline_at(day, cohort.time_zone)
    send_templated_email(
        to=judge.email,
        template="judging_deadline_reminder",
        context={
            "cohort": cohort,
            "judge": judge,
            "finalists": [assignment.enrolment.organisation for assignment in assignments],
            "deadline": deadline,
            "when": in_days(days_left(day, today)),
            "url": absolute_url(reverse("judging:scorecard_list")),
        },
    )
