"""The self-assessment in a real browser: two colleagues fill it in (each
answer autosaved as they type), one submits it, the lead reopens it; and two
colleagues typing in the same answer see each other's version instead of
overwriting it.

Fields are found by their names and ids (input[name=level], #id_narrative,
the status areas #status-<field>), links by their URLs; the assertions then
check the wording people read, as the templates put it.
"""

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from assessments.models import Response, SelfAssessment
from cohorts.models import Cohort, Enrolment, EnrolmentStatus
from cohorts.timeline import add_months
from core.models import AuditEvent
from frameworks.models import KPI
from organisations.models import Organisation
from tests.browser.test_journeys import sign_in, submit
from tests.browser.test_programme_journeys import (
    other_person,  # noqa: F401 (a fixture)
    sign_in_as_lead,
    text,
    today_in_london,
)
from tests.factories import PASSWORD, EnrolmentFactory, OrganisationFactory, make_cohort, make_lead, make_member

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^\s*✓ Saved at \d\d:\d\d:\d\d\s*$")
COHORT_NAME = "Utilities 2027"
ORGANISATION = "Severn Vale Water"
PDF_NAME = "q1-customer-survey-2026.pdf"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# What Amy fills in first (Q1 with a KPI value and a file; P1 has only a
# level), and what Ben adds to complete it. The self-assessment index, worked
# by hand from the shipped weights (Q1 1.5, Q2 1, Q3 1, Q4 2, Q5 1.5, P1 1.5,
# P2 1, P3 1, P4 1.5, P5 1; 13 in all): level L counts (L − 1) · 2.5 out of
# 10, so the index is 25 · Σ w·(L − 1) / 13 = 25 · 28 / 13 = 53.846… → 53.8.
AMY = {
    "Q1": (3, "We survey customers after every voice and chat contact and review the themes each month."),
    "Q2": (4, "Voice, e-mail, chat and WhatsApp share one knowledge base and the same service standards."),
}
AMY_P1_LEVEL = 2
CSAT = "82.5"
BEN = {
    "Q3": (3, "Service levels are set per channel and forecast weekly; we meet them in 11 months out of 12."),
    "Q4": (4, "Repeat contacts are traced to their cause and owners fix the top five every quarter."),
    "Q5": (3, "Each of our three main journeys has a named owner who chairs a monthly cross-team review."),
    "P1": (None, "Team leaders coach from calibrated quality reviews, two sessions per agent per month."),
    "P2": (3, "Scorecards weigh resolution and customer effort above handling time."),
    "P3": (2, "New starters get a six-week academy; later training is arranged case by case."),
    "P4": (4, "Engagement is surveyed every quarter and well-being champions run in every team."),
    "P5": (3, "Agents may refund up to £50 without approval; rotas are planned eight weeks ahead."),
}
INDEX = "53.8"
ALL_CODES = ["Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5"]


@dataclass
class Severn:
    cohort: Cohort
    organisation: Organisation
    enrolment: Enrolment
    amy: User
    ben: User
    lead: User


@pytest.fixture
def severn(transactional_db, settings, tmp_path) -> Severn:
    """Cohort 4, in self-assessment since the first of this month (its
    deadline, the end of month 4, is months away), with Severn Vale Water
    enrolled and two of its people on the portal."""
    settings.MEDIA_ROOT = tmp_path / "media"
    start = today_in_london().replace(day=1)
    cohort = make_cohort(number=4, name=COHORT_NAME, start_date=start, phase="self_assessment")
    assert add_months(start, 4) > today_in_london()
    organisation = OrganisationFactory(name=ORGANISATION)
    enrolment = EnrolmentFactory(cohort=cohort, organisation=organisation)
    amy = make_member(organisation=organisation, email="amy@severnvale.example", full_name="Amy Clarke")
    ben = make_member(organisation=organisation, email="ben@severnvale.example", full_name="Ben Okafor")
    lead = make_lead(email="lena.lead@example.org", full_name="Lena Lead")
    return Severn(cohort, organisation, enrolment, amy, ben, lead)


def criterion_path(assessment_pk: int, code: str) -> str:
    return f"/assessments/{assessment_pk}/criteria/{code}/"


def kpi_id(code: str, name: str) -> int:
    return KPI.objects.get(criterion__framework__version=1, criterion__code=code, name=name).pk


