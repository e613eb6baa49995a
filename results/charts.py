"""Charts drawn on the server as SVG with matplotlib, so that a page and a
PDF show the same picture. Each function takes plain values and returns the
SVG document as a string. The palette, style and SVG output are shared with
the other apps' charts (core.chart_style)."""

import math
from collections.abc import Sequence

from assessments.index import round_half_up
from core.chart_style import ACCENT, BARE, BRAND, GRID, MUTED, TEXT, chart, new_figure, to_svg
from results.scoring import ACCREDITED, DISTINCTION, NOT_ACCREDITED


def _one_decimal(value: float):
    return round_half_up(value)  # as the pages show values


def _signed(value: float) -> str:
    rounded = _one_decimal(value)
    if rounded == 0:
        return "0.0"
    return f"+{rounded}" if rounded > 0 else f"−{-rounded}"


@chart
def calibration_gaps_chart(labels: Sequence[str], gaps: Sequence[float], *, title: str = "Calibration gap") -> str:
    """Bars either side of zero, one per criterion: the judges' score minus
    the self-assessed value on the 0–10 scale. To the right (brand colour),
    the judges scored higher than the organisation rated itself."""
    height = 0.45 * len(labels) + 1.5
    figure, axes = new_figure(7, height)
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
    return to_svg(figure)


@chart
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
    figure, axes = new_figure(7, height)
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
    return to_svg(figure)


# The P&Q picture of one finalist, and the cohort's --------------------------------

LEVEL_COLOURS = {NOT_ACCREDITED: MUTED, ACCREDITED: BRAND, DISTINCTION: ACCENT}


