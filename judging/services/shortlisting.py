"""Shortlisting: the lead chooses the finalists among the organisations that
submitted their self-assessment, and announces the shortlist.

There is no model for the shortlist itself: an enrolment's status says
whether it is a finalist. What was announced lives in columns that
announce_shortlist sets: Cohort.shortlist_announced_at and _by, and each
enrolment's shortlist_news (what the last announcement told it). The
"shortlist.announced" audit entry only records it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.index import equal, round_half_up
from assessments.models import SelfAssessment
from assessments.selectors import AssessmentSummary, assessment_summaries
from cohorts import timeline
from cohorts.models import PHASE_ORDER, Cohort, Enrolment, EnrolmentStatus, Phase, ShortlistNews
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from judging.models import Assignment
from organisations.models import Membership

ANNOUNCED = "shortlist.announced"


# Reads that the page and the writes share ------------------------------------


@dataclass(frozen=True)
class RankedSubmission:
    enrolment: Enrolment
    summary: AssessmentSummary
    rank: int

    @property
    def is_finalist(self) -> bool:
        return self.enrolment.status == EnrolmentStatus.FINALIST


def _by_index(enrolment: Enrolment, summaries: dict[int, AssessmentSummary]):
    index = summaries[enrolment.pk].index
    return (index is None, -(index or 0), enrolment.organisation.name.lower())


def ranked_submissions(cohort: Cohort, enrolments=None, summaries=None) -> list[RankedSubmission]:
    """The organisations of the cohort whose self-assessment is submitted,
    highest self-assessment index first. Equal indexes (within 1e-9) share a
    rank (1, 2, 2, 4) and are listed by name. Two queries, whatever the size
    (fewer when the caller passes what it already loaded)."""
    if summaries is None:
        summaries = assessment_summaries(cohort)
    if enrolments is None:
        enrolments = cohort.enrolments.active().select_related("organisation")
    submitted = [
        e
        for e in enrolments
        if e.status != EnrolmentStatus.WITHDRAWN
        and e.pk in summaries
        and summaries[e.pk].status == SelfAssessment.Status.SUBMITTED
    ]
    submitted.sort(key=lambda e: _by_index(e, summaries))
    ranked: list[RankedSubmission] = []
    for position, enrolment in enumerate(submitted, start=1):
        summary = summaries[enrolment.pk]
        previous = ranked[-1] if ranked else None
        same = (
            previous is not None
            and summary.index is not None
            and previous.summary.index is not None
            and equal(summary.index, previous.summary.index)
        )
        ranked.append(RankedSubmission(enrolment, summary, previous.rank if same else position))
    return ranked


@dataclass
class AnnouncementPlan:
    """Who the next announcement tells what. On a first announcement, every
    finalist and every other submitted organisation; afterwards only those
    whose news changed since the last one (a correction for those told the
    opposite before)."""

    announced_at: datetime | None
    announced_by: User | None
    finalists: list[Enrolment]
    not_shortlisted: list[Enrolment]
    tell_finalists: list[Enrolment]
    tell_not_shortlisted: list[Enrolment]
    corrections: set[int]
    recipients: dict[int, list[str]] = field(default_factory=dict)

    @property
    def nobody_to_tell(self) -> bool:
        return not self.tell_finalists and not self.tell_not_shortlisted

    def people(self, enrolments: list[Enrolment]) -> int:
        return sum(len(self.recipients.get(e.organisation_id, [])) for e in enrolments)

    @property
    def finalist_people(self) -> int:
        return self.people(self.tell_finalists)

    @property
    def not_shortlisted_people(self) -> int:
        return self.people(self.tell_not_shortlisted)

    @property
    def corrected(self) -> list[Enrolment]:
        return [e for e in [*self.tell_finalists, *self.tell_not_shortlisted] if e.pk in self.corrections]

    @property
    def without_members(self) -> list[Enrolment]:
        return [
            e for e in [*self.tell_finalists, *self.tell_not_shortlisted] if not self.recipients.get(e.organisation_id)
        ]


def announcement_plan(cohort: Cohort, enrolments=None) -> AnnouncementPlan:
    """What announcing the shortlist now would send (three queries, or two
    when the caller passes the cohort's enrolments with their organisations)."""
    if enrolments is None:
        enrolments = cohort.enrolments.active().select_related("organisation")
    finalists = [e for e in enrolments if e.status == EnrolmentStatus.FINALIST]
    others = [e for e in enrolments if e.status == EnrolmentStatus.SUBMITTED]
    tell_finalists = [e for e in finalists if e.shortlist_news != ShortlistNews.FINALIST]
    tell_not_shortlisted = [e for e in others if e.shortlist_news != ShortlistNews.NOT_SHORTLISTED]
    corrections = {e.pk for e in tell_finalists if e.shortlist_news == ShortlistNews.NOT_SHORTLISTED} | {
        e.pk for e in tell_not_shortlisted if e.shortlist_news == ShortlistNews.FINALIST
    }
    recipients: dict[int, list[str]] = {}
    told = [e.organisation_id for e in [*tell_finalists, *tell_not_shortlisted]]
    if told:
        for organisation_id, email in (
            Membership.objects.active()
            .filter(organisation_id__in=told)
            .order_by("user__email")
            .values_list("organisation_id", "user__email")
        ):
            recipients.setdefault(organisation_id, []).append(email)
    return AnnouncementPlan(
        announced_at=cohort.shortlist_announced_at,
        announced_by=cohort.shortlist_announced_by,
        finalists=finalists,
        not_shortlisted=others,
        tell_finalists=tell_finalists,
        tell_not_shortlisted=tell_not_shortlisted,
        corrections=corrections,
        recipients=recipients,
    )


def change_refusal(cohort: Cohort, *, undo: bool = False) -> str | None:
    """Why the shortlist of the cohort cannot change now, or None."""
    if cohort.phase == Phase.SHORTLISTING:
        return None
    phase = Phase(cohort.phase).label.lower()
    if PHASE_ORDER.index(cohort.phase) > PHASE_ORDER.index(Phase.SHORTLISTING):
        if undo:
            return (
                f"Judging has started (cohort {cohort.number} is in {phase}): "
                "finalists can no longer be taken off the shortlist."
            )
        return f"Judging has started (cohort {cohort.number} is in {phase}): the shortlist is fixed."
    return (
        f"Cohort {cohort.number} is in {phase}: finalists are chosen in the shortlisting phase, "
        "once the self-assessment deadline has passed."
    )


# Writes -----------------------------------------------------------------------


def _locked_cohort(cohort: Cohort) -> Cohort:
    # Locking the cohort row serialises shortlist changes with phase moves.
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _refuse_unless_shortlisting(cohort: Cohort, *, undo: bool = False) -> None:
    refusal = change_refusal(cohort, undo=undo)
    if refusal:
        raise ServiceError(refusal)


def _refuse_unless_submitted(enrolment: Enrolment) -> None:
    name = enrolment.organisation.name
    if enrolment.status == EnrolmentStatus.FINALIST:
        raise ServiceError(f"{name} is already a finalist.")
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise ServiceError(f"{name} has withdrawn from the cohort.")
    submitted = SelfAssessment.objects.filter(enrolment=enrolment, status=SelfAssessment.Status.SUBMITTED).exists()
    if enrolment.status != EnrolmentStatus.SUBMITTED or not submitted:
        raise ServiceError(
            f"Only organisations that have submitted their self-assessment can be finalists; {name} has not."
        )


def _refuse_if_judges_assigned(enrolments: list[Enrolment]) -> None:
    assigned = sorted(
        set(
            Assignment.objects.active()
            .filter(enrolment__in=enrolments)
            .values_list("enrolment__organisation__name", flat=True)
        )
    )
    if assigned:
        raise ServiceError(
            f"{', '.join(assigned)} already {'has' if len(assigned) == 1 else 'have'} judges assigned: "
            "remove those assignments first, so that no judge is left with an organisation that is not a finalist."
        )


def _set_status(enrolment: Enrolment, status: str, *, actor, action: str) -> None:
    before = enrolment.status
    enrolment.status = status
    enrolment.save(update_fields=["status"])
    audit.record(actor=actor, action=action, obj=enrolment, before={"status": before}, after={"status": status})


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",)).select_related("organisation", "cohort").get(pk=enrolment.pk)
    )


