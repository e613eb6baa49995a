"""Results: a live preview computed from the submitted scorecards, and the
frozen snapshot made when the lead finalises (DESIGN.md, "Scoring method").
The arithmetic is in results.scoring; this module gathers its inputs
in a fixed number of queries and stores what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from assessments.models import Response
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase
from cohorts.services import programme
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from frameworks.models import Criterion
from judging.models import Scorecard, ScoreEntry
from organisations.models import Membership
from results import scoring
from results.models import ResultSnapshot
from results.signals import results_finalised

FINALIST_STATUSES = (
    EnrolmentStatus.FINALIST,
    EnrolmentStatus.ACCREDITED_DISTINCTION,
    EnrolmentStatus.ACCREDITED,
    EnrolmentStatus.NOT_ACCREDITED,
    EnrolmentStatus.NOT_JUDGED,
)
LEVEL_LABELS = {
    scoring.DISTINCTION: "Accredited with distinction",
    scoring.ACCREDITED: "Accredited",
    scoring.NOT_ACCREDITED: "Not accredited",
    scoring.NOT_JUDGED: "Not judged",
}


@dataclass
class Inputs:
    """Everything the scoring needs, and what the pages show beside it."""

    cohort: Cohort
    criteria: list[Criterion]
    finalists: list[Enrolment]
    judges: dict[int, str]  # judge id → name, for the lead only
    raw: dict[tuple[int, int], dict[str, int]]  # (judge id, enrolment id) → code → score
    comments: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # enrolment → code → comments
    strengths: dict[int, list[str]] = field(default_factory=dict)
    improvements: dict[int, list[str]] = field(default_factory=dict)
    self_levels: dict[int, dict[str, int | None]] = field(default_factory=dict)  # enrolment → code → level
    open_scorecards: list[tuple[str, str]] = field(default_factory=list)  # (judge, organisation)
    withdrawn: list[tuple[str, str, str]] = field(default_factory=list)  # (judge, organisation, reason)

    @property
    def criterion_infos(self) -> list[scoring.CriterionInfo]:
        return [scoring.CriterionInfo(c.code, c.pillar, float(c.weight)) for c in self.criteria]


def gather(cohort: Cohort) -> Inputs:
    """The submitted scorecards of the cohort's finalists (withdrawn ones
    and those unlocked and not yet resubmitted do not count)."""
    criteria = list(cohort.framework.criteria.order_by("position", "code")) if cohort.framework_id else []
    finalists = list(
        cohort.enrolments.filter(status__in=FINALIST_STATUSES)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    finalist_ids = {f.pk for f in finalists}
    inputs = Inputs(cohort=cohort, criteria=criteria, finalists=finalists, judges={}, raw={})
    # Plain values rather than model objects: a cohort can have thousands of scorecards.
    scorecards = (
        Scorecard.objects.filter(assignment__cohort=cohort, assignment__enrolment_id__in=finalist_ids)
        .values_list(
            "pk",
            "status",
            "strengths",
            "improvements",
            "withdrawal_reason",
            "assignment__judge_id",
            "assignment__judge__full_name",
            "assignment__judge__email",
            "assignment__enrolment_id",
            "assignment__removed_at",
        )
        .order_by("assignment__enrolment__organisation__name", "assignment__judge__full_name", "pk")
    )
    organisation_of = {f.pk: f.organisation.name for f in finalists}
    card_owner = {}
    for pk, status, strengths, improvements, reason, judge_id, full_name, email, enrolment_id, removed in scorecards:
        judge_name = full_name or email
        if status == Scorecard.Status.SUBMITTED:
            card_owner[pk] = (judge_id, enrolment_id)
            inputs.judges[judge_id] = judge_name
            if strengths.strip():
                inputs.strengths.setdefault(enrolment_id, []).append(strengths.strip())
            if improvements.strip():
                inputs.improvements.setdefault(enrolment_id, []).append(improvements.strip())
        elif status == Scorecard.Status.DRAFT and removed is None:
            inputs.open_scorecards.append((judge_name, organisation_of[enrolment_id]))
        elif status == Scorecard.Status.WITHDRAWN:
            inputs.withdrawn.append((judge_name, organisation_of[enrolment_id], reason))
    # The scores: ids only, mapped in Python (no joins on 20,000 rows).
    code_of = {c.pk: c.code for c in criteria}
    position_of = {c.pk: (c.position, c.code) for c in criteria}
    entries = sorted(
        ScoreEntry.objects.filter(
            scorecard__assignment__cohort=cohort, scorecard__status=Scorecard.Status.SUBMITTED
        ).values_list("scorecard_id", "criterion_id", "score", "comment"),
        key=lambda row: (card_owner.get(row[0], (0, 0))[0], position_of.get(row[1], (0, ""))),
    )
    for enrolment_id, code, level in Response.objects.filter(assessment__enrolment_id__in=finalist_ids).values_list(
        "assessment__enrolment_id", "criterion__code", "level"
    ):
        inputs.self_levels.setdefault(enrolment_id, {})[code] = level
    for scorecard_id, criterion_id, score, comment in entries:
        if scorecard_id not in card_owner or criterion_id not in code_of:
            continue
        judge_id, enrolment_id = card_owner[scorecard_id]
        code = code_of[criterion_id]
        inputs.raw.setdefault((judge_id, enrolment_id), {})[code] = score
        if comment.strip():
            inputs.comments.setdefault(enrolment_id, {}).setdefault(code, []).append(comment.strip())
    return inputs


def compute(inputs: Inputs, *, normalise_scores: bool) -> scoring.CohortResults:
    cohort = inputs.cohort
    return scoring.compute_results(
        criteria=inputs.criterion_infos,
        finalists=[f.pk for f in inputs.finalists],
        scorecards=inputs.raw,
        normalise_scores=normalise_scores,
        pass_threshold=float(cohort.pass_threshold),
        distinction_threshold=float(cohort.distinction_threshold),
    )


@dataclass(frozen=True)
class JudgeSeverity:
    judge: str
    mean: float
    spread: float
    count: int


def severity(inputs: Inputs) -> tuple[list[JudgeSeverity], float | None, float | None]:
    """Each judge's mean and spread (population sd) of raw scores, and the cohort's."""
    by_judge: dict[int, list[float]] = {}
    for (judge_id, _), card in inputs.raw.items():
        by_judge.setdefault(judge_id, []).extend(float(s) for s in card.values())
    everything = [s for values in by_judge.values() for s in values]
    rows = sorted(
        (
            JudgeSeverity(inputs.judges[j], scoring.mean(v), scoring.population_sd(v), len(v))
            for j, v in by_judge.items()
        ),
        key=lambda row: row.mean,
    )
    if not everything:
        return rows, None, None
    return rows, scoring.mean(everything), scoring.population_sd(everything)


def snapshot_data(inputs: Inputs, results: scoring.CohortResults) -> dict:
    """What is frozen: per finalist results, awards, criteria, the scores used
    (raw and normalised) and the judges' comments without their names."""
    normalised = scoring.normalise(inputs.raw)
    finalists = []
    for enrolment in inputs.finalists:
        r = results.finalists[enrolment.pk]
        finalists.append(
            {
                "enrolment": enrolment.pk,
                "organisation": enrolment.organisation.name,
                "judged": r.judged,
                "total": r.total,
                "p_total": r.p_total,
                "q_total": r.q_total,
                "rank": r.rank,
                "level": r.level,
                "means": r.means,
                "moderation": r.moderation,
                "judges": r.judges,
                "comments": inputs.comments.get(enrolment.pk, {}),
                "strengths": inputs.strengths.get(enrolment.pk, []),
                "improvements": inputs.improvements.get(enrolment.pk, []),
                "self_levels": inputs.self_levels.get(enrolment.pk, {}),
            }
        )
    return {
        "criteria": [
            {
                "code": c.code,
                "title": c.title,
                "pillar": c.pillar,
                "weight": float(c.weight),
                "judging_only": c.judging_only,
            }
            for c in inputs.criteria
        ],
        "finalists": finalists,
        "withdrawn": [
            {"judge": judge, "organisation": organisation, "reason": reason}
            for judge, organisation, reason in inputs.withdrawn
        ],
        "awards": {
            "winner": results.winners,
            "best_people": results.best_people,
            "best_quality": results.best_quality,
        },
        "scores": [
            {
                "judge": inputs.judges[judge_id],
                "judge_id": judge_id,
                "enrolment": enrolment_id,
                "criterion": code,
                "raw": score,
                "normalised": normalised[(judge_id, enrolment_id)][code],
            }
            for (judge_id, enrolment_id), card in sorted(inputs.raw.items())
            for code, score in card.items()
        ],
    }


