"""The charts the results pages and the award report share (results.charts)."""

import re

import matplotlib
from matplotlib.figure import Figure

from assessments.charts import maturity_profile
from results import charts

COHORT = [(55.0, 85.0), (85.0, 55.0), (62.5, 71.25)]


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_pq_charts_draw_one_chart_per_finalist_marked_with_its_totals():
    pictures = charts.pq_charts(COHORT, [0, 2], medians=(62.5, 71.25), pillar_weights=(7.0, 7.0), thresholds=[60, 75])

    assert len(pictures) == 2
    assert "P 55.0 · Q 85.0" in texts(pictures[0])
    assert "P 62.5 · Q 71.3" in texts(pictures[1])  # 71.25 rounded half up
    assert "P 85.0 · Q 55.0" not in texts(pictures[0]) + texts(pictures[1])
    assert {"P total", "Q total", "60", "80", "100"} <= set(texts(pictures[0]))


def pq_chart(finalists, highlight, **options):
    """The picture of one finalist, `finalists[highlight]`."""
    return charts.pq_charts(finalists, [highlight], **options)[0]


def test_pq_chart_draws_the_same_picture_for_the_same_values():
    options = {"medians": (62.5, 71.25), "pillar_weights": (7.0, 7.0), "thresholds": [60, 75]}

    assert pq_chart(COHORT, 1, **options) == charts.pq_charts(COHORT, [0, 1], **options)[1]
    assert pq_chart(COHORT, 1, **options) != pq_chart(COHORT, 0, **options)


def test_pq_chart_axes_start_a_little_below_the_lowest_total():
    low = pq_chart([(12.0, 91.0), (48.0, 50.0)], 0, medians=(30.0, 70.5))
    high = pq_chart([(81.0, 91.0), (88.0, 95.0)], 0, medians=(None, None))

    assert [t for t in texts(low) if t.isdigit()][:6] == ["0", "20", "40", "60", "80", "100"]
    assert [t for t in texts(high) if t.isdigit()][:3] == ["80", "100", "80"]


def test_threshold_lines_follow_the_pillar_weights():
    # With P weighing 3 and Q 1, T = (3P + Q) / 4: T = 60 crosses Q = 100 at P = 46.7 and Q = 40 at P = 66.7.
    svg = pq_chart([(50.0, 50.0)], 0, medians=(None, None), pillar_weights=(3.0, 1.0), thresholds=[60])
    equal = pq_chart([(50.0, 50.0)], 0, medians=(None, None), pillar_weights=(1.0, 1.0), thresholds=[60])

    assert svg != equal
    assert svg.count("stroke-dasharray") == equal.count("stroke-dasharray") >= 1


def test_stack_puts_totals_closer_than_a_dot_on_top_of_each_other():
    assert charts._stack([50.0, 50.5, 60.0, 50.9, 52.0], 1.0) == [0, 1, 0, 2, 0]
    assert charts._stack([], 1.0) == []


def test_totals_distribution_marks_thresholds_and_counts_levels():
    svg = charts.totals_distribution_chart(
        [70.0, 70.0, 80.0, 40.0],
        ["accredited", "accredited", "accredited_distinction", "not_accredited"],
        pass_threshold=60.0,
        distinction_threshold=75.0,
        title="Distribution of totals (raw scores)",
    )

    assert "accreditation 60.0" in texts(svg) and "distinction 75.0" in texts(svg)
    assert {"Not accredited (1)", "Accredited (2)", "Accredited with distinction (1)"} <= set(texts(svg))
    assert "Distribution of totals (raw scores)" in texts(svg)
    assert "30" in texts(svg)  # the axis starts below the lowest total, 40


def test_self_assessed_vs_judged_labels_dots_and_sides():
    svg = charts.self_assessed_vs_judged_chart([(72.1, 71.2), (50.0, 80.0)], ["1", "2"], title="Index and total")

    assert {"1", "2", "judges scored higher", "judges scored lower", "Index and total"} <= set(texts(svg))
    assert "Self-assessment index (0–100)" in texts(svg)
    assert "Judged total over the same criteria (0–100)" in texts(svg)


def test_the_finalist_mark_sits_where_matplotlib_puts_the_point(monkeypatch):
    save = Figure.savefig

    def with_reference_dot(figure, *args, **kwargs):
        figure.axes[0].scatter([62.5], [71.25], s=1, color="#ff0000")  # matplotlib's own marker, for comparison
        return save(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", with_reference_dot)
    svg = pq_chart(COHORT, 2, medians=(62.5, 71.25))

    reference = re.search(r'<use[^>]* x="([\d.]+)" y="([\d.]+)"[^>]*fill: #ff0000', svg).groups()
    mark = re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg).groups()
    assert [round(float(v), 1) for v in mark] == [round(float(v), 1) for v in reference]


def test_charts_leave_matplotlib_global_style_as_they_found_it():
    before = dict(matplotlib.rcParams)

    pq_chart(COHORT, 0, medians=(62.5, 71.25))
    svg = maturity_profile(["Q1 Outside-in", "P1 Coaching"], [3, None])

    assert dict(matplotlib.rcParams) == before
    assert "Q1 Outside-in" in texts(svg) and "not answered" in texts(svg)  # text as text, in the portal's style


def test_charts_draw_the_same_file_for_the_same_values():
    labels, gaps = ["Q1 Outside-in", "P1 Coaching"], [1.5, -2.25]

    assert charts.calibration_gaps_chart(labels, gaps) == charts.calibration_gaps_chart(labels, gaps)
    assert maturity_profile(labels, [3, 4]) == maturity_profile(labels, [3, 4])