def open_self_assessment(journey, severn: Severn, step: str) -> int:
    """From the member's dashboard to the overview; the assessment's pk."""
    page = journey.page
    assert journey.path == "/organisation/"
    journey.shot(f"{step}-dashboard")
    card = page.locator("main section.card")
    assert card.locator("h2").inner_text() == f"Cohort 4: {COHORT_NAME}"
    link = card.locator(f"a[href='/assessments/start/{severn.enrolment.pk}/']")
    assert text(link) == "Open your self-assessment"
    link.click()
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    assessment = SelfAssessment.objects.get(enrolment=severn.enrolment)
    assert journey.path == f"/assessments/{assessment.pk}/"
    journey.shot(f"{step}-overview")
    assert page.locator("main h1").inner_text() == f"{ORGANISATION}: self-assessment"
    return assessment.pk


def go_to_criterion(journey, assessment_pk: int, code: str) -> None:
    """Through the criteria list beside the form (or the overview's list)."""
    page = journey.page
    page.locator(f"main a[href='{criterion_path(assessment_pk, code)}']").first.click()
    page.wait_for_url(journey.url(criterion_path(assessment_pk, code)))
    assert journey.path == criterion_path(assessment_pk, code)
    assert page.locator("main h2").first.inner_text().startswith(f"{code} ")


def wait_saved(page, field: str) -> None:
    expect(page.locator(f"#status-{field}")).to_have_text(SAVED)


def choose_level(page, level: int) -> None:
    page.locator(f"label[for=level-{level}]").click()
    wait_saved(page, "level")


def write_narrative(page, narrative: str) -> None:
    page.locator("#id_narrative").fill(narrative)
    wait_saved(page, "narrative")


def leave_narrative(page) -> None:
    """Click outside the narrative and let the save on leaving it finish."""
    page.locator("main h2").first.click()
    expect(page.locator("#id_narrative")).not_to_have_class(re.compile(r"\bhtmx-request\b"))


def next_narrative_save(page, narrative: str) -> int:
    """Type a new narrative; the status code of the autosave that follows."""
    with page.expect_response(lambda r: r.url.endswith("/save/") and r.request.method == "POST") as answer:
        page.locator("#id_narrative").fill(narrative)
    return answer.value.status


def progress(page) -> str:
    return text(page.locator("#assessment-progress"))


def overview_badges(page) -> dict[str, str]:
    return {
        text(item.locator("strong")): text(item.locator(".badge"))
        for item in page.locator("main .list-group a.list-group-item").all()
    }


