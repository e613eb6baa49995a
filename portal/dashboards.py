"""What each person's dashboard says about their cohorts."""

from dataclasses import dataclass
from datetime import datetime

from cohorts import timeline
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase
from cohorts.services.programme import submission_deadline, submission_refusal
from cohorts.timeline_view import TimelineRow, next_row, timeline_rows


@dataclass(frozen=True)
class MemberCohortCard:
    enrolment: Enrolment
    cohort: Cohort
    rows: list[TimelineRow]
    next: TimelineRow | None
    next_step: str
    deadline: datetime | None
    deadline_in: str | None
    can_submit: bool


def member_next_step(enrolment: Enrolment, now: datetime) -> str:
    cohort = enrolment.cohort
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return "Your organisation has withdrawn from this cohort."
    if cohort.phase in (Phase.DRAFT, Phase.ENROLMENT):
        return f"The cohort starts on {cohort.start_date:%-d %B %Y}. Self-assessment opens after the workshops begin."
    if cohort.phase == Phase.SELF_ASSESSMENT:
        refusal = submission_refusal(enrolment, now=now)
        if enrolment.status == EnrolmentStatus.SUBMITTED:
            return "Your self-assessment is submitted. Finalists are announced after the deadline."
        if refusal:
            return f"Self-assessment is closed for your organisation: {refusal}"
        return "Complete your self-assessment with your colleagues and submit it before the deadline."
    if cohort.phase == Phase.SHORTLISTING:
        return "The programme lead is choosing the finalists."
    if cohort.phase == Phase.JUDGING:
        if enrolment.status == EnrolmentStatus.FINALIST:
            return "You are a finalist: prepare your on-site presentation for the judges."
        return "Judging is under way with the finalists."
    return "Results are out." if cohort.phase == Phase.RESULTS else "This cohort is closed."


def member_cards(enrolments, now: datetime) -> list[MemberCohortCard]:
    cards = []
    for enrolment in enrolments:
        cohort = enrolment.cohort
        rows = timeline_rows(cohort, now)
        deadline = submission_deadline(enrolment) if cohort.phase in (Phase.ENROLMENT, Phase.SELF_ASSESSMENT) else None
        cards.append(
            MemberCohortCard(
                enrolment=enrolment,
                cohort=cohort,
                rows=rows,
                next=next_row(rows),
                next_step=member_next_step(enrolment, now),
                deadline=deadline.astimezone(cohort.zone) if deadline else None,
                deadline_in=timeline.describe_remaining(now, deadline) if deadline else None,
                can_submit=submission_refusal(enrolment, now=now) is None,
            )
        )
    return cards


@dataclass(frozen=True)
class CohortCard:
    cohort: Cohort
    rows: list[TimelineRow]
    next: TimelineRow | None


def cohort_cards(cohorts, now: datetime) -> list[CohortCard]:
    cards = []
    for cohort in cohorts:
        rows = timeline_rows(cohort, now)
        cards.append(CohortCard(cohort=cohort, rows=rows, next=next_row(rows)))
    return cards