def final_snapshot(cohort: Cohort) -> ResultSnapshot | None:
    return cohort.result_snapshots.filter(status=ResultSnapshot.Status.FINAL).first()


@transaction.atomic
def finalise(*, cohort: Cohort, actor, confirm_missing: bool = False, now: datetime | None = None) -> ResultSnapshot:
    """Freeze the results and publish them.

    Refused while scorecards are open unless `confirm_missing` (the snapshot
    then says which were missing). Side effects: a ResultSnapshot; every
    enrolment's outcome set (finalists by level or not judged; the others
    not shortlisted); the cohort moved to results; audit entries; an e-mail
    to each organisation's members with its outcome; `results_finalised` sent
    (on which documents issues the certificates and queues the documents).
    """
    cohort = Cohort.objects.select_for_update(of=("self",)).select_related("framework").get(pk=cohort.pk)
    if cohort.phase != Phase.JUDGING:
        raise ServiceError(
            f"Results can be finalised only in the judging phase "
            f"(cohort {cohort.number} is in {cohort.get_phase_display().lower()})."
        )
    inputs = gather(cohort)
    if not inputs.finalists:
        raise ServiceError("There are no finalists to give results for.")
    if inputs.open_scorecards and not confirm_missing:
        listed = "; ".join(f"{judge} for {organisation}" for judge, organisation in inputs.open_scorecards)
        raise ServiceError(
            f"{len(inputs.open_scorecards)} scorecard{'s are' if len(inputs.open_scorecards) != 1 else ' is'} "
            f"still open ({listed}). Confirm to finalise without them."
        )
    results = compute(inputs, normalise_scores=cohort.normalise_scores)
    statuses_before = dict(cohort.enrolments.values_list("pk", "status"))
    number = (cohort.result_snapshots.aggregate(n=Max("number"))["n"] or 0) + 1
    snapshot = ResultSnapshot.objects.create(
        cohort=cohort,
        number=number,
        finalised_at=now or timezone.now(),
        finalised_by=actor,
        settings={
            "normalise_scores": cohort.normalise_scores,
            "pass_threshold": float(cohort.pass_threshold),
            "distinction_threshold": float(cohort.distinction_threshold),
            "judges_per_finalist": cohort.judges_per_finalist,
            "framework": str(cohort.framework),
        },
        missing_scorecards=[{"judge": j, "organisation": o} for j, o in inputs.open_scorecards],
        data={**snapshot_data(inputs, results), "statuses_before": {str(k): v for k, v in statuses_before.items()}},
    )
    outcomes = _set_outcomes(cohort, results)
    audit.record(
        actor=actor,
        action="results.finalised",
        obj=cohort,
        after={"snapshot": number, "finalists": len(inputs.finalists)},
        note="Missing scorecards: " + "; ".join(f"{j} for {o}" for j, o in inputs.open_scorecards)
        if inputs.open_scorecards
        else "",
    )
    programme.move_phase(cohort=cohort, to=Phase.RESULTS, actor=actor)
    _tell_organisations(cohort, outcomes)
    results_finalised.send(sender=ResultSnapshot, snapshot=snapshot, actor=actor)
    return snapshot