@transaction.atomic
def select_finalist(*, enrolment: Enrolment, actor) -> Enrolment:
    """Put an organisation that submitted its self-assessment on the shortlist.

    Refused outside the shortlisting phase. Side effects: the enrolment
    becomes a finalist; a "shortlist.added" audit entry on it.
    """
    _refuse_unless_shortlisting(_locked_cohort(enrolment.cohort))
    enrolment = _locked_enrolment(enrolment)
    _refuse_unless_submitted(enrolment)
    _set_status(enrolment, EnrolmentStatus.FINALIST, actor=actor, action="shortlist.added")
    return enrolment


@transaction.atomic
def unselect_finalist(*, enrolment: Enrolment, actor) -> Enrolment:
    """Take a finalist off the shortlist (the lead's undo), until judging
    starts; refused once it has, and for a finalist that already has judges
    assigned.

    Side effects: the enrolment back to submitted; a "shortlist.removed"
    audit entry on it.
    """
    _refuse_unless_shortlisting(_locked_cohort(enrolment.cohort), undo=True)
    enrolment = _locked_enrolment(enrolment)
    if enrolment.status != EnrolmentStatus.FINALIST:
        raise ServiceError(f"{enrolment.organisation.name} is not a finalist.")
    _refuse_if_judges_assigned([enrolment])
    _set_status(enrolment, EnrolmentStatus.SUBMITTED, actor=actor, action="shortlist.removed")
    return enrolment


