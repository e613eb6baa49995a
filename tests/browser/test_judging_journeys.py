"""Judging in a real browser: the lead shortlists, assigns the panel and
opens judging; a judge with MFA declares a conflict and scores a finalist
over two visits; the lead follows the progress on the judging dashboard.

Fields, buttons and forms are found by input names, ids, URLs and form
actions; the assertions then check the wording people read, as the
templates put it, and what the database holds.
"""

import re
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from assessments.services import self_assessment
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase
from cohorts.timeline import add_months
from core.models import AuditEvent
from judging.models import Assignment, ConflictDeclaration, Scorecard, ScoreEntry
from judging.services import panel as judging
from tests.browser.test_journeys import TOTP_PERIOD, enter_mfa_code, fresh_totp, sign_in, sign_out, submit
from tests.browser.test_programme_journeys import (
    other_person,  # noqa: F401 (a fixture)
    sign_in_as_lead,
    success_messages,
    text,
    today_in_london,
)
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    EnrolmentFactory,
    OrganisationFactory,
    make_cohort,
    make_judge,
    make_lead,
    make_member,
)

pytestmark = pytest.mark.browser

NUMBER = 7
COHORT_NAME = "Customer service 2027"
SAVED = re.compile(r"^\s*✓ Saved at \d\d:\d\d:\d\d\s*$")
ALL_CODES = ["Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "P6"]  # P6 is judging-only
# Every criterion at level L gives an index of (L − 1) · 25, so the levels
# give distinct indexes, and the ranking is not the alphabetical order.
LEVELS = {
    "Anglian Water": 3,  # 50.0, rank 3
    "Brecon Water": 2,  # 25.0, rank 4: not shortlisted
    "Dee Valley Water": 5,  # 100.0, rank 1
    "Severn Vale Water": 4,  # 75.0, rank 2
}
RANKED = [
    ("Dee Valley Water", "100.0"),
    ("Severn Vale Water", "75.0"),
    ("Anglian Water", "50.0"),
    ("Brecon Water", "25.0"),
]
FINALISTS = ["Anglian Water", "Dee Valley Water", "Severn Vale Water"]
FIRST_VISIT = {"Q1": 7, "Q2": 6, "Q3": 8}
SECOND_VISIT = {"Q4": 5, "Q5": 7, "P1": 6, "P2": 8, "P3": 4, "P4": 7, "P5": 6, "P6": 9}
Q1_COMMENT = "Surveys after every contact, but the monthly themes do not say who acts on them."
P6_COMMENT = "A clear, well-rehearsed presentation; the agents we met spoke confidently about their targets."
STRENGTHS = "Customer feedback reaches the front line quickly."
IMPROVEMENTS = "Tie the repeat-contact analysis to named owners and dates."
CONFLICT_NOTE = "I worked in their billing team until 2024."


@dataclass
class Panel:
    cohort: Cohort
    lead: User
    judge: User  # Jo Judge, who signs in in the journey
    others: list[User]
    enrolments: dict[str, Enrolment]


@pytest.fixture
def panel(transactional_db) -> Panel:
    """Cohort 7, in shortlisting: its self-assessment deadline passed about
    ten days ago, its judging deadline is about three weeks away. Four
    organisations submitted (each with a member, who is told the news), two
    judges per finalist, and three judges on the panel."""
    start = add_months(today_in_london(), -4) - timedelta(days=10)
    cohort = make_cohort(
        number=NUMBER, name=COHORT_NAME, start_date=start, phase=Phase.SELF_ASSESSMENT, judges_per_finalist=2
    )
    while_open = cohort.self_assessment_deadline - timedelta(days=1)
    enrolments = {}
    for name, level in LEVELS.items():
        enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name))
        slug = name.split()[0].lower()
        make_member(organisation=enrolment.organisation, email=f"contact@{slug}.example", full_name=f"{name} contact")
        assessment = self_assessment.ensure_assessment(enrolment=enrolment)
        for response in assessment.responses.all():
            for field, value in (("level", str(level)), ("narrative", f"What {name} does, level {level}.")):
                self_assessment.save_answer(
                    response=response, field=field, value=value, base="", actor=None, now=while_open
                )
        self_assessment.submit(assessment=assessment, actor=None, now=while_open)
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.SUBMITTED
        enrolments[name] = enrolment
    Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.SHORTLISTING)
    cohort.refresh_from_db()
    assert cohort.self_assessment_deadline < cohort.judging_deadline

    lead = make_lead(email="lena.lead@example.org", full_name="Lena Lead")
    judge = make_judge(email="jo.judge@example.org", full_name="Jo Judge")
    others = [
        make_judge(email="amara@example.org", full_name="Amara Okoye"),
        make_judge(email="priya@example.org", full_name="Priya Shah"),
    ]
    for person in [judge, *others]:
        judging.add_judge(cohort=cohort, judge=person, actor=lead)
    mail.outbox.clear()
    return Panel(cohort, lead, judge, others, enrolments)


