"""The award report and the feedback report: rendered to PDF from a cohort
finalised with the real services, and read back as text.

The hand-worked cohort (default framework, as in tests/cohorts/test_results_pages.py):
Ann Archer gives Alpha Q 8, P 6 and Beta Q 6, P 8; Ben Baker gives Alpha Q 9, P 5
and Beta Q 5, P 9. Raw means: Alpha Q 8.5, P 5.5, Beta Q 5.5, P 8.5, so both total
70.0 (Alpha Q 85.0, P 55.0; Beta Q 55.0, P 85.0) and Alpha ranks first on the Q
tie-break. Gamma is a finalist with no scorecard; Delta submitted but was not
shortlisted. Alpha rated itself level 4 everywhere but Q1 (level 3): its self-
assessed values are 7.5 and 5.0, so its gaps are +1.0 on Q2–Q5, +3.5 on Q1 and
−2.0 on P1–P5; its index is 10 × (1.5 × 5 + 11.5 × 7.5) / 13 = 72.1 and the
judges' total over the same criteria 10 × (7 × 8.5 + 6 × 5.5) / 13 = 71.2.
"""

import re

import pytest

from assessments.models import Response
from assessments.services.self_assessment import ensure_assessment
from cohorts.models import Phase
from documents import reports
from judging.models import CohortJudge
from results import services as results
from tests import pdfs
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member
from tests.results.test_results_pages import scorecard

pytestmark = pytest.mark.django_db

WELSH = "Dŵr Gwŷr Cyfyngedig"
POLISH = "Łódzkie Wodociągi i Kanalizacja"
CHINESE = "深圳水务集团有限公司"
EMOJI = "Splash 💧 Water Services"
LONG = ("Pwllgwyngyllgogerychwyrndrobwll" * 7)[:200]