@dataclass(frozen=True)
class TopSelection:
    n: int
    finalists: list[Enrolment]
    added: list[Enrolment]
    removed: list[Enrolment]
    tied: list[Enrolment]
    cut_off: float | None
    submitted: int

    @property
    def message(self) -> str:
        count = len(self.finalists)
        parts = []
        if self.submitted <= self.n:
            parts.append(
                f"Only {self.submitted} organisation{'s' if self.submitted != 1 else ''} submitted: "
                f"all of them are finalists."
            )
        elif self.tied:
            names = _and([e.organisation.name for e in self.tied])
            parts.append(
                f"The shortlist now has the top {self.n} and {count - self.n} more: {count} finalists, "
                f"because {names} are tied at the cut-off with an index of {round_half_up(self.cut_off)}."
            )
        else:
            parts.append(f"The shortlist is now the top {self.n}.")
        if not self.added and not self.removed:
            parts.append("Nothing changed.")
        else:
            parts.append(f"{len(self.added)} added, {len(self.removed)} taken off.")
        return " ".join(parts)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@transaction.atomic
def select_top(*, cohort: Cohort, n: int, actor) -> TopSelection:
    """Make the shortlist the `n` organisations with the highest
    self-assessment index among those that submitted. Organisations tied
    with the n-th (within 1e-9) are all included, and the result says so;
    finalists outside the top n are taken off.

    Refused outside the shortlisting phase, for n below 1, when nobody has
    submitted, and when a finalist to be taken off already has judges.
    Side effects: as select_finalist and unselect_finalist, per change.
    """
    cohort = _locked_cohort(cohort)
    _refuse_unless_shortlisting(cohort)
    if n < 1:
        raise ServiceError("Choose how many finalists you want: a whole number of at least 1.")
    enrolments = list(cohort.enrolments.active().select_for_update(of=("self",)).select_related("organisation"))
    ranked = [r for r in ranked_submissions(cohort, enrolments) if r.summary.index is not None]
    if not ranked:
        raise ServiceError("No organisation has submitted its self-assessment, so there is no one to shortlist.")
    cut_off = ranked[min(n, len(ranked)) - 1].summary.index
    top = [r for r in ranked if r.summary.index > cut_off or equal(r.summary.index, cut_off)]
    tied = [r.enrolment for r in top[n:]]
    if tied:
        tied = [r.enrolment for r in top if equal(r.summary.index, cut_off)]
    chosen = {r.enrolment.pk for r in top}
    removed = [e for e in enrolments if e.status == EnrolmentStatus.FINALIST and e.pk not in chosen]
    added = [r.enrolment for r in top if r.enrolment.status == EnrolmentStatus.SUBMITTED]
    _refuse_if_judges_assigned(removed)
    for enrolment in removed:
        _set_status(enrolment, EnrolmentStatus.SUBMITTED, actor=actor, action="shortlist.removed")
    for enrolment in added:
        _set_status(enrolment, EnrolmentStatus.FINALIST, actor=actor, action="shortlist.added")
    return TopSelection(
        n=n,
        finalists=[r.enrolment for r in top],
        added=added,
        removed=removed,
        tied=tied,
        cut_off=cut_off,
        submitted=len(ranked),
    )