def test_members_fill_in_and_submit_and_the_lead_reopens(journey, other_person, severn, tmp_path):  # noqa: F811
    amy_page = journey.page
    pdf = tmp_path / PDF_NAME
    pdf.write_bytes(PDF_BYTES)
    csat = f"kpi_{kpi_id('Q1', 'Customer satisfaction (CSAT)')}"

    # Amy opens the self-assessment from her dashboard: nothing done yet.
    sign_in(journey, email=severn.amy.email, password=PASSWORD, step="amy")
    pk = open_self_assessment(journey, severn, "amy")
    assert amy_page.locator("main .status-badge").inner_text() == "Draft"
    assert progress(amy_page).startswith("Overall 0 of 10 criteria")
    assert set(overview_badges(amy_page).values()) == {"Not started"}
    assert list(overview_badges(amy_page)) == ALL_CODES

    # Q1: a level, a narrative, a KPI value and a file, each saved as she goes.
    go_to_criterion(journey, pk, "Q1")
    journey.shot("amy-q1-empty")
    where = text(amy_page.locator("main .col-lg-9 > p.text-body-secondary").first)
    assert re.fullmatch(r"Criterion 1 of 10 · Service quality \(Q\) · weight 1\.50?", where), where
    level, narrative = AMY["Q1"]
    choose_level(amy_page, level)
    amy_page.locator("#id_narrative").press_sequentially(narrative)  # typed, key by key
    wait_saved(amy_page, "narrative")
    amy_page.locator(f"#id_{csat}").fill(CSAT)
    amy_page.locator(f"#id_{csat}").blur()
    wait_saved(amy_page, csat)
    journey.shot("amy-q1-saved")
    assert progress(amy_page).startswith("Overall 1 of 10 criteria")

    evidence = amy_page.locator("main .evidence")
    expect(evidence.locator("p.text-body-secondary")).to_have_text("No files yet.")
    evidence.locator("input[type=file][name=file]").set_input_files(str(pdf))
    journey.shot("amy-q1-file-chosen")
    evidence.locator("button[type=submit]", has_text="Upload").click()
    expect(amy_page.locator("main .evidence .alert-success")).to_have_text(f"“{PDF_NAME}” was added.")
    journey.shot("amy-q1-file-uploaded")
    assert text(amy_page.locator("main .evidence .list-group-item a")) == PDF_NAME

    # Q2 (level and narrative) and P1 (only a level, for now).
    amy_page.locator(f"main a[href='{criterion_path(pk, 'Q2')}']", has_text="Q2 →").click()
    amy_page.wait_for_url(journey.url(criterion_path(pk, "Q2")))
    assert journey.path == criterion_path(pk, "Q2")
    level, narrative = AMY["Q2"]
    choose_level(amy_page, level)
    write_narrative(amy_page, narrative)
    journey.shot("amy-q2-saved")
    go_to_criterion(journey, pk, "P1")
    choose_level(amy_page, AMY_P1_LEVEL)
    journey.shot("amy-p1-level-saved")
    assert progress(amy_page).startswith("Overall 2 of 10 criteria")

    # She reloads Q1 and everything is there.
    journey.goto(criterion_path(pk, "Q1"), "amy-q1-before-reload")
    amy_page.reload()
    journey.shot("amy-q1-reloaded")
    assert amy_page.locator(f"#level-{AMY['Q1'][0]}").is_checked()
    assert amy_page.locator("input[name=level]:checked").count() == 1
    assert amy_page.locator("#id_narrative").input_value() == AMY["Q1"][1]
    assert amy_page.locator(f"#id_{csat}").input_value() == CSAT
    files = amy_page.locator("main .evidence .list-group-item")
    assert files.count() == 1
    assert text(files.locator("a")) == PDF_NAME
    assert files.locator("a").get_attribute("href").startswith("/evidence/")
    assert amy_page.locator("#status-level, #status-narrative").all_inner_texts() == ["", ""]
    # And on the overview: two criteria done, P1 in progress.
    amy_page.locator(f"main .breadcrumb a[href='/assessments/{pk}/']").click()
    amy_page.wait_for_url(journey.url(f"/assessments/{pk}/"))
    journey.shot("amy-overview-after-reload")
    badges = overview_badges(amy_page)
    assert (badges["Q1"], badges["Q2"], badges["P1"], badges["Q3"]) == (
        "Level 3 · done",
        "Level 4 · done",
        "In progress",
        "Not started",
    )
    assert progress(amy_page).startswith(
        "Overall 2 of 10 criteria Service quality (Q) 2 of 5 People performance (P) 0 of 5"
    )

    q1 = Response.objects.get(assessment_id=pk, criterion__code="Q1")
    assert (q1.level, q1.narrative, q1.updated_by) == (3, AMY["Q1"][1], severn.amy)
    assert [str(v.value.normalize()) for v in q1.kpi_values.all()] == [CSAT]
    assert [(f.original_name, f.content_type, f.size) for f in q1.evidence.all()] == [
        (PDF_NAME, "application/pdf", len(PDF_BYTES))
    ]
    with q1.evidence.get().file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    p1 = Response.objects.get(assessment_id=pk, criterion__code="P1")
    assert (p1.level, p1.narrative) == (AMY_P1_LEVEL, "")

    # Ben, at his own computer, completes the rest.
    ben_page = journey.page = other_person()
    sign_in(journey, email=severn.ben.email, password=PASSWORD, step="ben")
    assert open_self_assessment(journey, severn, "ben") == pk
    assert progress(ben_page).startswith("Overall 2 of 10 criteria")
    for code, (level, narrative) in BEN.items():
        go_to_criterion(journey, pk, code)
        if code == "P1":
            assert ben_page.locator(f"#level-{AMY_P1_LEVEL}").is_checked()  # Amy's choice
        else:
            choose_level(ben_page, level)
        write_narrative(ben_page, narrative)
        journey.shot(f"ben-{code.lower()}-saved")
    assert progress(ben_page).startswith("Overall 10 of 10 criteria")

    ben_page.locator(f"main a[href='/assessments/{pk}/review/']", has_text="Review and submit").click()
    ben_page.wait_for_url(journey.url(f"/assessments/{pk}/review/"))
    assert journey.path == f"/assessments/{pk}/review/"
    journey.shot("ben-review")
    assert ben_page.locator("main .alert-warning").count() == 0  # nothing left to do
    assert [text(h) for h in ben_page.locator("main section.card h2").all()][:2] == [
        "Q1 Voice of the customer and outside-in measurement",
        "Q2 Channel coverage and consistency",
    ]
    q1_card = ben_page.locator("main section.card", has=ben_page.locator("#review-Q1"))
    assert "3 Established" in text(q1_card.locator("dd").nth(0))
    assert text(q1_card.locator("dd").nth(1)) == AMY["Q1"][1]
    # The review page writes the value with four decimals ("82.5000"),
    # where the form shows it as typed ("82.5"): reported, tolerated here.
    kpi_line = text(q1_card.locator("dd").nth(2))
    assert re.fullmatch(rf"Customer satisfaction \(CSAT\): {re.escape(CSAT)}0* %", kpi_line), kpi_line
    assert text(q1_card.locator("dd").nth(3)) == PDF_NAME
    submit_form = f"main form[action='/assessments/{pk}/submit/']"
    assert text(ben_page.locator(f"{submit_form} p")) == (
        f"Once submitted, the self-assessment is locked. Every member of {ORGANISATION} gets a receipt."
    )
    mail.outbox.clear()
    submit(journey, submit_form)
    journey.shot("ben-submitted")

    # Locked: on the page…
    assert journey.path == f"/assessments/{pk}/"
    assert [text(alert) for alert in ben_page.locator("main .messages .alert-success").all()] == [
        "Your self-assessment is submitted. Every member of your organisation gets a receipt by e-mail."
    ]
    badge = text(ben_page.locator("main .status-badge"))
    assert badge.startswith("Submitted "), badge
    assert re.search(r"This self-assessment was submitted on .+ and is locked\.", text(ben_page.locator("main")))
    assert text(ben_page.locator(f"main a[href='/assessments/{pk}/review/']")) == "Review all answers"
    assert set(overview_badges(ben_page).values()) == {f"Level {n} · done" for n in (2, 3, 4)}
    go_to_criterion(journey, pk, "Q1")
    journey.shot("ben-q1-locked")
    assert ben_page.locator("main [hx-post]").count() == 0
    assert ben_page.locator("main fieldset:has(input[name=level])").get_attribute("disabled") is not None
    assert all(radio.is_disabled() for radio in ben_page.locator("input[name=level]").all())
    assert ben_page.locator("#id_narrative").get_attribute("readonly") is not None
    assert ben_page.locator(f"#id_{csat}").get_attribute("readonly") is not None
    assert ben_page.locator("main .evidence input[type=file], main .evidence form").count() == 0
    assert text(ben_page.locator("main .evidence .list-group-item a")) == PDF_NAME
    ben_page.locator(f"main a[href='/assessments/{pk}/review/']").click()
    ben_page.wait_for_url(journey.url(f"/assessments/{pk}/review/"))
    journey.shot("ben-review-locked")
    assert ben_page.locator(f"{submit_form}, main a:text-is('Change')").count() == 0
    assert ben_page.locator("main details").count() == 0  # reopening is the lead's

    # …and in the database, with a receipt for each member.
    assessment = SelfAssessment.objects.get(pk=pk)
    assert (assessment.status, assessment.submitted_by) == (SelfAssessment.Status.SUBMITTED, severn.ben)
    assert Enrolment.objects.get(pk=severn.enrolment.pk).status == EnrolmentStatus.SUBMITTED
    assert AuditEvent.objects.for_object(assessment).filter(action="assessment.submitted").count() == 1
    receipts = sorted(mail.outbox, key=lambda message: message.to)
    assert [message.to for message in receipts] == [[severn.amy.email], [severn.ben.email]]
    for message in receipts:
        assert message.subject == f"[P&Q portal] Receipt: {ORGANISATION}'s self-assessment for cohort 4 is submitted"
        assert f"Ben Okafor submitted {ORGANISATION}'s self-assessment for cohort 4 ({COHORT_NAME})" in message.body
        assert f"/assessments/{pk}/" in message.body

    # The lead finds it in the cohort's table of self-assessments and reopens it.
    lead_page = journey.page = other_person()
    sign_in_as_lead(journey, severn.lead.email, "lead")
    journey.goto("/cohorts/4/", "lead-cohort")
    lead_page.locator("main a[href='/cohorts/4/self-assessments/']").click()
    lead_page.wait_for_url(journey.url("/cohorts/4/self-assessments/"))
    journey.shot("lead-self-assessments")
    assert lead_page.locator("main h1").inner_text() == "Self-assessments in cohort 4"
    rows = lead_page.locator("main table tbody tr")
    assert rows.count() == 1
    cells = [text(cell) for cell in rows.locator("td").all()]
    assert cells[:4] == [ORGANISATION, "Submitted", "10/10", INDEX]
    rows.locator(f"a[href='/assessments/{pk}/review/']").click()
    lead_page.wait_for_url(journey.url(f"/assessments/{pk}/review/"))
    journey.shot("lead-review")
    assert journey.path == f"/assessments/{pk}/review/"
    assert lead_page.locator(f"{submit_form}, main a:text-is('Change')").count() == 0
    lead_page.locator("main details summary", has_text="Reopen for changes").click()
    reason = "Q4's narrative refers to a report that is not attached; please add it."
    lead_page.fill("main details textarea[name=reason]", reason)
    journey.shot("lead-reopen-reason")
    mail.outbox.clear()
    submit(journey, f"main form[action='/assessments/{pk}/reopen/']")
    journey.shot("lead-reopened")
    assert journey.path == f"/assessments/{pk}/review/"
    assert [text(alert) for alert in lead_page.locator("main .messages .alert-success").all()] == [
        "The self-assessment is reopened; the organisation's members have been told."
    ]
    assert text(lead_page.locator("main .status-badge")) == "Draft"

    assessment.refresh_from_db()
    assert assessment.status == SelfAssessment.Status.DRAFT
    assert Enrolment.objects.get(pk=severn.enrolment.pk).status == EnrolmentStatus.ENROLLED
    event = AuditEvent.objects.for_object(assessment).get(action="assessment.reopened")
    assert (event.actor, event.note) == (severn.lead, reason)
    told = sorted(mail.outbox, key=lambda message: message.to)
    assert [message.to for message in told] == [[severn.amy.email], [severn.ben.email]]
    for message in told:
        assert (
            message.subject == f"[P&Q portal] {ORGANISATION}'s self-assessment for cohort 4 is open for changes again"
        )
        assert f"Reason: {reason}" in message.body

    # Amy, back at her computer, can change it again.
    journey.page = amy_page
    amy_page.reload()
    journey.shot("amy-overview-draft-again")
    assert journey.path == f"/assessments/{pk}/"
    assert text(amy_page.locator("main .status-badge")) == "Draft"
    assert amy_page.locator("main .alert-info").count() == 0
    assert text(amy_page.locator(f"main a[href='/assessments/{pk}/review/']")) == "Review and submit"
    go_to_criterion(journey, pk, "Q1")
    journey.shot("amy-q1-draft-again")
    assert text(amy_page.locator("main .status-badge")) == "Draft"
    assert amy_page.locator("#id_narrative").get_attribute("readonly") is None
    assert amy_page.locator("input[name=level]").first.is_enabled()
    assert amy_page.locator("main .evidence input[type=file]").count() == 1
    changed = AMY["Q1"][1] + " We now also survey e-mail customers."
    write_narrative(amy_page, changed)
    journey.shot("amy-q1-changed-after-reopen")
    assert Response.objects.get(pk=q1.pk).narrative == changed


