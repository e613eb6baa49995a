"""Charts drawn on the server as SVG with matplotlib, so that a page and a
PDF show the same picture. Each function takes plain values and returns the
SVG document as a string."""

import io
from collections.abc import Sequence

import matplotlib

from assessments.scoring import round_half_up

matplotlib.use("Agg")  # no display: draw to files only

from matplotlib import pyplot as plt  # after choosing the backend

BRAND = "#0b4f6c"
ACCENT = "#e0a100"
GRID = "#ced4da"
TEXT = "#212529"

plt.rcParams.update(
    {
        "svg.fonttype": "none",  # keep text as text: smaller, searchable, scales cleanly
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.edgecolor": GRID,
        "axes.labelcolor": TEXT,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "svg.hashsalt": "pq-portal",  # the same input draws the same file
        # Names are text, never TeX: "$x^$" in an organisation's or a criterion's name would
        # otherwise be parsed as mathtext (and fail, or print in italics).
        "text.parse_math": False,
    }
)


def _to_svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def maturity_profile(labels: Sequence[str], levels: Sequence[int | None], *, title: str = "Maturity profile") -> str:
    """Horizontal bars of the self-assessed maturity level (1–5) per criterion."""
    height = 0.45 * len(labels) + 1.2
    figure, axes = plt.subplots(figsize=(7, height))
    positions = list(range(len(labels)))[::-1]
    values = [level or 0 for level in levels]
    axes.barh(positions, values, color=BRAND, height=0.6)
    for position, level in zip(positions, levels, strict=True):
        axes.text(
            (level or 0) + 0.08,
            position,
            str(level) if level else "not answered",
            va="center",
            color=TEXT,
        )
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 5.6)
    axes.set_xticks(
        [1, 2, 3, 4, 5], ["1 Reacting", "2 Developing", "3 Established", "4 Advanced", "5 Leading"], fontsize=8
    )
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, loc="left", color=TEXT, fontsize=10, fontweight="bold")
    return _to_svg(figure)


def _one_decimal(value: float):
    return round_half_up(value)  # as the pages show values


def _signed(value: float) -> str:
    rounded = _one_decimal(value)
    if rounded == 0:
        return "0.0"
    return f"+{rounded}" if rounded > 0 else f"−{-rounded}"


def calibration_gaps_chart(labels: Sequence[str], gaps: Sequence[float], *, title: str = "Calibration gap") -> str:
    """Bars either side of zero, one per criterion: the judges' score minus
    the self-assessed value on the 0–10 scale. To the right (brand colour),
    the judges scored higher than the organisation rated itself."""
    height = 0.45 * len(labels) + 1.5
    figure, axes = plt.subplots(figsize=(7, height))
    positions = list(range(len(labels)))[::-1]
    colours = [BRAND if gap >= 0 else ACCENT for gap in gaps]
    axes.barh(positions, gaps, color=colours, height=0.6)
    reach = max([2.5, *(abs(gap) for gap in gaps)])
    limit = min(10.0, (int(reach / 2.5) + 1) * 2.5)
    for position, gap in zip(positions, gaps, strict=True):
        offset = 0.012 * 2 * limit
        axes.text(
            gap + offset if gap >= 0 else gap - offset,
            position,
            _signed(gap),
            va="center",
            ha="left" if gap >= 0 else "right",
            color=TEXT,
        )
    axes.axvline(0, color=TEXT, linewidth=0.8)
    axes.set_yticks(positions, labels)
    axes.set_xlim(-limit, limit)
    axes.set_xlabel("← judges scored lower than the self-assessment  ·  judges scored higher →", fontsize=8)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, loc="left", color=TEXT, fontsize=10, fontweight="bold")
    return _to_svg(figure)


def scores_against_median_chart(
    labels: Sequence[str],
    scores: Sequence[float | None],
    medians: Sequence[float | None],
    *,
    title: str = "Scores against the cohort median",
) -> str:
    """Horizontal bars of the organisation's score per criterion (0–10), with
    the cohort median marked on each bar."""
    height = 0.45 * len(labels) + 1.6
    figure, axes = plt.subplots(figsize=(7, height))
    positions = list(range(len(labels)))[::-1]
    bars = axes.barh(positions, [score or 0 for score in scores], color=BRAND, height=0.6, label="Your score")
    marked = [(p, m) for p, m in zip(positions, medians, strict=True) if m is not None]
    medians_drawn = axes.scatter(
        [m for _, m in marked],
        [p for p, _ in marked],
        marker="D",
        s=42,
        linewidths=1,
        color=ACCENT,
        edgecolors=TEXT,
        zorder=3,
        label="Cohort median",
    )
    for position, score in zip(positions, scores, strict=True):
        if score is not None:
            axes.text(10.15, position, str(_one_decimal(score)), va="center", color=TEXT)
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 10.9)
    axes.set_xticks(range(0, 11))
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(handles=[bars, medians_drawn], loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    axes.set_title(title, loc="left", color=TEXT, fontsize=10, fontweight="bold")
    return _to_svg(figure)
