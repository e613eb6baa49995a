"""What every chart the portal draws shares: the palette, the matplotlib
style and the SVG output. Charts are drawn with matplotlib's object API
(`matplotlib.figure.Figure`), never pyplot, whose global figure manager is
not meant for a web server.

Some of the style (the SVG's text-as-text and its hash salt) is read by
matplotlib only from its global rcParams, at save time, so a chart is drawn
inside `drawing()`: the style holds for the chart and is put back after it.
As rcParams are process-wide, drawing is serialised by a lock (matplotlib
asks its users to lock around artists shared between threads), so that one
thread restoring the defaults cannot change another's picture."""

import functools
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

BRAND = "#0b4f6c"
ACCENT = "#e0a100"
GRID = "#ced4da"
TEXT = "#212529"
MUTED = "#adb5bd"

STYLE = {
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

# The SVG's own metadata block, left out: a report draws charts many times.
BARE = {"Date": None, "Creator": None, "Format": None, "Type": None}

_drawing = threading.RLock()

Parameters = ParamSpec("Parameters")
Result = TypeVar("Result")


@contextmanager
def drawing() -> Iterator[None]:
    """The portal's chart style, for the figures made and saved inside."""
    with _drawing, matplotlib.rc_context(STYLE):
        yield


def chart(draw: Callable[Parameters, Result]) -> Callable[Parameters, Result]:
    """`draw`, run inside `drawing()`."""

    @functools.wraps(draw)
    def drawn(*args: Parameters.args, **kwargs: Parameters.kwargs) -> Result:
        with drawing():
            return draw(*args, **kwargs)

    return drawn


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure of `width` × `height` inches with one set of axes."""
    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def to_svg(figure: Figure, **options) -> str:
    """The SVG document of `figure`, by default cropped to what it draws and
    without a date, so that the same input gives the same file."""
    options = {"bbox_inches": "tight", "metadata": {"Date": None}, **options}
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", **options)
    return buffer.getvalue()