def _set_outcomes(cohort: Cohort, results: scoring.CohortResults) -> dict[int, str]:
    outcomes = {}
    for enrolment in cohort.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN):
        if enrolment.pk in results.finalists:
            outcome = results.finalists[enrolment.pk].level
        else:
            outcome = EnrolmentStatus.NOT_SHORTLISTED
        if enrolment.status != outcome:
            audit.record(
                actor=None,
                action="enrolment.outcome",
                obj=enrolment,
                before={"status": enrolment.status},
                after={"status": outcome},
            )
            enrolment.status = outcome
            enrolment.save(update_fields=["status"])
        outcomes[enrolment.pk] = outcome
    return outcomes


def _tell_organisations(cohort: Cohort, outcomes: dict[int, str]) -> None:
    enrolments = list(cohort.enrolments.filter(pk__in=outcomes).select_related("organisation"))
    members: dict[int, list[str]] = {}
    for organisation_id, email in (
        Membership.objects.active()
        .filter(organisation_id__in=[e.organisation_id for e in enrolments])
        .values_list("organisation_id", "user__email")
    ):
        members.setdefault(organisation_id, []).append(email)
    for enrolment in enrolments:
        recipients = members.get(enrolment.organisation_id)
        if not recipients:
            continue
        send_templated_email(
            to=recipients,
            template="results_published",
            context={
                "cohort": cohort,
                "organisation": enrolment.organisation,
                "outcome": EnrolmentStatus(outcomes[enrolment.pk]).label,
                "url": absolute_url(reverse("results:organisation", args=[cohort.number, enrolment.pk])),
            },
        )


@transaction.atomic
def reopen(*, cohort: Cohort, actor, reason: str) -> ResultSnapshot:
    """Reopen finalised results: the snapshot is kept, marked superseded;
    enrolments go back to where they were; the cohort returns to judging.

    Side effects: as described; audit entries with the reason.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give a reason for reopening the results.")
    if cohort.phase != Phase.RESULTS:
        raise ServiceError("Only results that are out, in a cohort that is not closed, can be reopened.")
    snapshot = final_snapshot(cohort)
    if snapshot is None:
        raise ServiceError("These results have not been finalised.")
    snapshot.status = ResultSnapshot.Status.SUPERSEDED
    snapshot.superseded_at = timezone.now()
    snapshot.superseded_by = actor
    snapshot.reopen_reason = reason
    snapshot.save(update_fields=["status", "superseded_at", "superseded_by", "reopen_reason"])
    before = {int(k): v for k, v in snapshot.data.get("statuses_before", {}).items()}
    for enrolment in cohort.enrolments.filter(pk__in=before):
        if enrolment.status != before[enrolment.pk] and enrolment.status != EnrolmentStatus.WITHDRAWN:
            enrolment.status = before[enrolment.pk]
            enrolment.save(update_fields=["status"])
    audit.record(actor=actor, action="results.reopened", obj=cohort, before={"snapshot": snapshot.number}, note=reason)
    programme.move_phase(cohort=cohort, to=Phase.JUDGING, actor=actor, reason=reason)
    return snapshot