AMY_Q3 = "Calls are answered within 60 seconds on average; chats within 45 seconds."
BEN_Q3 = "We answer 80% of calls within 20 seconds.\nE-mails are answered within one working day."


def conflict_on_q3(journey, open_page, severn: Severn):
    """Amy and Ben open Q3; Amy writes its narrative and it is saved; Ben,
    whose page still has the empty narrative, writes his own. Returns the
    assessment's pk and both pages, with the journey on Ben's."""
    amy_page = journey.page
    sign_in(journey, email=severn.amy.email, password=PASSWORD, step="amy")
    pk = open_self_assessment(journey, severn, "amy")
    go_to_criterion(journey, pk, "Q3")
    journey.shot("amy-q3")

    # Ben opens the same criterion before Amy has written anything.
    ben_page = journey.page = open_page()
    sign_in(journey, email=severn.ben.email, password=PASSWORD, step="ben")
    journey.goto(criterion_path(pk, "Q3"), "ben-q3")
    assert ben_page.locator("#id_narrative").input_value() == ""

    # Amy writes, and it is saved.
    journey.page = amy_page
    write_narrative(amy_page, AMY_Q3)
    journey.shot("amy-q3-saved")

    # Ben, on his stale page, writes something else: it is not saved.
    journey.page = ben_page
    ben_page.locator("#id_narrative").fill(BEN_Q3)
    expect(ben_page.locator("#status-narrative .alert-warning")).to_be_visible()
    journey.shot("ben-q3-conflict")
    return pk, amy_page, ben_page


