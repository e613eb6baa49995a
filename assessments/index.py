"""The self-assessment side of the scoring method (DESIGN.md, scoring point 7) and
the arithmetic both sides share: plain values in, plain values out, no database
and no Django. results.scoring builds the judged side on it; pages of the apps
below results (the self-assessment, the shortlist) use it directly."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal

EPSILON = 1e-9


def real(value, what: str) -> float:
    """`value` as a finite float; ValueError for anything else (NaN, infinities,
    numbers too large for a float, booleans, text), so that hostile input is
    refused here rather than turned silently into a result."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{what} must be a number, not {value!r}.")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {value!r}.")
    return number


def score(value, what: str = "A score") -> float:
    number = real(value, what)
    if not 0 <= number <= 10:
        raise ValueError(f"{what} is a number from 0 to 10, not {value!r}.")
    return number


def level_to_score(level: int) -> float:
    """A maturity level 1–5 on the judges' 0–10 scale: (L − 1) · 2.5."""
    number = real(level, "A maturity level")
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValueError(f"A maturity level is between 1 and 5, not {level}.")
    return (number - 1) * 2.5


def weighted_total(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """10 · Σ w·s / Σ w over the criteria in `weights`, on 0–100.

    Every criterion in `weights` must have a score.
    """
    if not weights:
        raise ValueError("There are no criteria to total.")
    if any(real(w, "A criterion weight") <= 0 for w in weights.values()):
        raise ValueError("Criterion weights must be positive.")
    values = [score(scores[code], f"The score for {code}") for code in weights]
    mean = math.fsum(float(weights[code]) * value for code, value in zip(weights, values, strict=True)) / math.fsum(
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


def round_half_up(value: float, places: int = 1) -> Decimal:
    """How values are shown: rounded half up (74.95 → 75.0), never half to even."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not number.is_finite():
        raise ValueError(f"Only a finite number can be rounded, not {value!r}.")
    # Enough digits for any magnitude: quantize refuses to drop integer digits.
    precision = max(28, number.adjusted() + places + 2)
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=precision))


def equal(a: float, b: float) -> bool:
    return abs(a - b) <= EPSILON
