"""The scoring method of DESIGN.md as pure functions: plain values in, plain
values out, no database and no Django, so that they can be tested with
hypothesis and reused by pages, reports and exports.

The points of the method are marked in the docstrings ("scoring point 4").
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

# The levels are plain values kept low (cohorts.levels, no Django), so that the enrolment's and
# the certificate's choices, below and beside results, take the same values.
# The self-assessment index and the shared arithmetic live beneath results (assessments.index),
# so that the self-assessment and shortlist pages use them without importing results.
from assessments.index import EPSILON, equal, level_to_score, weighted_total
from assessments.index import real as _real
from assessments.index import round_half_up as round_half_up  # the scoring method's rounding, for its users
from assessments.index import score as _score
from assessments.index import self_assessment_index as self_assessment_index  # scoring point 7
from cohorts.levels import ACCREDITED, DISTINCTION, NOT_ACCREDITED, NOT_JUDGED


def calibration_gaps(judged: Mapping[str, float], levels: Mapping[str, int]) -> dict[str, float]:
    """Per criterion that was self-assessed: the judged mean minus the
    self-assessed value (positive where the organisation under-rated itself)."""
    return {
        code: _score(judged[code], f"The judged score for {code}") - level_to_score(level)
        for code, level in levels.items()
        if code in judged
    }


# The judging side --------------------------------------------------------------
#
# Inputs are plain values: the criteria (code, pillar, weight), and one
# scorecard per (judge, finalist) that counts — submitted, not withdrawn for
# a conflict — mapping every criterion code to a whole score 0–10.

MODERATION_SPREAD = 4


@dataclass(frozen=True)
class CriterionInfo:
    code: str
    pillar: str  # "P" or "Q"
    weight: float


Scorecards = Mapping[tuple[Hashable, Hashable], Mapping[str, float]]


def mean(values) -> float:
    values = list(values)
    return math.fsum(values) / len(values)


def population_sd(values) -> float:
    values = list(values)
    centre = mean(values)
    return math.sqrt(math.fsum((value - centre) ** 2 for value in values) / len(values))


def median(values) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def normalise(scorecards: Scorecards) -> dict[tuple[Hashable, Hashable], dict[str, float]]:
    """Scoring point 1: each judge's scores rescaled to the mean and spread
    of all the cohort's submitted scores: s' = mean_all + sd_all · (s − mean_j) / sd_j,
    or s − mean_j + mean_all for a judge whose scores are all equal; clipped to 0–10."""
    everything = [_score(s) for card in scorecards.values() for s in card.values()]
    if not everything:
        return {}
    mean_all, sd_all = mean(everything), population_sd(everything)
    by_judge: dict[Hashable, list[float]] = {}
    for (judge, _), card in scorecards.items():
        by_judge.setdefault(judge, []).extend(float(s) for s in card.values())
    judge_stats = {judge: (mean(values), population_sd(values)) for judge, values in by_judge.items()}
    result = {}
    for (judge, finalist), card in scorecards.items():
        mean_j, sd_j = judge_stats[judge]
        result[(judge, finalist)] = {
            code: _clip(mean_all + sd_all * (float(s) - mean_j) / sd_j if sd_j > 0 else float(s) - mean_j + mean_all)
            for code, s in card.items()
        }
    return result


def _clip(value: float) -> float:
    return min(10.0, max(0.0, value))


def _means(cards: Sequence[Mapping[str, float]], criteria: Sequence[CriterionInfo]) -> dict[str, float]:
    """Scoring point 2: per criterion, the mean over the scorecards of the
    judges who submitted one for the finalist. Empty when nobody did."""
    if not cards:
        return {}
    return {c.code: mean(float(card[c.code]) for card in cards) for c in criteria}


def totals(means: Mapping[str, float], criteria: Sequence[CriterionInfo]) -> tuple[float, float | None, float | None]:
    """Scoring point 3: (T, P, Q) on 0–100, unrounded; a pillar with no
    criteria has no total."""

    def over(selected):
        return weighted_total(means, {c.code: c.weight for c in selected}) if selected else None

    return (
        over(criteria),
        over([c for c in criteria if c.pillar == "P"]),
        over([c for c in criteria if c.pillar == "Q"]),
    )


def rank(results: Mapping[Hashable, tuple[float, float]]) -> dict[Hashable, int]:
    """Scoring point 4: by total (T) descending, ties broken by the Q total;
    values within 1e-9 are equal; still equal gives an equal rank (1, 2, 2, 4).
    `results` maps each judged finalist to (T, Q)."""

    for total, q_total in results.values():
        _real(total, "A total")
        if q_total is not None:
            _real(q_total, "A Q total")

    def compare(a, b) -> int:
        (_, (total_a, q_a)), (_, (total_b, q_b)) = a, b
        if not equal(total_a, total_b):
            return -1 if total_a > total_b else 1
        if q_a is not None and q_b is not None and not equal(q_a, q_b):
            return -1 if q_a > q_b else 1
        return 0

    ordered = sorted(results.items(), key=functools.cmp_to_key(compare))
    ranks: dict[Hashable, int] = {}
    previous = None
    for position, (finalist, (total, q_total)) in enumerate(ordered, start=1):
        if previous is not None and compare((finalist, (total, q_total)), previous) == 0:
            ranks[finalist] = ranks[previous[0]]
        else:
            ranks[finalist] = position
        previous = (finalist, (total, q_total))
    return ranks


def level(total: float, *, pass_threshold: float, distinction_threshold: float) -> str:
    """Scoring point 5."""
    total = _real(total, "A total")
    pass_threshold = _real(pass_threshold, "The accreditation threshold")
    distinction_threshold = _real(distinction_threshold, "The distinction threshold")
    if total >= distinction_threshold - EPSILON:
        return DISTINCTION
    if total >= pass_threshold - EPSILON:
        return ACCREDITED
    return NOT_ACCREDITED


def _flags(cards: Sequence[Mapping[str, float]], criteria: Sequence[CriterionInfo]) -> list[str]:
    """Scoring point 6: criteria where the raw scores of the finalist's
    judges (`cards`) differ by 4 points or more."""
    flagged = []
    for c in criteria:
        values = [float(card[c.code]) for card in cards]
        if len(values) > 1 and max(values) - min(values) >= MODERATION_SPREAD:
            flagged.append(c.code)
    return flagged


@dataclass(frozen=True)
class FinalistResult:
    finalist: Hashable
    judged: bool
    means: dict[str, float] = field(default_factory=dict)
    total: float | None = None
    p_total: float | None = None
    q_total: float | None = None
    rank: int | None = None
    level: str = NOT_JUDGED
    moderation: list[str] = field(default_factory=list)
    judges: int = 0


@dataclass(frozen=True)
class CohortResults:
    finalists: dict[Hashable, FinalistResult]
    normalised: bool
    scores_used: dict[tuple[Hashable, Hashable], dict[str, float]]
    winners: list[Hashable]
    best_people: list[Hashable]
    best_quality: list[Hashable]


def compute_results(
    *,
    criteria: Sequence[CriterionInfo],
    finalists: Sequence[Hashable],
    scorecards: Scorecards,
    normalise_scores: bool,
    pass_threshold: float,
    distinction_threshold: float,
) -> CohortResults:
    """The whole scoring method (points 1–6 and 9) for one cohort."""
    for (judge, finalist), card in scorecards.items():
        missing = [c.code for c in criteria if c.code not in card]
        if missing:
            raise ValueError(f"The scorecard of {judge} for {finalist} has no score for {', '.join(missing)}.")
        for code, score in card.items():
            _score(score, f"The score of {judge} for {finalist} on {code}")
    used = (
        normalise(scorecards)
        if normalise_scores
        else {k: {c: float(s) for c, s in v.items()} for k, v in scorecards.items()}
    )
    used_by_finalist: dict[Hashable, list] = {}
    raw_by_finalist: dict[Hashable, list] = {}
    for (_, finalist), card in used.items():
        used_by_finalist.setdefault(finalist, []).append(card)
    for (_, finalist), card in scorecards.items():
        raw_by_finalist.setdefault(finalist, []).append(card)
    partial: dict[Hashable, FinalistResult] = {}
    for finalist in finalists:
        means = _means(used_by_finalist.get(finalist, []), criteria)
        if not means:
            partial[finalist] = FinalistResult(finalist=finalist, judged=False)
            continue
        total, p_total, q_total = totals(means, criteria)
        partial[finalist] = FinalistResult(
            finalist=finalist,
            judged=True,
            means=means,
            total=total,
            p_total=p_total,
            q_total=q_total,
            level=level(total, pass_threshold=pass_threshold, distinction_threshold=distinction_threshold),
            moderation=_flags(raw_by_finalist.get(finalist, []), criteria),
            judges=len(raw_by_finalist.get(finalist, [])),
        )
    judged = {f: r for f, r in partial.items() if r.judged}
    ranks = rank({f: (r.total, r.q_total) for f, r in judged.items()})
    results = {f: (FinalistResult(**{**r.__dict__, "rank": ranks[f]}) if r.judged else r) for f, r in partial.items()}
    return CohortResults(
        finalists=results,
        normalised=normalise_scores,
        scores_used=used,
        winners=[f for f, r in ranks.items() if r == 1],
        best_people=_best(judged, "p_total"),
        best_quality=_best(judged, "q_total"),
    )


def _best(judged: Mapping[Hashable, FinalistResult], attribute: str) -> list[Hashable]:
    """Scoring point 9: the highest value among judged finalists; equal values share."""
    values = {f: getattr(r, attribute) for f, r in judged.items() if getattr(r, attribute) is not None}
    if not values:
        return []
    top = max(values.values())
    return [f for f, value in values.items() if equal(value, top)]