@dataclass(frozen=True)
class Announcement:
    finalists_told: list[Enrolment]
    not_shortlisted_told: list[Enrolment]
    emails: int


def _milestone_context(cohort: Cohort) -> dict:
    return {
        "judging_day": cohort.milestone_date(timeline.JUDGING),
        "judging_deadline": cohort.judging_deadline,
        "ceremony_day": cohort.milestone_date(timeline.AWARD_CEREMONY),
    }


@transaction.atomic
def announce_shortlist(*, cohort: Cohort, actor) -> Announcement:
    """Tell the organisations that submitted whether they are finalists.

    The first announcement tells everyone; a later one only the
    organisations whose news changed since (with a correction where they
    were told the opposite), and is refused when there is nobody new to tell.
    Side effects: a "shortlist_finalist" e-mail to every member of each
    finalist told, a "shortlist_not_selected" e-mail to every member of each
    other organisation told; the cohort's shortlist_announced_at and _by
    and every enrolment's shortlist_news (what it has now been told) set; a
    "shortlist.announced" audit entry on the cohort listing the finalists
    and the organisations not shortlisted.
    """
    cohort = _locked_cohort(cohort)
    _refuse_unless_shortlisting(cohort)
    plan = announcement_plan(cohort)
    if not plan.finalists:
        raise ServiceError("Select at least one finalist before announcing the shortlist.")
    if plan.announced_at is not None and plan.nobody_to_tell:
        raise ServiceError(
            f"The shortlist was announced on {plan.announced_at:%-d %B %Y} and has not changed since: "
            "everyone already knows their news."
        )
    common = {
        "cohort": cohort,
        "dashboard_url": absolute_url(reverse("member_dashboard")),
        **_milestone_context(cohort),
    }
    emails = 0
    for template, told in (
        ("shortlist_finalist", plan.tell_finalists),
        ("shortlist_not_selected", plan.tell_not_shortlisted),
    ):
        for enrolment in told:
            recipients = plan.recipients.get(enrolment.organisation_id, [])
            if recipients:
                context = {
                    **common,
                    "organisation": enrolment.organisation,
                    "correction": enrolment.pk in plan.corrections,
                    "finalist_count": len(plan.finalists),
                }
                emails += len(send_templated_email(to=recipients, template=template, context=context))
    enrolments = list(cohort.enrolments.select_related("organisation"))
    previous = (
        {
            "finalists": sorted(e.organisation.name for e in enrolments if e.shortlist_news == ShortlistNews.FINALIST),
            "not_shortlisted": sorted(
                e.organisation.name for e in enrolments if e.shortlist_news == ShortlistNews.NOT_SHORTLISTED
            ),
        }
        if plan.announced_at is not None
        else None
    )
    news = {e.pk: ShortlistNews.FINALIST for e in plan.finalists} | {
        e.pk: ShortlistNews.NOT_SHORTLISTED for e in plan.not_shortlisted
    }
    changed = []
    for enrolment in enrolments:
        told = news.get(enrolment.pk, ShortlistNews.NONE)
        if enrolment.shortlist_news != told:
            enrolment.shortlist_news = told
            changed.append(enrolment)
    Enrolment.objects.bulk_update(changed, ["shortlist_news"])
    cohort.shortlist_announced_at = timezone.now()
    cohort.shortlist_announced_by = actor if actor is not None and actor.is_authenticated else None
    cohort.save(update_fields=["shortlist_announced_at", "shortlist_announced_by"])
    audit.record(
        actor=actor,
        action="shortlist.announced",
        obj=cohort,
        before=previous,
        after={
            "finalists": sorted(e.organisation.name for e in plan.finalists),
            "not_shortlisted": sorted(e.organisation.name for e in plan.not_shortlisted),
            "emails": emails,
        },
    )
    return Announcement(
        finalists_told=plan.tell_finalists, not_shortlisted_told=plan.tell_not_shortlisted, emails=emails
    )
