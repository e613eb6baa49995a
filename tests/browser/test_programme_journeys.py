"""The programme in a real browser: the lead runs a cohort, an invited member
finds their deadline, an applicant is accepted.

Fields, buttons and forms are found by input names, URLs and form actions;
the assertions then check the wording people read, as the templates put it.
"""

import re
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation, User
from cohorts.models import Application, Cohort, Enrolment, EnrolmentStatus, Phase
from cohorts.services import programme
from cohorts.timeline import add_months, deadline_at, describe_remaining
from core.models import AuditEvent
from frameworks.models import Framework
from organisations import imports as import_services
from organisations.models import Membership, Organisation, OrganisationImport
from tests.browser.conftest import CSP_VIOLATION, REPORT_CSP_VIOLATIONS
from tests.browser.test_journeys import enter_mfa_code, fresh_totp, sign_in, submit
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, ensure_default_framework, make_cohort, make_lead

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
COHORT_NAME = "Water and energy 2027"
CSV_NAME = "cohort-5-organisations.csv"
CSV_TEXT = (
    "name,sector,size,contact_name,contact_email\n"
    "Wye Valley Water,Water,large,Rhian Evans,rhian@wyevalley.example\n"
    "Northern Grid Energy,Energy,very_large,Callum Reid,callum@northerngrid.example\n"
    "AquaBill Services,BPO,medium,Sam Patel,sam@aquabill.example\n"
)
IMPORTED = ["AquaBill Services", "Northern Grid Energy", "Wye Valley Water"]
INVITATION_LINK = re.compile(r"https?://\S+/invitations/[^/\s]+/")


def today_in_london() -> date:
    return datetime.now(LONDON).date()


def running_start_date() -> date:
    """A cohort that kicked off a month ago: its self-assessment deadline
    (start + 4 months, 23:59 in London) is about three months away."""
    return add_months(today_in_london(), -1)