def pages_of(text: str) -> list[str]:
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def unbroken(text: str) -> str:
    """The text without white space, so that a name wrapped over lines reads whole."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def finalised(lead):
    cohort = make_cohort(number=3, phase=Phase.JUDGING, name="Water industry", sponsor="Clarity Analytics")
    ann = make_judge(full_name="Ann Archer", email="ann@judges.example")
    ben = make_judge(full_name="Ben Baker", email="ben@judges.example")
    for judge in (ann, ben):
        CohortJudge.objects.create(cohort=cohort, judge=judge)
    amy = make_member(email="amy@alpha.example", organisation=OrganisationFactory(name="Alpha Water"))
    alpha = EnrolmentFactory(cohort=cohort, organisation=amy.memberships.get().organisation, status="finalist")
    beta = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Beta Water"), status="finalist")
    gamma = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Gamma Water"), status="finalist")
    delta = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Delta Water"), status="submitted")
    scorecard(
        cohort,
        ann,
        alpha,
        q=8,
        p=6,
        comments={"Q1": "Voice of the customer reaches the board."},
        strengths="Clear ownership of journeys.",
        improvements="Coaching is patchy.",
    )
    scorecard(
        cohort,
        ben,
        alpha,
        q=9,
        p=5,
        comments={"Q1": "Excellent listening programme.", "P1": "Monitoring without coaching."},
        strengths="A strong complaints culture.",
        improvements="Workforce planning lags demand.",
    )
    scorecard(cohort, ann, beta, q=6, p=8)
    scorecard(cohort, ben, beta, q=5, p=9)
    assessment = ensure_assessment(enrolment=alpha)
    Response.objects.filter(assessment=assessment).update(level=4)
    Response.objects.filter(assessment=assessment, criterion__code="Q1").update(level=3)
    # The on-commit jobs (certificates, documents) do not run: these tests call the reports directly.
    snapshot = results.finalise(cohort=cohort, actor=lead)
    for enrolment in (alpha, beta, gamma, delta):
        enrolment.refresh_from_db()
    return {"snapshot": snapshot, "alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}


@pytest.fixture
def award_text(finalised):
    pdf = reports.award_report_pdf(finalised["snapshot"])
    return pdf, pdfs.text(pdf)


# The award report --------------------------------------------------------------------


def test_award_report_cover_names_the_programme_cohort_sponsor_and_snapshot(award_text):
    _pdf, text = award_text
    cover = pages_of(text)[0]

    assert "Award report" in cover
    assert "Cohort 3: Water industry" in cover
    assert "Clarity Analytics" in cover
    assert "Results 1 (final)" in cover
    assert "P&Q ACCREDITATION PROGRAMME" in cover.upper()


def test_award_report_ranks_every_finalist_with_its_exact_totals(award_text):
    _pdf, text = award_text
    ranking = next(page for page in pages_of(text) if "Ranking and awards" in page and "Organisation" in page)
    rows = [re.sub(r"\s+", " ", line.strip()) for line in ranking.splitlines() if " Water " in line]

    assert rows[-3:] == [
        "1 Alpha Water 55.0 85.0 70.0 Accredited Overall winner; Best",
        "2 Beta Water 85.0 55.0 70.0 Accredited Best people",
        "— Gamma Water — — — Not judged —",
    ]
    assert "Overall winner Alpha Water" in re.sub(r"\s+", " ", ranking)


def test_award_report_states_the_method_with_the_settings_used(award_text):
    _pdf, text = award_text
    method = re.sub(r"\s+", " ", next(page for page in pages_of(text) if "Scores used" in page and "Awards." in page))

    assert "Scores used Raw scores" in method
    assert "Raw scores were used: the judges' scores as given, without normalisation." in method
    assert "Accreditation threshold A total of 60.0 or more" in method
    assert "Distinction threshold A total of 75.0 or more" in method
    assert "Judges per finalist 3" in method
    assert "ties" not in method or "separated by the Q total" in method
    assert "differ by 4 points or more" in method


def test_award_report_method_says_when_scores_were_normalised(finalised):
    snapshot = finalised["snapshot"]
    snapshot.settings = {**snapshot.settings, "normalise_scores": True}
    snapshot.save(update_fields=["settings"])

    text = re.sub(r"\s+", " ", pdfs.text(reports.award_report_pdf(snapshot)))

    assert "Scores used Normalised scores" in text
    assert "Normalised scores were used." in text
    assert "Raw scores were used" not in text


def test_award_report_contents_give_the_page_of_each_finalist(award_text):
    _pdf, text = award_text
    pages = pages_of(text)
    contents = next(page for page in pages if "Contents" in page)
    listed = dict(re.findall(r"^\s*(?:\d+\. )?(\w+ Water)[ .]+(\d+)\s*$", contents, flags=re.M))

    assert set(listed) == {"Alpha Water", "Beta Water", "Gamma Water"}
    for name, number in listed.items():
        page = pages[int(number) - 1]
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[1] == name  # the finalist's heading, under the running header


def test_award_report_pages_carry_the_running_header_and_page_n_of_m(award_text):
    pdf, text = award_text
    pages = pages_of(text)
    total = pdfs.pages(pdf)

    assert 9 <= total <= 14
    assert len(pages) == total
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        if number > 1:
            assert "P&Q accreditation programme · Cohort 3: Water industry · Award report" in page


def test_award_report_finalist_page_shows_scores_gaps_judges_and_remarks(award_text):
    _pdf, text = award_text
    alpha = re.sub(r"\s+", " ", next(page for page in pages_of(text) if "Alpha Water\n" in page and "Rank 1" in page))

    assert "Total 70.0 · P 55.0 · Q 85.0" in alpha
    assert "Judges (2): Ann Archer, Ben Baker" in alpha
    # Q1: mean 8.5 against the median 7.0 of Alpha's 8.5 and Beta's 5.5; raw 8 and 9 spread 1; gap +3.5 at level 3.
    assert "Q1 Voice of the customer and outside-in measurement 8.5 (7.0) 1.0 +3.5 (3)" in alpha
    assert "P1 Quality monitoring and coaching 5.5 (7.0) 1.0 −2.0 (4)" in alpha
    assert "P6 On-site presentation 5.5 (7.0) 1.0 judging only" in alpha
    assert "Self-assessment index 72.1 against the judges' 71.2" in alpha
    assert "Clear ownership of journeys." in alpha and "Workforce planning lags demand." in alpha
    assert "Excellent listening programme. · Voice of the customer reaches the board." in alpha


def test_award_report_says_a_finalist_without_scorecards_was_not_judged(award_text):
    _pdf, text = award_text
    gamma = next(page for page in pages_of(text) if "Gamma Water\n" in page and "Not judged" in page)

    assert "No judge's scorecard for Gamma Water was submitted, so it has no result." in re.sub(r"\s+", " ", gamma)


def test_award_report_states_the_cohort_facts(award_text):
    _pdf, text = award_text
    facts = re.sub(r"\s+", " ", next(page for page in pages_of(text) if "The cohort" in page and "enrolled" in page))

    assert "Organisations enrolled 4" in facts
    assert "Self-assessments submitted 4" in facts
    assert "Finalists 3 (2 judged)" in facts
    assert "Judges who scored 2" in facts
    assert "Scorecards counted 4" in facts
    assert "Scorecards missing when finalised 0" in facts


# The feedback report --------------------------------------------------------------------


def test_feedback_report_shows_scores_against_the_median_and_the_calibration_gap(finalised):
    pdf = reports.feedback_report_pdf(finalised["snapshot"], finalised["alpha"])
    text = pdfs.text(pdf)
    flat = re.sub(r"\s+", " ", text)

    assert 2 <= pdfs.pages(pdf) <= 4
    assert "Alpha Water" in flat and "Cohort 3: Water industry" in flat
    assert "Accredited 1st of 2 judged finalists" in flat
    assert "Overall (T) 70.0 70.0" in flat
    assert "People performance (P) 55.0 70.0" in flat
    assert "Service quality (Q) 85.0 70.0" in flat
    # Score, cohort median, against the median, self level, self value, gap: Q1, then P1 (as P2–P5).
    assert "8.5 7.0 +1.5 3 5.0 +3.5" in flat
    assert "P1 Quality monitoring and coaching 5.5 7.0 −1.5 4 7.5 −2.0" in flat
    assert "Your self-assessment index 72.1" in flat
    assert "The judges' total over the same criteria 71.2" in flat
    assert "Excellent listening programme." in flat and "Monitoring without coaching." in flat
    assert "Clear ownership of journeys." in flat and "Coaching is patchy." in flat
    for page in range(1, pdfs.pages(pdf) + 1):
        assert f"Page {page} of {pdfs.pages(pdf)}" in text


def test_feedback_report_names_no_judge(finalised):
    pdf = reports.feedback_report_pdf(finalised["snapshot"], finalised["alpha"])
    text = pdfs.text(pdf).lower()
    metadata = " ".join(str(value) for value in pdfs.metadata(pdf).values()).lower()

    for trace in ("ann", "archer", "ben baker", "baker", "ann@judges.example", "ben@judges.example", "judges.example"):
        assert trace not in re.sub(r"\b(annual|planning|channel)\b", "", text)
        assert trace not in metadata


def test_feedback_report_for_an_organisation_without_a_result_gives_its_outcome(finalised):
    for enrolment, outcome, message in (
        (finalised["delta"], "Not shortlisted", "was not shortlisted for judging in this cohort"),
        (finalised["gamma"], "Not judged", "no judge's scorecard for it was submitted"),
    ):
        pdf = reports.feedback_report_pdf(finalised["snapshot"], enrolment)
        text = re.sub(r"\s+", " ", pdfs.text(pdf))

        assert pdfs.pages(pdf) == 1
        assert enrolment.organisation.name in text
        assert outcome in text
        assert message in text
        assert "Scores per criterion" not in text


# Hostile names ---------------------------------------------------------------------------


@pytest.fixture
def hostile(lead):
    cohort = make_cohort(number=5, phase=Phase.JUDGING, name=f"Cymru a {CHINESE}", sponsor=POLISH)
    judges = [make_judge(full_name=f"Judge {n}", email=f"judge{n}@judges.example") for n in (1, 2)]
    for judge in judges:
        CohortJudge.objects.create(cohort=cohort, judge=judge)
    enrolments = []
    for n, name in enumerate((WELSH, POLISH, CHINESE, EMOJI, LONG)):
        enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name), status="finalist")
        for judge in judges:
            scorecard(cohort, judge, enrolment, q=5 + n, p=9 - n)
        enrolments.append(enrolment)
    return results.finalise(cohort=cohort, actor=lead), enrolments


def test_award_report_renders_every_character_of_hostile_names(hostile):
    snapshot, _enrolments = hostile
    text = pdfs.text(reports.award_report_pdf(snapshot))
    whole = unbroken(text)

    for name in (WELSH, POLISH, CHINESE, LONG):
        assert unbroken(name) in whole
    assert "Splash" in text and "WaterServices" in whole  # the emoji itself may fall back to a plain glyph
    assert f"Cymru a {CHINESE}" in text


def test_feedback_report_renders_a_hostile_name_on_its_first_page(hostile):
    snapshot, enrolments = hostile
    for enrolment in enrolments:
        text = pdfs.text(reports.feedback_report_pdf(snapshot, enrolment))
        first = unbroken(pages_of(text)[0])

        if enrolment.organisation.name == EMOJI:
            assert "Splash" in first
        else:
            assert unbroken(enrolment.organisation.name) in first


def test_a_long_name_wraps_inside_the_page(hostile):
    snapshot, enrolments = hostile
    pages = pdfs.words(reports.feedback_report_pdf(snapshot, enrolments[-1]))
    width = pages[0].width
    right_edges = [word.right for page in pages for word in page.words]

    assert len(right_edges) > 50
    assert max(right_edges) <= width - 40  # every word ends before the right margin (16 mm, 45 pt)