def test_colleagues_editing_the_same_narrative_see_both_versions(journey, other_person, severn):  # noqa: F811
    pk, amy_page, ben_page = conflict_on_q3(journey, other_person, severn)

    # Ben sees why, and both versions.
    status = ben_page.locator("#status-narrative")
    message = text(status.locator(".alert-warning p.fw-semibold"))
    assert re.fullmatch(r"Not saved: Amy Clarke changed this at \d\d:\d\d while you were editing it\.", message)
    assert status.locator(".small.fw-semibold").all_inner_texts() == ["Their saved version", "Your version"]
    assert [text(version) for version in status.locator(".conflict-text").all()] == [AMY_Q3, " ".join(BEN_Q3.split())]
    assert text(status.locator(f"a[href='{criterion_path(pk, 'Q3')}']")) == (
        "Load their version (copy anything you need from yours first)"
    )
    assert ben_page.locator("#id_narrative").input_value() == BEN_Q3  # nothing he typed is lost
    assert Response.objects.get(assessment_id=pk, criterion__code="Q3").narrative == AMY_Q3

    # He leaves the field to read both versions, keeps his, and it is saved.
    # (Pressing the button straight from the field races with the save on
    # leaving it: see the next test.)
    leave_narrative(ben_page)
    expect(status.locator(".alert-warning")).to_be_visible()
    status.locator("button", has_text="Keep my version").click()
    wait_saved(ben_page, "narrative")
    journey.shot("ben-q3-kept-his-version")
    q3 = Response.objects.get(assessment_id=pk, criterion__code="Q3")
    assert (q3.narrative, q3.updated_by) == (BEN_Q3, severn.ben)

    # His page now starts from his saved version: his next change saves.
    more = BEN_Q3 + "\nChats are answered within 45 seconds."
    assert next_narrative_save(ben_page, more) == 200
    expect(status).to_have_text(SAVED)
    journey.shot("ben-q3-next-change")
    assert Response.objects.get(pk=q3.pk).narrative == more

    # Amy's page is stale now: reloading it shows Ben's version.
    journey.page = amy_page
    amy_page.reload()
    journey.shot("amy-q3-reloaded")
    assert amy_page.locator("#id_narrative").input_value() == more


