"""The cohort timeline as pure functions: no database, no Django.

The default six-month timeline, read from the design as offsets in calendar
months from the start date ("month 4½" is four months and half a month of
15 days; "end of month N" is the day N months after the start, whose
deadline falls at 23:59 in the cohort's time zone):

    kick-off                             month 0
    workshops 1–4                        months 1, 2, 3, 4
    self-assessment deadline             end of month 4 (after the last workshop that day)
    finalists announced                  month 4½
    judging and on-site presentations    month 5
    judging deadline                     end of month 5 (23:59 on the presentations day)
    award ceremony                       month 6
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KICK_OFF = "kick_off"
WORKSHOP = "workshop"
SELF_ASSESSMENT_DEADLINE = "self_assessment_deadline"
FINALISTS_ANNOUNCED = "finalists_announced"
JUDGING = "judging"
JUDGING_DEADLINE = "judging_deadline"
AWARD_CEREMONY = "award_ceremony"
OTHER = "other"

DEADLINE_KINDS = frozenset({SELF_ASSESSMENT_DEADLINE, JUDGING_DEADLINE})
DEADLINE_TIME = time(23, 59)
HALF_MONTH_DAYS = 15


@dataclass(frozen=True)
class PlannedMilestone:
    kind: str
    title: str
    on: date


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or the month's last day
    when it is shorter (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def default_timeline(start: date) -> list[PlannedMilestone]:
    """The design's default six-month timeline from `start`, in date order."""
    return [
        PlannedMilestone(KICK_OFF, "Kick-off", start),
        *(PlannedMilestone(WORKSHOP, f"Workshop {n}", add_months(start, n)) for n in range(1, 5)),
        PlannedMilestone(SELF_ASSESSMENT_DEADLINE, "Self-assessment deadline", add_months(start, 4)),
        PlannedMilestone(
            FINALISTS_ANNOUNCED, "Finalists announced", add_months(start, 4) + timedelta(days=HALF_MONTH_DAYS)
        ),
        PlannedMilestone(JUDGING, "Judging and on-site presentations", add_months(start, 5)),
        PlannedMilestone(JUDGING_DEADLINE, "Judging deadline", add_months(start, 5)),
        PlannedMilestone(AWARD_CEREMONY, "Award ceremony", add_months(start, 6)),
    ]


def deadline_at(day: date, time_zone: str) -> datetime:
    """A deadline is 23:59 on its day in the cohort's time zone (aware)."""
    return datetime.combine(day, DEADLINE_TIME, tzinfo=ZoneInfo(time_zone))


def milestone_moment(kind: str, day: date, time_zone: str) -> datetime:
    """When a milestone happens: deadlines at 23:59, other milestones at the
    start of their day, in the cohort's time zone."""
    if kind in DEADLINE_KINDS:
        return deadline_at(day, time_zone)
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone))


def describe_remaining(now: datetime, moment: datetime) -> str:
    """How far away `moment` is, in words: "in 3 days", "in 5 hours",
    "in 20 minutes", "now", or "2 days ago"."""
    seconds = (moment - now).total_seconds()
    past = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            amount = int(seconds // size)
            words = f"{amount} {unit}{'' if amount == 1 else 's'}"
            return f"{words} ago" if past else f"in {words}"
    return "now"  # pragma: no cover - unreachable
