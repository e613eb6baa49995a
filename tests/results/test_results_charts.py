"""The charts of the lead's results pages: the P&Q chart on a finalist's
page and the cohort's two charts on the results page, served as SVG to the
lead only (the same checks as the pages), with an alt text in the page."""

import pytest

from cohorts.models import Phase
from tests.factories import make_cohort, make_judge
from tests.results.test_results_pages import finalise, judged  # noqa: F401 (judged is a fixture)

pytestmark = pytest.mark.django_db

CHARTS = ["/cohorts/3/results/totals.svg", "/cohorts/3/results/calibration.svg", "/cohorts/3/results/{alpha}/pq.svg"]


@pytest.mark.parametrize("chart", CHARTS)
def test_charts_are_svg_for_the_lead_only(judged, lead, client, chart):  # noqa: F811
    url = chart.format(alpha=judged["alpha"].pk)
    outsider_judge = make_judge(email="other-judge@example.org")

    assert client.get(url).url.startswith("/accounts/login/")
    for person in (judged["amy"], judged["judges"][0], outsider_judge):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(lead)
    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    assert response.content.startswith(b"<?xml") and b"<svg" in response.content
    assert response["Cache-Control"] == "private, no-cache"


def test_the_finalist_chart_marks_the_finalist_with_its_totals(judged, lead_client):  # noqa: F811
    svg = lead_client.get(f"/cohorts/3/results/{judged['alpha'].pk}/pq.svg").content.decode()

    assert "P 55.0 · Q 85.0" in svg  # Alpha's raw P and Q totals
    assert "P 85.0 · Q 55.0" not in svg  # Beta is a grey dot, not labelled
    assert ">P total<" in svg and ">Q total<" in svg


def test_the_finalist_page_shows_its_chart_with_an_alt_text(judged, lead_client):  # noqa: F811
    html = lead_client.get(f"/cohorts/3/results/{judged['alpha'].pk}/").content.decode()

    assert f'src="/cohorts/3/results/{judged["alpha"].pk}/pq.svg"' in html
    assert (
        'alt="Scatter chart of the P total (across) against the Q total (up) of the 2 judged finalists, in the raw '
        "scores, with Alpha Water marked at P 55.0, Q 85.0. Dotted lines: the cohort medians, P 70.0 and Q 70.0. "
        'Dashed lines: where the total reaches 60.0 (accredited) and 75.0 (distinction)."' in html
    )


def test_a_finalist_without_a_result_has_no_chart(judged, lead_client):  # noqa: F811
    gamma = judged["gamma"].pk

    assert lead_client.get(f"/cohorts/3/results/{gamma}/pq.svg").status_code == 404
    assert "pq.svg" not in lead_client.get(f"/cohorts/3/results/{gamma}/").content.decode()


def test_the_results_page_shows_the_cohort_charts(judged, lead_client):  # noqa: F811
    html = lead_client.get("/cohorts/3/results/").content.decode()

    assert 'src="/cohorts/3/results/totals.svg"' in html
    assert 'src="/cohorts/3/results/calibration.svg"' in html
    assert (
        'alt="Dot plot of the totals of the 2 judged finalists on 0 to 100 (raw scores), one dot each, with the '
        "thresholds marked: 0 accredited with distinction (from 75.0), 2 accredited (from 60.0), 0 not accredited."
        '"' in html
    )
    # Only Alpha gave a level on every self-assessed criterion: one dot, judged 71.2 against its index 72.1.
    assert "0 of 1 finalists lie above the diagonal" in html


def test_the_cohort_charts_say_what_they_show(judged, lead_client):  # noqa: F811
    totals = lead_client.get("/cohorts/3/results/totals.svg").content.decode()
    calibration = lead_client.get("/cohorts/3/results/calibration.svg").content.decode()

    assert "Distribution of totals (raw scores)" in totals
    assert "accreditation 60.0" in totals and "distinction 75.0" in totals
    assert "Accredited (2)" in totals
    assert "Self-assessment index against the judged total (raw scores)" in calibration
    assert ">1<" in calibration  # Alpha's dot is labelled with its rank


def test_charts_follow_the_snapshot_asked_for(judged, lead, lead_client):  # noqa: F811
    finalise(judged, lead)

    assert lead_client.get("/cohorts/3/results/totals.svg?snapshot=1").status_code == 200
    assert lead_client.get("/cohorts/3/results/totals.svg?snapshot=2").status_code == 404
    assert 'src="/cohorts/3/results/totals.svg"' in lead_client.get("/cohorts/3/results/").content.decode()


def test_no_charts_before_there_are_results(lead_client):
    make_cohort(number=3, phase=Phase.ENROLMENT)

    html = lead_client.get("/cohorts/3/results/").content.decode()

    assert "/results/totals.svg" not in html and "/results/calibration.svg" not in html
    assert lead_client.get("/cohorts/3/results/totals.svg").status_code == 404
    assert lead_client.get("/cohorts/3/results/nonsense.svg").status_code == 404