def test_keep_my_version_pressed_straight_from_the_field(journey, other_person, severn):  # noqa: F811
    pk, _amy_page, ben_page = conflict_on_q3(journey, other_person, severn)
    status = ben_page.locator("#status-narrative")
    status.locator("button", has_text="Keep my version").click()
    wait_saved(ben_page, "narrative")
    journey.shot("ben-q3-kept-his-version")
    assert Response.objects.get(assessment_id=pk, criterion__code="Q3").narrative == BEN_Q3

    more = BEN_Q3 + "\nChats are answered within 45 seconds."
    answer = next_narrative_save(ben_page, more)
    journey.shot("ben-q3-next-change")
    assert answer == 200, text(status)
    assert Response.objects.get(assessment_id=pk, criterion__code="Q3").narrative == more


def test_a_text_field_is_saved_once_per_change(journey, severn):
    """Typing saves after a pause; leaving the field then sends nothing more
    (htmx remembers each trigger's last value apart: static/js/autosave.js)."""
    page = journey.page
    sign_in(journey, email=severn.amy.email, password=PASSWORD, step="amy")
    pk = open_self_assessment(journey, severn, "amy")
    go_to_criterion(journey, pk, "Q1")
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.post_data) if r.method == "POST" and r.url.endswith("/save/") else None)

    write_narrative(page, "Typed, then left.")
    leave_narrative(page)
    page.locator("#id_narrative").click()
    leave_narrative(page)
    page.wait_for_timeout(1500)  # longer than the typing delay: nothing else is on its way

    assert len(saves) == 1
    page.locator("#id_narrative").fill("Typed again, and left at once.")
    leave_narrative(page)
    wait_saved(page, "narrative")
    page.wait_for_timeout(1500)
    assert len(saves) == 2
    assert Response.objects.get(assessment_id=pk, criterion__code="Q1").narrative == "Typed again, and left at once."