def unused_totp(secret: str, used: set[str]) -> str:
    """A current code that has not been used yet: allauth refuses a code a
    second time, so wait for the next 30-second window when need be."""
    while True:
        code = fresh_totp(secret)
        if code not in used:
            return code
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.5)


def sign_in_as_judge(journey, judge: User, used: set[str], step: str) -> None:
    sign_in(journey, email=judge.email, password=PASSWORD, step=step)
    code = unused_totp(TOTP_SECRET, used)
    enter_mfa_code(journey, code, f"{step}-totp-code")
    used.add(code)
    journey.shot(f"{step}-dashboard")
    assert journey.path == "/judge/"
    assert journey.page.locator("main h1").inner_text() == "Judging"


def click(journey, selector: str, path: str) -> None:
    """Follow a link (or press a button) that leads to `path`."""
    journey.page.locator(selector).first.click()
    journey.page.wait_for_url(journey.url(path))
    assert journey.path == path


def rows_of(page, table: str = "main table") -> list[list[str]]:
    """The text of each cell (th and td) of the table's body rows."""
    return [[text(cell) for cell in row.locator("th, td").all()] for row in page.locator(f"{table} tbody tr").all()]


def shortlist_column(page) -> list[str]:
    """The shortlist's last column: the status and the button, named as a
    screen reader reads it (with its visually hidden part)."""
    return [" ".join(cell.text_content().split()) for cell in page.locator("main table tbody tr td:last-child").all()]


def warning_messages(page) -> list[str]:
    return [text(alert) for alert in page.locator("main .messages .alert-warning").all()]


def give_score(page, code: str, score: int) -> None:
    page.locator(f"label[for=score-{code}-{score}]").click()
    expect(page.locator(f"#status-score-{code}")).to_have_text(SAVED)


def write(page, field: str, status: str, value: str) -> None:
    """Type into a text field, see it saved, then leave it and let the save
    on leaving it finish too (so that it does not race with what comes next)."""
    page.locator(field).fill(value)
    expect(page.locator(status)).to_have_text(SAVED)
    page.locator("main h1").click()
    expect(page.locator(field)).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(page.locator(status)).to_have_text(SAVED)


def progress(page) -> str:
    return text(page.locator("#scorecard-progress"))


def scores_in_database(scorecard: Scorecard) -> dict[str, int | None]:
    return dict(
        ScoreEntry.objects.filter(scorecard=scorecard)
        .order_by("criterion__position", "criterion__code")
        .values_list("criterion__code", "score")
    )


