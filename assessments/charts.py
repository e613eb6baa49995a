"""The self-assessment's chart, drawn on the server as SVG (core.chart_style)."""

from collections.abc import Sequence

from core.chart_style import BRAND, GRID, TEXT, chart, new_figure, to_svg


@chart
def maturity_profile(labels: Sequence[str], levels: Sequence[int | None], *, title: str = "Maturity profile") -> str:
    """Horizontal bars of the self-assessed maturity level (1–5) per criterion."""
    height = 0.45 * len(labels) + 1.2
    figure, axes = new_figure(7, height)
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
    return to_svg(figure)
