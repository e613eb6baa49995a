"""Charts drawn on the server as SVG with matplotlib, so that a page and a
PDF show the same picture. Each function takes plain values and returns the
SVG document as a string."""

import io
from collections.abc import Sequence

import matplotlib

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
