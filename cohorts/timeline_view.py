"""The timeline as people see it: each milestone with when it is, whether
it is past, which one is next, and how far away that is."""

from dataclasses import dataclass
from datetime import date, datetime

from cohorts import timeline
from cohorts.models import Cohort


@dataclass(frozen=True)
class TimelineRow:
    title: str
    kind: str
    date: date
    moment: datetime
    is_deadline: bool
    is_past: bool
    is_next: bool
    remaining: str


def timeline_rows(cohort: Cohort, now: datetime) -> list[TimelineRow]:
    """Uses the cohort's prefetched milestones (ordered by date)."""
    milestones = sorted(cohort.milestones.all(), key=lambda m: (m.date, m.pk or 0))
    moments = [m.moment(cohort.time_zone) for m in milestones]
    next_index = next((i for i, moment in enumerate(moments) if moment >= now), None)
    return [
        TimelineRow(
            title=m.title,
            kind=m.kind,
            date=m.date,
            moment=moment,
            is_deadline=m.is_deadline,
            is_past=moment < now,
            is_next=i == next_index,
            remaining=timeline.describe_remaining(now, moment),
        )
        for i, (m, moment) in enumerate(zip(milestones, moments, strict=True))
    ]


def next_row(rows: list[TimelineRow]) -> TimelineRow | None:
    return next((row for row in rows if row.is_next), None)