def test_lead_shortlists_and_assigns_judge_declares_conflict_and_scores_over_two_visits(
    journey,
    other_person,  # noqa: F811
    panel,
):
    lead_page = journey.page
    cohort_path = f"/cohorts/{NUMBER}/"
    judge, cohort = panel.judge, panel.cohort
    everyone_else = [person.full_name for person in panel.others]

    # The lead opens the cohort and its shortlist.
    sign_in_as_lead(journey, panel.lead.email, "lead")
    journey.goto(cohort_path, "lead-cohort-in-shortlisting")
    assert text(lead_page.locator("main .phase-badge")) == "Shortlisting"
    assert text(lead_page.locator("main #counts-heading ~ h2 + p")) == "Amara Okoye, Jo Judge, Priya Shah"
    click(journey, f"main a[href='{cohort_path}shortlist/']", f"{cohort_path}shortlist/")
    journey.shot("lead-shortlist")
    assert lead_page.locator("main h1").inner_text() == f"Shortlist for cohort {NUMBER}"
    assert text(lead_page.locator("#finalist-count")) == "0 finalists"
    rows = rows_of(lead_page)
    assert [(row[0], row[1], row[4]) for row in rows] == [
        (str(rank), name, index) for rank, (name, index) in enumerate(RANKED, start=1)
    ]
    assert {row[3] for row in rows} == {"10/10"}
    assert shortlist_column(lead_page) == [f"Submitted Select {name} as a finalist" for name, _ in RANKED]

    # The top three.
    lead_page.fill("main form[action$='/shortlist/top/'] input[name=n]", "3")
    journey.shot("lead-top-3-filled-in")
    submit(journey, "main form[action$='/shortlist/top/']")
    journey.shot("lead-top-3-selected")
    assert success_messages(lead_page) == ["The shortlist is now the top 3. 3 added, 0 taken off."]
    assert text(lead_page.locator("#finalist-count")) == "3 finalists"
    rows = rows_of(lead_page)
    assert shortlist_column(lead_page) == [
        "Finalist Undo: take Dee Valley Water off the shortlist",
        "Finalist Undo: take Severn Vale Water off the shortlist",
        "Finalist Undo: take Anglian Water off the shortlist",
        "Submitted Select Brecon Water as a finalist",
    ]
    assert lead_page.locator("main table tbody tr.table-success").count() == 3
    statuses = dict(cohort.enrolments.values_list("organisation__name", "status"))
    assert statuses == {**dict.fromkeys(FINALISTS, EnrolmentStatus.FINALIST), "Brecon Water": "submitted"}

    # The announcement: what it sends, then sent.
    announcement = text(lead_page.locator("main section[aria-labelledby=announce-heading]"))
    assert "Not announced yet: the organisations do not know the shortlist." in announcement
    assert "a congratulations e-mail, with what happens next and the judging dates, to 3 people at 3 finalists" in (
        announcement
    )
    assert "a kind “not shortlisted” e-mail, with thanks, to 1 person at 1 other organisation that submitted" in (
        announcement
    )
    submit(journey, "main form[action$='/shortlist/announce/']")
    journey.shot("lead-shortlist-announced")
    assert success_messages(lead_page) == [
        "The shortlist was announced: 4 e-mails to the members of 3 finalists and 1 other organisation."
    ]
    assert re.search(r"Announced on \d{1,2} \w+ \d{4} at \d\d:\d\d by Lena Lead\.", text(lead_page.locator("main"))), (
        text(lead_page.locator("main section[aria-labelledby=announce-heading]"))
    )
    told = {message.to[0]: message.subject.removeprefix("[P&Q portal] ") for message in mail.outbox}
    assert told == {
        "contact@anglian.example": f"Anglian Water is a finalist in cohort {NUMBER} of the P&Q programme",
        "contact@dee.example": f"Dee Valley Water is a finalist in cohort {NUMBER} of the P&Q programme",
        "contact@severn.example": f"Severn Vale Water is a finalist in cohort {NUMBER} of the P&Q programme",
        "contact@brecon.example": f"The cohort {NUMBER} shortlist: thank you from the P&Q programme",
    }
    assert AuditEvent.objects.for_object(cohort).filter(action="shortlist.announced").count() == 1
    mail.outbox.clear()

    # Judging cannot start yet: nobody is assigned.
    journey.goto(cohort_path, "lead-cohort-judging-blocked")
    judging_form = f"main form[action='{cohort_path}phase/']:has(input[name=to][value=judging])"
    assert lead_page.locator(f"{judging_form} button[type=submit]").is_disabled()
    assert text(lead_page.locator("#blockers")) == (
        "What is needed first: The assignment plan is not complete: "
        "Anglian Water, Dee Valley Water, Severn Vale Water have fewer than 2 judges."
    )

    # The panel, then the assignments.
    click(journey, f"main a[href='{cohort_path}panel/']", f"{cohort_path}panel/")
    journey.shot("lead-panel")
    assert lead_page.locator("main h1").inner_text() == f"Judging panel of cohort {NUMBER}"
    assert text(lead_page.locator("main h2").first) == "3 judges on the panel"
    assert [row[0] for row in rows_of(lead_page)] == [
        "Amara Okoye amara@example.org",
        "Jo Judge jo.judge@example.org",
        "Priya Shah priya@example.org",
    ]
    click(journey, f"main nav a[href='{cohort_path}assignments/']", f"{cohort_path}assignments/")
    journey.shot("lead-assignments-empty")
    assert lead_page.locator("main h1").inner_text() == f"Assignments in cohort {NUMBER}"
    assert text(lead_page.locator("main .alert-warning[role=status]:not(.alert-dismissible)")) == (
        "3 of 3 finalists have fewer than 2 judges. The table says why."
    )
    assert [row[1:] for row in rows_of(lead_page)] == [
        ["No judges yet", "0 of 2 Automatic assignment can fill this"]
    ] * 3
    submit(journey, f"main form[action='{cohort_path}assignments/run/']")
    journey.shot("lead-assignments-run")
    assert success_messages(lead_page) == [
        "Automatic assignment made 6 new assignments; 3 judges told their finalists by e-mail."
    ]
    assert warning_messages(lead_page) == []
    assert text(lead_page.locator("main .alert-success[role=status]:not(.alert-dismissible)")) == (
        "Every finalist has 2 judges: the assignment plan is complete."
    )
    loads = [text(item) for item in lead_page.locator("main .card ul.list-unstyled li").all()]
    assert loads == ["Amara Okoye 2 finalists", "Jo Judge 2 finalists", "Priya Shah 2 finalists"]
    assert [(row[0], row[2]) for row in rows_of(lead_page)] == [(name, "2 of 2") for name in FINALISTS]

    # In the database: two judges per finalist, two finalists per judge.
    assignments = list(Assignment.objects.active().filter(cohort=cohort).select_related("judge", "enrolment"))
    assert len(assignments) == 6
    per_judge = {person.full_name: set() for person in [judge, *panel.others]}
    for assignment in assignments:
        per_judge[assignment.judge.full_name].add(assignment.enrolment.organisation.name)
        assert assignment.method == Assignment.Method.AUTOMATIC
    assert {name: len(finalists) for name, finalists in per_judge.items()} == dict.fromkeys(per_judge, 2)
    judged = sorted(per_judge["Jo Judge"])
    (not_judged,) = set(FINALISTS) - set(judged)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "amara@example.org",
        "jo.judge@example.org",
        "priya@example.org",
    ]
    jo_mail = next(message for message in mail.outbox if message.to == [judge.email])
    assert jo_mail.subject == f"[P&Q portal] Your finalists to judge in cohort {NUMBER} of the P&Q programme"
    assert all(f"- {name}" in jo_mail.body for name in judged)
    assert f"- {not_judged}" not in jo_mail.body

    # Into judging, from the cohort's page.
    journey.goto(cohort_path, "lead-cohort-ready-for-judging")
    assert lead_page.locator(f"{judging_form} button[type=submit]").is_enabled()
    assert lead_page.locator("#blockers").count() == 0
    submit(journey, judging_form)
    journey.shot("lead-cohort-in-judging")
    assert success_messages(lead_page) == [f"Cohort {NUMBER}: {COHORT_NAME} is now in the judging phase."]
    assert text(lead_page.locator("main .phase-badge")) == "Judging"
    cohort.refresh_from_db()
    assert cohort.phase == Phase.JUDGING

    # Jo Judge, at her own computer, signs in with her authenticator app.
    judge_page = journey.page = other_person()
    used_codes: set[str] = set()
    sign_in_as_judge(journey, judge, used_codes, "judge")
    assert text(judge_page.locator("#scorecards-heading + p")) == "0 of 2 submitted."
    card = judge_page.locator(f"main section[aria-labelledby=cohort-{NUMBER}]")
    assert text(card.locator("h2")) == f"Cohort {NUMBER}: {COHORT_NAME}"
    assert text(card.locator(".phase-badge")) == "Judging"

    # She declares a conflict with the finalist she does not judge.
    click(journey, f"main a[href='{cohort_path}conflicts/']", f"{cohort_path}conflicts/")
    journey.shot("judge-conflicts")
    assert judge_page.locator("main h1").inner_text() == f"Conflicts of interest in cohort {NUMBER}"
    assert text(judge_page.locator("main .empty-state")) == (
        "You have not declared any conflict of interest in this cohort."
    )
    assert text(judge_page.locator("main .card .alert-warning")).startswith(
        f"You are judging {judged[0]} and {judged[1]}."
    )
    form = "main form:has(select[name=organisation])"
    offered = [text(option) for option in judge_page.locator(f"{form} select[name=organisation] option").all()]
    assert offered == ["Choose an organisation", *sorted(LEVELS)]  # every enrolled organisation
    judge_page.select_option(f"{form} select[name=organisation]", label=not_judged)
    judge_page.check(f"{form} input[name=relationship][value=former_employer]")
    judge_page.fill(f"{form} textarea[name=note]", CONFLICT_NOTE)
    journey.shot("judge-conflict-filled-in")
    submit(journey, form)
    journey.shot("judge-conflict-declared")
    assert journey.path == f"{cohort_path}conflicts/"
    assert success_messages(judge_page) == [f"Your conflict of interest with {not_judged} is recorded."]
    assert rows_of(judge_page)[0][:3] == [not_judged, "Former employer", CONFLICT_NOTE]
    assert len(rows_of(judge_page)) == 1
    offered = [text(option) for option in judge_page.locator(f"{form} select[name=organisation] option").all()]
    assert not_judged not in offered

    declaration = ConflictDeclaration.objects.get()
    assert (declaration.cohort, declaration.judge, declaration.organisation.name) == (cohort, judge, not_judged)
    assert (declaration.relationship, declaration.note) == ("former_employer", CONFLICT_NOTE)
    assert (
        sorted(Assignment.objects.active().filter(judge=judge).values_list("enrolment__organisation__name", flat=True))
        == judged
    )  # not judging it anyway: nothing ended
    assert not Scorecard.objects.exists()

    # Her scorecards: the two finalists she judges, nothing started.
    click(journey, "main .breadcrumb a[href='/judge/']", "/judge/")
    click(journey, "main a[href='/judging/']", "/judging/")
    journey.shot("judge-scorecards")
    assert judge_page.locator("main h1").inner_text() == "Your scorecards"
    assert text(judge_page.locator(f"#cohort-{NUMBER} + span")) == "0 of 2 submitted"
    deadline = text(judge_page.locator("main section.card p").first)
    assert re.fullmatch(r"Judging deadline: 23:59, \d{1,2} \w+ \d{4} \(.+\)", deadline), deadline
    assert rows_of(judge_page) == [[name, "0 of 11", "Not started", f"Start scoring {name}"] for name in judged]
    scored = judged[0]
    assignment = Assignment.objects.active().get(judge=judge, enrolment__organisation__name=scored)
    scorecard_path = f"/judging/{assignment.pk}/"
    click(journey, f"main tbody tr:has-text('{scored}') a.btn", scorecard_path)

    # The first visit: three scores and a comment, each saved as she goes.
    journey.shot("judge-scorecard-empty")
    assert judge_page.locator("main h1").inner_text() == f"{scored}: your scorecard"
    assert text(judge_page.locator("main .status-badge")) == "In progress"
    assert progress(judge_page) == "Scores given 0 of 11 criteria"
    headings = [text(h) for h in judge_page.locator("main section.card[id^=criterion-] h2").all()]
    assert [heading.split()[0] for heading in headings] == ALL_CODES
    level = LEVELS[scored]
    q1_answer = text(judge_page.locator("#criterion-Q1 dl dd").nth(1))
    assert q1_answer == f"What {scored} does, level {level}."
    assert text(judge_page.locator("#criterion-Q1 .badge", has_text="Their level").locator("..")).startswith(str(level))
    main_text = text(judge_page.locator("main"))
    assert all(name not in main_text for name in everyone_else)  # no other judge's name on a finalist
    for code, score in FIRST_VISIT.items():
        give_score(judge_page, code, score)
    write(judge_page, "#comment-Q1", "#status-comment-Q1", Q1_COMMENT)
    judge_page.locator("#criterion-Q1").scroll_into_view_if_needed()
    journey.shot("judge-scorecard-first-visit-saved")
    assert progress(judge_page) == "Scores given 3 of 11 criteria"

    scorecard = Scorecard.objects.get(assignment=assignment)
    assert scorecard.status == Scorecard.Status.DRAFT
    assert scores_in_database(scorecard) == {code: FIRST_VISIT.get(code) for code in ALL_CODES}
    assert ScoreEntry.objects.get(scorecard=scorecard, criterion__code="Q1").comment == Q1_COMMENT

    # She signs out, and later signs in again with a new code.
    sign_out(journey, "judge")
    journey.shot("judge-signed-out")
    assert journey.path == "/"
    sign_in_as_judge(journey, judge, used_codes, "judge-again")
    assert len(used_codes) == 2
    assert text(judge_page.locator("#scorecards-heading + p")) == "0 of 2 submitted, 1 in progress."
    click(journey, "main a[href='/judging/']", "/judging/")
    journey.shot("judge-scorecards-again")
    rows = rows_of(judge_page)
    assert rows[judged.index(scored)] == [scored, "3 of 11", "In progress", f"Continue {scored}"]
    click(journey, f"main tbody tr:has-text('{scored}') a.btn", scorecard_path)
    journey.shot("judge-scorecard-second-visit")

    # Her first visit's scores are all there.
    assert progress(judge_page) == "Scores given 3 of 11 criteria"
    for code in ALL_CODES:
        checked = [
            radio.get_attribute("value")
            for radio in judge_page.locator(f"input[name=score][id^=score-{code}-]:checked").all()
        ]
        assert checked == ([str(FIRST_VISIT[code])] if code in FIRST_VISIT else []), code
    assert judge_page.locator("#comment-Q1").input_value() == Q1_COMMENT

    # The rest, and the overall remarks.
    for code, score in SECOND_VISIT.items():
        give_score(judge_page, code, score)
    write(judge_page, "#comment-P6", "#status-comment-P6", P6_COMMENT)
    write(judge_page, "#id_strengths", "#status-strengths", STRENGTHS)
    write(judge_page, "#id_improvements", "#status-improvements", IMPROVEMENTS)
    journey.shot("judge-scorecard-complete")
    assert progress(judge_page) == "Scores given 11 of 11 criteria"

    # Review, then submit.
    click(journey, f"main a[href='{scorecard_path}review/']", f"{scorecard_path}review/")
    journey.shot("judge-review")
    assert judge_page.locator("main .alert-warning").count() == 0
    all_scores = {**FIRST_VISIT, **SECOND_VISIT}
    review = rows_of(judge_page, "main table")
    assert [(row[0].split()[0], row[1]) for row in review] == [(code, f"{all_scores[code]} / 10") for code in ALL_CODES]
    assert review[0][2] == Q1_COMMENT
    assert review[-1][2] == P6_COMMENT
    assert [text(dd) for dd in judge_page.locator("main section.card dd").all()] == [STRENGTHS, IMPROVEMENTS]
    mail.outbox.clear()
    submit(journey, f"main form[action='{scorecard_path}submit/']")
    journey.shot("judge-submitted")
    assert journey.path == "/judging/"
    assert success_messages(judge_page) == [
        f"Your scorecard for {scored} is submitted. Thank you: it is locked now, "
        "and the programme lead can unlock it if something needs changing."
    ]
    assert text(judge_page.locator(f"#cohort-{NUMBER} + span")) == "1 of 2 submitted"
    row = rows_of(judge_page)[judged.index(scored)]
    assert row[:2] == [scored, "11 of 11"]
    assert re.fullmatch(r"Submitted \d{1,2} \w{3}", row[2]), row
    assert row[3] == f"View {scored}"

    scorecard.refresh_from_db()
    assert scorecard.status == Scorecard.Status.SUBMITTED
    assert scorecard.submitted_at is not None
    assert (scorecard.strengths, scorecard.improvements) == (STRENGTHS, IMPROVEMENTS)
    assert scores_in_database(scorecard) == all_scores
    assert ScoreEntry.objects.get(scorecard=scorecard, criterion__code="P6").comment == P6_COMMENT

    # Locked now: the page shows her scores without a way to change them.
    click(journey, f"main tbody tr:has-text('{scored}') a.btn", scorecard_path)
    journey.shot("judge-scorecard-locked")
    assert text(judge_page.locator("main .alert-info")).startswith("This scorecard was submitted on ")
    assert judge_page.locator("main [hx-post]").count() == 0
    assert all(radio.is_disabled() for radio in judge_page.locator("input[name=score]").all())
    assert judge_page.locator("#comment-Q1").get_attribute("readonly") is not None

    # The lead, still signed in at her computer, follows the progress.
    journey.page = lead_page
    journey.goto(cohort_path, "lead-cohort-during-judging")
    click(journey, f"main a[href='{cohort_path}judging/']", f"{cohort_path}judging/")
    journey.shot("lead-judging-dashboard")
    assert lead_page.locator("main h1").inner_text() == f"Judging in cohort {NUMBER}"
    progress_table = "main section[aria-labelledby=progress-heading] table"
    assert [row[:3] for row in rows_of(lead_page, progress_table)] == [
        ["Amara Okoye", "0 of 2", "2"],
        ["Jo Judge", "1 of 2", "1"],
        ["Priya Shah", "0 of 2", "2"],
    ]
    matrix_table = "main section[aria-labelledby=matrix-heading] table"
    headings = [text(th) for th in lead_page.locator(f"{matrix_table} thead th").all()]
    assert headings == ["Finalist", "Amara Okoye", "Jo Judge", "Priya Shah"]
    matrix = {row[0]: row[1:] for row in rows_of(lead_page, matrix_table)}
    assert list(matrix) == FINALISTS
    jo = {name: cells[1] for name, cells in matrix.items()}
    assert jo == {
        scored: "Submitted Unlock…",  # with the lead's link to unlock it
        judged[1]: "Assigned – not started",
        not_judged: "Conflict declared: former employer",
    }
    for name, cells in matrix.items():  # the other judges have not started
        assert sorted(cells[0:1] + cells[2:3]) == sorted(
            "Assigned – not started" if name in per_judge[other] else "Not assigned" for other in everyone_else
        ), name
    declared = rows_of(lead_page, "main section[aria-labelledby=conflicts-heading] table")
    assert [row[:4] for row in declared] == [[not_judged, "Jo Judge", "Former employer", CONFLICT_NOTE]]
    assert "No scorecard has been withdrawn." in text(
        lead_page.locator("main section[aria-labelledby=conflicts-heading]")
    )
    assert not Scorecard.objects.filter(status=Scorecard.Status.WITHDRAWN).exists()
    assert mail.outbox == []  # nobody is told anything by the lead's looking
    assert not [error for error in journey.console_errors if "status of 5" in error], journey.console_errors