def _axis_floor(values: Sequence[float], *, at_most: float = 100.0) -> float:
    """The lower end of a 0–100 axis: a multiple of 10 a little below the
    smallest value, so that the values fill the chart."""
    lowest = min([at_most, *values])
    return max(0.0, float(int(max(0.0, lowest - 5) // 10) * 10))


def _fixed_margins(figure, *, left: float, right: float, top: float, bottom: float) -> None:
    """Margins in inches around the axes. Charts drawn many times use them
    instead of savefig's tight bounding box, which draws everything twice."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)


def _dots(axes, points: Sequence[tuple[float, float]], *, size: float, colour: str, zorder: int) -> None:
    """Dots as one path of round-capped strokes rather than one marker each:
    the same picture, but a PDF renderer draws one element instead of fifty."""
    xs: list[float] = []
    ys: list[float] = []
    for x, y in points:
        xs += [x, x + 1e-3, math.nan]
        ys += [y, y, math.nan]
    axes.plot(xs, ys, color=colour, linewidth=size, solid_capstyle="round", zorder=zorder)


def _grid(axes, positions, low: float) -> None:
    """Grid lines across and up at `positions`, as one path."""
    xs: list[float] = []
    ys: list[float] = []
    for position in positions:
        xs += [position, position, math.nan, low, 100, math.nan]
        ys += [low, 100, math.nan, position, position, math.nan]
    axes.plot(xs, ys, color=GRID, linewidth=0.5, zorder=0.5, clip_on=False)


@chart
def pq_charts(
    finalists: Sequence[tuple[float, float]],
    highlights: Sequence[int],
    *,
    medians: tuple[float | None, float | None],
    pillar_weights: tuple[float, float] | None = None,
    thresholds: Sequence[float] = (),
    title: str = "",
) -> list[str]:
    """For each index in `highlights`, that finalist's P total (across) and
    Q total (up), on 0–100, marked and labelled with its values among every
    judged finalist's (grey dots), with the cohort's medians as dotted lines.

    With the pillars' weights (Σw of the P criteria, Σw of the Q ones), each
    threshold total T is drawn as the dashed line where the weighted total
    (wP·P + wQ·Q) / (wP + wQ) equals it: above and to the right of it, the
    total reaches the threshold.

    Made for a report with a chart per finalist: matplotlib draws the cohort
    once and each finalist's mark is added to that SVG, and the chart has
    few elements and little text (a PDF renderer draws SVG text letter by
    letter), so the medians and thresholds are explained by the caption."""
    everything = [value for point in finalists for value in point]
    low = _axis_floor(everything)
    figure, axes = new_figure(4.7, 4.4)
    _fixed_margins(figure, left=0.6, right=0.8, top=0.5, bottom=0.55)
    _dots(axes, finalists, size=4.5, colour=MUTED, zorder=2)
    p_median, q_median = medians
    if p_median is not None and q_median is not None:
        axes.axvline(p_median, color=TEXT, linewidth=0.8, linestyle=":", zorder=1)
        axes.axhline(q_median, color=TEXT, linewidth=0.8, linestyle=":", zorder=1)
    if pillar_weights is not None:
        p_weight, q_weight = pillar_weights
        for total in thresholds:
            # wP·P + wQ·Q = T·(wP + wQ), drawn across the visible square.
            xs = [low, 100.0]
            ys = [(total * (p_weight + q_weight) - p_weight * x) / q_weight for x in xs]
            axes.plot(xs, ys, color=ACCENT, linewidth=1, linestyle="--", zorder=1)
    axes.set_xlim(low, 100)
    axes.set_ylim(low, 100)
    axes.set_aspect("equal")
    labelled = range(100, int(low) - 1, -20)[::-1]  # 100, 80, 60…: fewer labels, each one text to draw
    axes.set_xticks(labelled)
    axes.set_yticks(labelled)
    axes.tick_params(length=0)
    axes.set_xlabel("P total")
    axes.set_ylabel("Q total")
    _grid(axes, range(int(low), 101, 10), low)
    axes.spines[["top", "right"]].set_visible(False)
    figure.patch.set_visible(False)  # no white rectangles to draw: the page is white
    axes.patch.set_visible(False)
    if title:
        axes.set_title(title, loc="left", color=TEXT, fontsize=10, fontweight="bold", pad=14)
    cohort = to_svg(figure, bbox_inches=None, metadata=BARE)
    # The cohort is drawn once; each finalist's mark and label are added to
    # it where matplotlib places the point (its SVG unit is the point, y down).
    height = figure.get_size_inches()[1] * 72
    scale = 72 / figure.dpi
    pictures = []
    for index in highlights:
        p, q = finalists[index]
        x, y = axes.transData.transform((p, q)) * scale
        y = height - y
        on_the_left = p < low + 0.7 * (100 - low)
        mark = (
            f'<g id="finalist"><circle cx="{x:.2f}" cy="{y:.2f}" r="4.5" '
            f'style="fill: {BRAND}; stroke: {TEXT}; stroke-width: 0.8"/>'
            f'<text x="{x + 7 if on_the_left else x - 7:.2f}" y="{y - 6:.2f}" '
            f"style=\"font-size: 8px; font-family: 'DejaVu Sans'; font-weight: 700; "
            f'text-anchor: {"start" if on_the_left else "end"}; fill: {BRAND}">'
            f"P {_one_decimal(p)} · Q {_one_decimal(q)}</text></g>\n"
        )
        pictures.append(cohort.replace("</svg>", mark + "</svg>"))
    return pictures


def _stack(values: Sequence[float], width: float) -> list[int]:
    """The row of each value in a dot plot: dots closer than `width` stack."""
    rows_end: list[float] = []  # the last value placed in each row
    rows = [0] * len(values)
    for position in sorted(range(len(values)), key=lambda n: values[n]):
        value = values[position]
        row = next((r for r, end in enumerate(rows_end) if value - end >= width), len(rows_end))
        if row == len(rows_end):
            rows_end.append(value)
        rows_end[row] = value
        rows[position] = row
    return rows


@chart
def totals_distribution_chart(
    totals: Sequence[float],
    levels: Sequence[str],
    *,
    pass_threshold: float,
    distinction_threshold: float,
    title: str = "Distribution of totals",
) -> str:
    """A dot per judged finalist at its total (0–100), coloured by its level,
    dots that would overlap stacked, with the accreditation and distinction
    thresholds marked."""
    low = _axis_floor([*totals, pass_threshold - 5])
    width = (100 - low) / 55  # a dot's diameter in total points, on a 7-inch axis
    rows = _stack(totals, width)
    top = max(max(rows, default=0) + 1, 3)
    figure, axes = new_figure(7, 1.45 + 0.17 * top)
    _fixed_margins(figure, left=0.25, right=0.35, top=0.6, bottom=0.85)
    drawn = []
    for level, label in (
        (NOT_ACCREDITED, "Not accredited"),
        (ACCREDITED, "Accredited"),
        (DISTINCTION, "Accredited with distinction"),
    ):
        chosen = [n for n, value in enumerate(levels) if value == level]
        if chosen:
            drawn.append(
                axes.scatter(
                    [totals[n] for n in chosen],
                    [rows[n] + 0.5 for n in chosen],
                    s=38,
                    color=LEVEL_COLOURS[level],
                    edgecolors=TEXT,
                    linewidths=0.5,
                    zorder=3,
                    label=f"{label} ({len(chosen)})",
                )
            )
    for threshold, label in ((pass_threshold, "accreditation"), (distinction_threshold, "distinction")):
        axes.axvline(threshold, color=TEXT, linewidth=0.9, linestyle="--", zorder=1)
        axes.text(threshold, top + 0.1, f"{label} {_one_decimal(threshold)}", ha="center", va="bottom", fontsize=8)
    axes.set_xlim(low, 100)
    axes.set_ylim(0, top)
    axes.set_xticks(range(int(low), 101, 10))
    axes.set_yticks([])
    axes.set_xlabel("Total (0–100)")
    axes.grid(axis="x", color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    axes.spines[["top", "right", "left"]].set_visible(False)
    figure.legend(handles=drawn, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False)
    axes.set_title(title, loc="left", color=TEXT, fontsize=10, fontweight="bold", pad=16)
    return to_svg(figure)


@chart
def self_assessed_vs_judged_chart(
    points: Sequence[tuple[float, float]],
    labels: Sequence[str] = (),
    *,
    title: str = "Self-assessment index against the judged total",
) -> str:
    """A dot per finalist: its self-assessment index (across) against the
    judges' total over the same criteria (up), both 0–100, with the line
    where they agree. Above the line, the judges scored it higher than it
    rated itself. `labels` (short: a rank) are written beside the dots."""
    everything = [value for point in points for value in point]
    low = _axis_floor(everything)
    figure, axes = new_figure(5.2, 4.8)
    axes.plot([low, 100], [low, 100], color=TEXT, linewidth=0.8, linestyle="--", zorder=1)
    axes.text(
        low + 0.04 * (100 - low), 100 - 0.04 * (100 - low), "judges scored higher", va="top", fontsize=8, color=BRAND
    )
    axes.text(
        100 - 0.04 * (100 - low),
        low + 0.04 * (100 - low),
        "judges scored lower",
        ha="right",
        fontsize=8,
        color="#7a5200",
    )
    axes.scatter(
        [point[0] for point in points],
        [point[1] for point in points],
        s=30,
        color=[BRAND if y >= x else ACCENT for x, y in points],
        edgecolors=TEXT,
        linewidths=0.5,
        zorder=3,
    )
    for (x, y), label in zip(points, labels, strict=False):
        axes.annotate(label, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7, color=TEXT)
    axes.set_xlim(low, 100)
    axes.set_ylim(low, 100)
    axes.set_aspect("equal")
    axes.set_xlabel("Self-assessment index (0–100)")
    axes.set_ylabel("Judged total over the same criteria (0–100)")
    axes.grid(color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, loc="left", color=TEXT, fontsize=10, fontweight="bold")
    return to_svg(figure)
