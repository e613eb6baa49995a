"""The scoring method of DESIGN.md as pure functions: plain values in, plain
values out, no database and no Django, so that they can be tested with
hypothesis and reused by pages, reports and exports.

This module starts with the self-assessment side (point 7); the judging side
(normalisation, totals, ranks, levels, awards) builds on the same helpers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

EPSILON = 1e-9


def level_to_score(level: int) -> float:
    """A maturity level 1–5 on the judges' 0–10 scale: (L − 1) · 2.5."""
    if not 1 <= level <= 5:
        raise ValueError(f"A maturity level is between 1 and 5, not {level}.")
    return (level - 1) * 2.5


def weighted_total(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """10 · Σ w·s / Σ w over the criteria in `weights`, on 0–100.

    Every criterion in `weights` must have a score.
    """
    if not weights:
        raise ValueError("There are no criteria to total.")
    if any(float(w) <= 0 for w in weights.values()):
        raise ValueError("Criterion weights must be positive.")
    values = [float(scores[code]) for code in weights]
    mean = math.fsum(float(weights[code]) * float(scores[code]) for code in weights) / math.fsum(
        float(w) for w in weights.values()
    )
    # A weighted mean lies between the smallest and largest value; clamping
    # only removes floating-point error (so that all tens never give 100.00000000000001).
    return 10 * min(max(mean, min(values)), max(values))


def self_assessment_index(levels: Mapping[str, int | None], weights: Mapping[str, float]) -> float | None:
    """The self-assessment index on 0–100 (DESIGN.md, scoring point 7).

    `weights` holds the criteria that are not judging-only; `levels` the
    organisation's maturity level for each. None while any level is missing.
    """
    if not weights or any(levels.get(code) is None for code in weights):
        return None
    return weighted_total({code: level_to_score(levels[code]) for code in weights}, weights)


def calibration_gaps(judged: Mapping[str, float], levels: Mapping[str, int]) -> dict[str, float]:
    """Per criterion that was self-assessed: the judged mean minus the
    self-assessed value (positive where the organisation under-rated itself)."""
    return {code: judged[code] - level_to_score(level) for code, level in levels.items() if code in judged}


def round_half_up(value: float, places: int = 1) -> Decimal:
    """How values are shown: rounded half up (74.95 → 75.0), never half to even."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