def long_date(day: date) -> str:
    """As the templates write a date with |date:"l j F Y"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def text(locator) -> str:
    return " ".join(locator.inner_text().split())


def success_messages(page) -> list[str]:
    return [text(alert) for alert in page.locator("main .messages .alert-success").all()]


def phase_form(number: int, to: str) -> str:
    return f"main form[action='/cohorts/{number}/phase/']:has(input[name=to][value={to}])"


def countdowns(deadline: datetime, before: datetime) -> set[str]:
    """What the countdown may say, read between `before` and now (the number
    of days goes down by one when the clock passes 23:59)."""
    return {describe_remaining(before, deadline), describe_remaining(timezone.now(), deadline)}


@pytest.fixture(autouse=True)
def shipped_framework(transactional_db) -> Framework:
    """The default P&Q framework, as the migrations load it. Journeys run on
    a live server, so the database is flushed after each one, which removes
    what the migrations loaded: load it again when it is missing."""
    return ensure_default_framework()


@pytest.fixture
def other_person(journey):
    """Another person at another computer: a fresh browser context whose page
    reports problems into the same journey, so that `journey.shot` checks it
    too. Call it, then set `journey.page` to the page it returns."""
    contexts = []

    def open_page():
        context = journey.page.context.browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
        context.set_default_timeout(15_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()

        def on_console(message):
            if message.type == "error" or CSP_VIOLATION.search(message.text):
                entry = f"[{message.type}] {message.text} ({page.url})"
                journey.console_errors.append(entry)
                if CSP_VIOLATION.search(message.text):
                    journey.csp_violations.append(entry)

        page.on("console", on_console)
        page.on("pageerror", lambda error: journey.page_errors.append(f"{error} ({page.url})"))
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in_as_lead(journey, email: str, step: str) -> None:
    sign_in(journey, email=email, password=PASSWORD, step=step)
    enter_mfa_code(journey, fresh_totp(TOTP_SECRET), f"{step}-totp-code")
    journey.shot(f"{step}-programme")
    assert journey.path == "/lead/"
    assert journey.page.locator("main h1").inner_text() == "Programme"


def test_lead_creates_cohort_imports_organisations_and_opens_self_assessment(journey, tmp_path, shipped_framework):
    page = journey.page
    make_lead(email="lena.lead@example.org", full_name="Lena Lead")
    start = running_start_date()
    deadline_day = add_months(start, 4)
    csv_file = tmp_path / CSV_NAME
    csv_file.write_text(CSV_TEXT, encoding="utf-8")

    sign_in_as_lead(journey, "lena.lead@example.org", "lead")

    # A new cohort, from the programme page.
    page.locator("main a[href='/cohorts/new/']").first.click()
    page.wait_for_load_state("load")
    assert journey.path == "/cohorts/new/"
    assert page.locator("main h1").inner_text() == "New cohort"
    form = "main form:has(input[name=start_date])"
    page.fill(f"{form} input[name=number]", "5")
    page.fill(f"{form} input[name=name]", COHORT_NAME)
    page.fill(f"{form} input[name=sponsor]", "Insight Analytics")
    page.fill(f"{form} input[name=start_date]", start.isoformat())
    page.select_option(f"{form} select[name=time_zone]", "Europe/London")
    page.select_option(f"{form} select[name=framework]", str(shipped_framework.pk))
    page.fill(f"{form} input[name=judges_per_finalist]", "3")
    page.fill(f"{form} input[name=pass_threshold]", "60")
    page.fill(f"{form} input[name=distinction_threshold]", "75")
    journey.shot("new-cohort-filled-in")
    submit(journey, form)
    journey.shot("cohort-created")

    assert journey.path == "/cohorts/5/"
    assert page.locator("main h1").inner_text() == f"Cohort 5: {COHORT_NAME}"
    assert success_messages(page) == [f"Cohort 5: {COHORT_NAME} was created, with the default six-month timeline."]
    assert page.locator("main .phase-badge").inner_text() == "Draft"
    assert text(page.locator("main .empty-state")) == "No organisation is enrolled yet."
    deadline_row = page.locator("main .timeline li", has_text="Self-assessment deadline")
    assert deadline_row.locator("time").inner_text() == f"23:59, {long_date(deadline_day)}"
    cohort = Cohort.objects.get(number=5)
    assert (cohort.name, cohort.sponsor, cohort.start_date, cohort.time_zone) == (
        COHORT_NAME,
        "Insight Analytics",
        start,
        "Europe/London",
    )
    assert cohort.phase == Phase.DRAFT
    assert cohort.framework == shipped_framework
    assert cohort.self_assessment_deadline == deadline_at(deadline_day, "Europe/London")

    # Organisations from a CSV file, enrolled in cohort 5 at upload.
    journey.goto("/organisations/import/", "import-upload")
    assert page.locator("main h1").inner_text() == "Import organisations from a CSV file"
    form = "main form:has(input[name=file])"
    page.set_input_files(f"{form} input[name=file]", str(csv_file))
    page.select_option(f"{form} select[name=cohort]", str(cohort.pk))
    journey.shot("import-file-chosen")
    submit(journey, form)
    journey.shot("import-preview")

    organisation_import = OrganisationImport.objects.get()
    assert journey.path == f"/organisations/import/{organisation_import.pk}/"
    assert page.locator("main h1").inner_text() == CSV_NAME
    assert f"The organisations will be enrolled in Cohort 5: {COHORT_NAME}." in text(page.locator("main"))
    assert text(page.locator("main #summary")) == "3 rows, 0 with errors"
    rows = page.locator("main table tbody tr")
    assert [text(row.locator("td").first) for row in rows.all()] == [
        "Wye Valley Water",
        "Northern Grid Energy",
        "AquaBill Services",
    ]
    assert [text(row.locator("td").last) for row in rows.all()] == ["Ready"] * 3
    assert Organisation.objects.count() == 0  # nothing is saved before the lead confirms
    import_button = page.locator("main form[method=post] button[type=submit]")
    assert text(import_button) == "Import 3 organisations"
    import_button.click()
    page.wait_for_load_state("load")
    journey.shot("imported")

    assert journey.path == "/organisations/"
    assert success_messages(page) == [
        f"3 organisations were imported from {CSV_NAME}, and their main contacts were invited as organisation "
        f"admin. They are enrolled in Cohort 5: {COHORT_NAME}."
    ]
    assert sorted(text(link) for link in page.locator("main table tbody tr td:first-child a").all()) == IMPORTED
    assert sorted(Organisation.objects.values_list("name", flat=True)) == IMPORTED
    assert OrganisationImport.objects.get().imported_count == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        "callum@northerngrid.example",
        "rhian@wyevalley.example",
        "sam@aquabill.example",
    ]
    invitations = Invitation.objects.order_by("email")
    assert [(i.email, i.organisation.name, i.organisation_role) for i in invitations] == [
        ("callum@northerngrid.example", "Northern Grid Energy", Membership.Role.ADMIN),
        ("rhian@wyevalley.example", "Wye Valley Water", Membership.Role.ADMIN),
        ("sam@aquabill.example", "AquaBill Services", Membership.Role.ADMIN),
    ]

    # They are on the cohort's dashboard.
    journey.goto("/cohorts/5/", "cohort-with-organisations")
    table = page.locator("main table:has(caption)")
    assert text(table.locator("caption")) == "3 organisations. Select a column heading to sort."
    assert [text(row.locator("td").nth(0)) for row in table.locator("tbody tr").all()] == IMPORTED
    assert [text(row.locator("td").nth(1)) for row in table.locator("tbody tr").all()] == ["BPO", "Energy", "Water"]
    assert [text(row.locator("td").nth(2)) for row in table.locator("tbody tr").all()] == ["Enrolled"] * 3
    assert (
        sorted(
            Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED).values_list(
                "organisation__name", flat=True
            )
        )
        == IMPORTED
    )

    # Draft → enrolment → self-assessment, with the phase buttons.
    submit(journey, phase_form(5, Phase.ENROLMENT))
    journey.shot("moved-to-enrolment")
    assert journey.path == "/cohorts/5/"
    assert success_messages(page) == [f"Cohort 5: {COHORT_NAME} is now in the enrolment phase."]
    assert page.locator("main .phase-badge").inner_text() == "Enrolment"

    submit(journey, phase_form(5, Phase.SELF_ASSESSMENT))
    journey.shot("moved-to-self-assessment")
    assert journey.path == "/cohorts/5/"
    assert success_messages(page) == [f"Cohort 5: {COHORT_NAME} is now in the self-assessment phase."]
    assert page.locator("main .phase-badge").inner_text() == "Self-assessment"
    assert page.locator("main .phase-step[aria-current=step]").inner_text() == "Self-assessment"
    # Shortlisting waits for the deadline, and the page says so.
    assert page.locator(f"{phase_form(5, Phase.SHORTLISTING)} button[type=submit]").is_disabled()
    assert "has not passed yet" in text(page.locator("main #blockers"))

    cohort.refresh_from_db()
    assert cohort.phase == Phase.SELF_ASSESSMENT
    moves = AuditEvent.objects.for_object(cohort).filter(action="cohort.phase_moved").order_by("pk")
    assert [(event.before, event.after) for event in moves] == [
        ({"phase": "draft"}, {"phase": "enrolment"}),
        ({"phase": "enrolment"}, {"phase": "self_assessment"}),
    ]


def test_invited_member_accepts_and_sees_the_self_assessment_deadline(journey):
    page = journey.page
    lead = make_lead(email="lena.lead@example.org", full_name="Lena Lead")
    start = running_start_date()
    deadline_day = add_months(start, 4)
    # The lead's work from the journey above, through the same services the pages call.
    cohort = make_cohort(number=5, name=COHORT_NAME, start_date=start)
    organisation_import = import_services.upload(data=CSV_TEXT.encode(), file_name=CSV_NAME, cohort=cohort, actor=lead)
    import_services.confirm(organisation_import=organisation_import, actor=lead)
    programme.move_phase(cohort=cohort, to=Phase.ENROLMENT, actor=lead)
    programme.move_phase(cohort=cohort, to=Phase.SELF_ASSESSMENT, actor=lead)

    [message] = [message for message in mail.outbox if message.to == ["rhian@wyevalley.example"]]
    assert message.subject == "[P&Q portal] You are invited to the P&Q portal as a member of Wye Valley Water"
    [link] = INVITATION_LINK.findall(message.body)

    journey.goto(urlsplit(link).path, "invitation")
    assert page.locator("main h1").inner_text() == "You are invited to the P&Q portal"
    assert text(page.locator("main p.lead")) == (
        "Lena Lead invited rhian@wyevalley.example to become a member of Wye Valley Water."
    )
    form = "main form:has(input[name=full_name])"
    page.fill(f"{form} input[name=full_name]", "Rhian Evans")
    page.fill(f"{form} input[name=password1]", PASSWORD)
    page.fill(f"{form} input[name=password2]", PASSWORD)
    journey.shot("invitation-filled-in")
    before = timezone.now()
    submit(journey, form)
    journey.shot("organisation-dashboard")

    assert journey.path == "/organisation/"
    assert "Welcome, Rhian: you are now a member of Wye Valley Water." in success_messages(page)
    assert page.locator("main h1").inner_text() == "My organisation"
    assert page.locator("main .card h2 a").first.inner_text() == "Wye Valley Water"
    assert page.locator("main .role-badge").inner_text() == "Organisation admin"
    card = page.locator("main section.card")
    assert card.locator("h2").inner_text() == f"Cohort 5: {COHORT_NAME}"
    assert card.locator(".status-badge").inner_text() == "Enrolled"
    assert text(card.locator("h3:text-is('What to do next') + p")) == (
        "Complete your self-assessment with your colleagues and submit it before the deadline."
    )
    deadline = deadline_at(deadline_day, "Europe/London")
    box = card.locator(".deadline-box")
    assert box.get_attribute("aria-label") == "Self-assessment deadline"
    countdown = box.locator(".countdown").inner_text()
    assert re.fullmatch(r"in \d+ days", countdown), countdown
    assert countdown in countdowns(deadline, before)
    assert box.locator("time").inner_text() == f"23:59, {long_date(deadline_day)}"
    assert text(box).endswith(f"23:59, {long_date(deadline_day)} (Europe/London)")
    deadline_row = card.locator(".timeline li", has_text="Self-assessment deadline")
    assert deadline_row.locator("time").inner_text() == f"23:59, {long_date(deadline_day)}"
    assert card.locator(".timeline li[aria-current=step]").count() == 1

    rhian = User.objects.get(email="rhian@wyevalley.example")
    assert rhian.full_name == "Rhian Evans"
    assert rhian.check_password(PASSWORD)
    assert list(Membership.objects.active().filter(user=rhian).values_list("organisation__name", "role")) == [
        ("Wye Valley Water", Membership.Role.ADMIN)
    ]
    assert Invitation.objects.get(email="rhian@wyevalley.example").accepted_at is not None


def test_applicant_applies_and_is_accepted_by_the_lead(journey, other_person):
    applicant_page = journey.page
    make_lead(email="lena.lead@example.org", full_name="Lena Lead")
    UserFactory(email="amal@brightside.example", full_name="Amal Hussain")
    start = add_months(today_in_london(), 1)
    cohort = make_cohort(number=6, name="Retail and travel 2027", start_date=start, phase="enrolment")

    # The applicant: no role yet, so the welcome page with the apply card.
    sign_in(journey, email="amal@brightside.example", password=PASSWORD, step="applicant")
    journey.shot("applicant-welcome")
    assert journey.path == "/"
    assert applicant_page.locator("main h1").inner_text() == "Welcome, Amal"
    apply_card = applicant_page.locator("main .card:has(h2:text-is('Enrol your organisation'))")
    assert text(apply_card.locator("p").first) == (
        f"Cohort 6, Retail and travel 2027, is open for enrolment. It starts on {start.day} {start:%B %Y}."
    )
    apply_card.locator("a[href='/apply/?cohort=6']").click()
    applicant_page.wait_for_load_state("load")
    assert journey.path == "/apply/?cohort=6"
    assert applicant_page.locator("main h1").inner_text() == "Apply to enrol your organisation in cohort 6"
    form = "main form[action='/apply/?cohort=6']"
    applicant_page.fill(f"{form} input[name=organisation_name]", "Brightside Travel")
    applicant_page.select_option(f"{form} select[name=sector]", "travel")
    applicant_page.select_option(f"{form} select[name=size]", "medium")
    applicant_page.fill(f"{form} input[name=contact_phone]", "0161 496 0000")
    applicant_page.fill(f"{form} input[name=website]", "https://brightside.example")
    applicant_page.fill(
        f"{form} textarea[name=motivation]",
        "We want to measure our customer service against the best in the industry.",
    )
    journey.shot("application-filled-in")
    submit(journey, form)
    journey.shot("application-sent")

    assert journey.path == "/"
    assert success_messages(applicant_page) == [
        "Thank you. Your application for Brightside Travel to join cohort 6 is waiting for the programme lead's "
        "decision; we will e-mail you."
    ]
    assert text(apply_card.locator("p").first) == (
        "The programme lead has your application: we will e-mail you when they decide."
    )
    row = apply_card.locator("table tbody tr")
    assert row.count() == 1
    assert [text(cell) for cell in row.locator("td").all()][:2] == ["Brightside Travel", "Cohort 6"]
    assert text(row.locator("td").last) == "Waiting for a decision"
    application = Application.objects.get()
    assert (application.cohort, application.organisation_name, application.status) == (
        cohort,
        "Brightside Travel",
        Application.Status.PENDING,
    )

    # The lead, at another computer, accepts it.
    journey.page = other_person()
    sign_in_as_lead(journey, "lena.lead@example.org", "lead")
    lead_page = journey.page
    nav_link = lead_page.locator("header a[href='/applications/']")
    assert text(nav_link) == "Applications 1 waiting"
    nav_link.click()
    lead_page.wait_for_load_state("load")
    journey.shot("applications")
    assert journey.path == "/applications/"
    assert lead_page.locator("main h1").inner_text() == "Applications to enrol"
    row = lead_page.locator("main table tbody tr")
    assert row.count() == 1
    assert text(row.locator("td").nth(2)) == "Amal Hussain amal@brightside.example"
    assert text(row.locator("td").last) == "Waiting for a decision"
    row.locator(f"a[href='/applications/{application.pk}/']").click()
    lead_page.wait_for_load_state("load")
    journey.shot("application-detail")
    assert journey.path == f"/applications/{application.pk}/"
    assert lead_page.locator("main h1").inner_text() == "Brightside Travel"
    assert text(lead_page.locator("main p.lead")) == (
        "Application to join cohort 6 (Retail and travel 2027): Waiting for a decision"
    )
    assert text(lead_page.locator("main .motivation")) == (
        "We want to measure our customer service against the best in the industry."
    )
    submit(journey, f"main form[action='/applications/{application.pk}/accept/']")
    journey.shot("application-accepted")
    assert journey.path == "/applications/"
    assert success_messages(lead_page) == [
        "Brightside Travel is now on the portal and enrolled in cohort 6; Amal Hussain is its organisation admin "
        "and has been told by e-mail."
    ]
    assert text(lead_page.locator("main table tbody tr td").last) == "Accepted"

    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    organisation = Organisation.objects.get(name="Brightside Travel")
    assert application.organisation == organisation
    assert list(organisation.memberships.active().values_list("user__email", "role")) == [
        ("amal@brightside.example", Membership.Role.ADMIN)
    ]
    assert list(organisation.enrolments.values_list("cohort__number", "status")) == [(6, EnrolmentStatus.ENROLLED)]
    [told] = [message for message in mail.outbox if message.to == ["amal@brightside.example"]]
    assert "Good news: the programme lead has accepted your application." in told.body

    # The applicant reloads the welcome page and lands on their organisation's.
    journey.page = applicant_page
    before = timezone.now()
    applicant_page.reload()
    journey.shot("applicant-organisation-dashboard")
    assert journey.path == "/organisation/"
    assert applicant_page.locator("main h1").inner_text() == "My organisation"
    assert applicant_page.locator("header a[href='/organisation/']").count() == 1
    card = applicant_page.locator("main section.card")
    assert card.locator("h2").inner_text() == "Cohort 6: Retail and travel 2027"
    assert text(card.locator("h3:text-is('What to do next') + p")) == (
        f"The cohort starts on {start.day} {start:%B %Y}. Self-assessment opens after the workshops begin."
    )
    deadline_day = add_months(start, 4)
    box = card.locator(".deadline-box")
    assert box.locator(".countdown").inner_text() in countdowns(deadline_at(deadline_day, "Europe/London"), before)
    assert box.locator("time").inner_text() == f"23:59, {long_date(deadline_day)}"
