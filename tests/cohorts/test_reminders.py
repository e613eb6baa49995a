"""Deadline reminders: the daily run (once per milestone and person, also
when run twice or by two processes at once), the lead's reminders by hand,
and where people see when they were last reminded."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.db import connection, transaction

from cohorts.models import EnrolmentStatus, Reminder
from cohorts.services import reminders
from cohorts.services.reminders import due_milestone, effective_deadline_day, reminder_key, send_due_reminders
from cohorts.tasks import send_deadline_reminders
from core.errors import ServiceError
from core.models import AuditEvent, EmailOptOut, Notification, OutboundEmail
from judging.models import Assignment, CohortJudge, Scorecard
from judging.services.scorecards import ensure_scorecard
from pq_portal.celery import app
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member

LONDON = ZoneInfo("Europe/London")
SA_DEADLINE = date(2027, 5, 15)  # cohort 3 starts on 15 January 2027: month 4
JUDGING_DEADLINE = date(2027, 6, 15)


def at(day: date, hour: int = 7) -> datetime:
    """The beat's run on `day`, in London."""
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def before(deadline: date, days: int) -> datetime:
    return at(deadline - timedelta(days=days))


# Pure date logic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [(30, None), (15, None), (14, 14), (13, 14), (8, 14), (7, 7), (5, 7), (2, 7), (1, 1), (0, 1), (-1, None)],
)
def test_the_milestone_due_is_the_nearest_not_below_the_days_left(days, expected):
    assert due_milestone(days, (14, 7, 1)) == expected


def test_judging_milestones():
    assert [due_milestone(days, (7, 1)) for days in (8, 7, 3, 1, 0)] == [None, 7, 7, 1, 1]


def test_the_key_names_the_deadline_and_the_milestone():
    assert reminder_key("self_assessment_deadline", date(2026, 12, 1), 7) == "self_assessment_deadline:2026-12-01:7"


def test_an_extension_moves_the_deadline_only_later():
    assert effective_deadline_day(date(2027, 5, 15), None) == date(2027, 5, 15)
    assert effective_deadline_day(date(2027, 5, 15), date(2027, 5, 29)) == date(2027, 5, 29)
    assert effective_deadline_day(date(2027, 5, 15), date(2027, 5, 1)) == date(2027, 5, 15)


# Self-assessment reminders --------------------------------------------------------------


@pytest.fixture
def self_assessment(db):
    """Cohort 3 in self-assessment: Severn (two members) and Wye (one) have
    not submitted; Dee has; Tamar withdrew."""
    cohort = make_cohort(number=3, phase="self_assessment", name="Water industry")
    severn = OrganisationFactory(name="Severn Water")
    amy = make_member(email="amy@severn.example", organisation=severn)
    bo = make_member(email="bo@severn.example", organisation=severn)
    wye = OrganisationFactory(name="Wye Water")
    cy = make_member(email="cy@wye.example", organisation=wye)
    dee, tamar = OrganisationFactory(name="Dee Water"), OrganisationFactory(name="Tamar Water")
    make_member(email="di@dee.example", organisation=dee)
    make_member(email="tom@tamar.example", organisation=tamar)
    return {
        "cohort": cohort,
        "severn": EnrolmentFactory(cohort=cohort, organisation=severn),
        "wye": EnrolmentFactory(cohort=cohort, organisation=wye),
        "dee": EnrolmentFactory(cohort=cohort, organisation=dee, status=EnrolmentStatus.SUBMITTED),
        "tamar": EnrolmentFactory(cohort=cohort, organisation=tamar, status=EnrolmentStatus.WITHDRAWN),
        "people": (amy, bo, cy),
    }


def run(now, callbacks):
    with callbacks(execute=True):
        return send_due_reminders(now=now)


def recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


@pytest.mark.django_db
def test_members_of_organisations_that_have_not_submitted_are_reminded_7_days_before(
    self_assessment, django_capture_on_commit_callbacks
):
    result = run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)

    assert recipients() == ["amy@severn.example", "bo@severn.example", "cy@wye.example"]
    assert len(result.sent) == 3
    assert sorted(Reminder.objects.values_list("recipient__email", "kind", "key", "sent_by")) == [
        ("amy@severn.example", "self_assessment", "self_assessment_deadline:2027-05-15:7", None),
        ("bo@severn.example", "self_assessment", "self_assessment_deadline:2027-05-15:7", None),
        ("cy@wye.example", "self_assessment", "self_assessment_deadline:2027-05-15:7", None),
    ]
    message = next(m for m in mail.outbox if m.to == ["amy@severn.example"])
    assert message.subject == "[P&Q portal] Reminder: Severn Water's self-assessment for cohort 3 is due in 7 days"
    assert "cohort 3 (Water industry)" in message.body
    assert "by 23:59 on Saturday 15 May 2027 (Europe/London)" in message.body
    link = f"{settings.SITE_URL}/assessments/start/{self_assessment['severn'].pk}/"
    assert link in message.body
    assert f'href="{link}"' in message.alternatives[0][0]
    assert "/notifications/preferences/" in message.body
    assert Notification.objects.filter(user__email="amy@severn.example").get().link == (
        f"/assessments/start/{self_assessment['severn'].pk}/"
    )
    events = AuditEvent.objects.filter(action="reminder.sent")
    assert events.count() == 3
    assert {(e.actor, e.cohort_id) for e in events} == {(None, self_assessment["cohort"].pk)}
    amy = self_assessment["people"][0]
    assert events.get(object_id=str(amy.pk)).after == {"cohort": 3, "deadline": "2027-05-15", "days before": 7}


@pytest.mark.django_db
def test_the_job_run_twice_on_the_same_day_sends_each_reminder_once(
    self_assessment, django_capture_on_commit_callbacks
):
    run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)
    again = run(before(SA_DEADLINE, 7).replace(hour=19), django_capture_on_commit_callbacks)

    assert (len(again.sent), again.already_sent) == (0, 3)
    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 3
    assert OutboundEmail.objects.count() == 3


@pytest.mark.django_db
def test_each_milestone_is_sent_once_14_7_and_1_days_before(self_assessment, django_capture_on_commit_callbacks):
    for days in range(20, -3, -1):
        run(before(SA_DEADLINE, days), django_capture_on_commit_callbacks)

    keys = sorted(Reminder.objects.filter(recipient__email="cy@wye.example").values_list("key", flat=True))
    assert keys == [
        "self_assessment_deadline:2027-05-15:1",
        "self_assessment_deadline:2027-05-15:14",
        "self_assessment_deadline:2027-05-15:7",
    ]
    assert len(mail.outbox) == 9
    subjects = [m.subject for m in mail.outbox if m.to == ["cy@wye.example"]]
    assert [s.rsplit(" is due ", 1)[1] for s in subjects] == ["in 14 days", "in 7 days", "tomorrow"]


@pytest.mark.django_db
def test_a_missed_day_sends_the_milestone_late_but_only_that_one(self_assessment, django_capture_on_commit_callbacks):
    run(before(SA_DEADLINE, 5), django_capture_on_commit_callbacks)

    assert set(Reminder.objects.values_list("key", flat=True)) == {"self_assessment_deadline:2027-05-15:7"}
    assert "is due in 5 days" in mail.outbox[0].subject


@pytest.mark.django_db
def test_an_organisation_that_submits_is_not_reminded_again(self_assessment, django_capture_on_commit_callbacks):
    run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)
    self_assessment["wye"].status = EnrolmentStatus.SUBMITTED
    self_assessment["wye"].save(update_fields=["status"])
    mail.outbox.clear()

    run(before(SA_DEADLINE, 1), django_capture_on_commit_callbacks)

    assert recipients() == ["amy@severn.example", "bo@severn.example"]


@pytest.mark.django_db
def test_an_extension_moves_the_organisations_reminders(self_assessment, django_capture_on_commit_callbacks):
    wye = self_assessment["wye"]
    wye.extension_until = SA_DEADLINE + timedelta(days=7)
    wye.save(update_fields=["extension_until"])

    run(before(SA_DEADLINE, 1), django_capture_on_commit_callbacks)

    assert recipients() == ["amy@severn.example", "bo@severn.example", "cy@wye.example"]
    # Eight days are left for Wye: its 14-day reminder, never sent, goes now.
    assert Reminder.objects.get(recipient__email="cy@wye.example").key == "self_assessment_deadline:2027-05-22:14"
    wye_mail = next(m for m in mail.outbox if m.to == ["cy@wye.example"])
    assert "due in 8 days" in wye_mail.subject
    assert "Saturday 22 May 2027 (Europe/London), the end of your organisation's extension" in wye_mail.body

    mail.outbox.clear()
    run(at(SA_DEADLINE + timedelta(days=6)), django_capture_on_commit_callbacks)
    assert recipients() == ["cy@wye.example"]
    assert "is due tomorrow" in mail.outbox[0].subject


@pytest.mark.django_db
def test_nothing_is_sent_outside_the_self_assessment_phase(self_assessment, django_capture_on_commit_callbacks):
    cohort = self_assessment["cohort"]
    cohort.phase = "shortlisting"
    cohort.save(update_fields=["phase"])

    result = run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)

    assert (result.sent, mail.outbox, Reminder.objects.count()) == ([], [], 0)


@pytest.mark.django_db
def test_a_rolled_back_run_sends_nothing_and_records_nothing(self_assessment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send_due_reminders(now=before(SA_DEADLINE, 7))
        raise RuntimeError("the run failed")

    assert (mail.outbox, Reminder.objects.count(), OutboundEmail.objects.count()) == ([], 0, 0)


@pytest.mark.django_db
def test_a_reminder_claimed_meanwhile_by_another_run_is_not_sent_again(
    self_assessment, django_capture_on_commit_callbacks, monkeypatch
):
    """Another process inserts the reminder's row after this run has read
    which reminders exist: the unique key refuses the second row and the
    e-mail is not sent (the insert comes first, in the same transaction)."""
    monkeypatch.setattr(reminders, "sent_reminder_keys", lambda cohort: set())
    run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)

    again = run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)

    assert (len(again.sent), again.already_sent) == (0, 3)
    assert len(mail.outbox) == 3
    assert AuditEvent.objects.filter(action="reminder.sent").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_processes_running_at_once_send_each_reminder_once(self_assessment):
    """Two runs in two threads, each with its own database connection and
    transactions, started together."""
    start = threading.Barrier(2)
    errors = []

    def one_process():
        try:
            start.wait(timeout=10)
            send_due_reminders(now=before(SA_DEADLINE, 7))
        except Exception as error:  # reported below: a failed thread must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert recipients() == ["amy@severn.example", "bo@severn.example", "cy@wye.example"]
    assert Reminder.objects.count() == 3
    assert OutboundEmail.objects.count() == 3


@pytest.mark.django_db
def test_automatic_reminders_respect_the_opt_out(self_assessment, django_capture_on_commit_callbacks):
    amy = self_assessment["people"][0]
    EmailOptOut.objects.create(user=amy, category="reminders")

    run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)

    assert recipients() == ["bo@severn.example", "cy@wye.example"]
    # Recorded and shown on the site all the same.
    assert Reminder.objects.filter(recipient=amy).count() == 1
    assert Notification.objects.filter(user=amy).count() == 1


# Judging reminders ---------------------------------------------------------------------


@pytest.fixture
def judging(db):
    """Cohort 3 in judging: Jo has one open and one submitted scorecard, Kit
    has only submitted ones, Lou has not started, Max left the panel."""
    cohort = make_cohort(number=3, phase="judging", name="Water industry")
    alpha, beta = (
        EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name), status=EnrolmentStatus.FINALIST)
        for name in ("Alpha Water", "Beta Water")
    )
    people = {
        name: make_judge(email=f"{name}@judges.example", full_name=name.title()) for name in ("jo", "kit", "lou", "max")
    }
    for judge in people.values():
        CohortJudge.objects.create(cohort=cohort, judge=judge)
    CohortJudge.objects.filter(judge=people["max"]).update(removed_at=at(date(2027, 6, 1)))

    def card(judge, enrolment, status):
        assignment = Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)
        if status:
            scorecard = ensure_scorecard(assignment=assignment)
            Scorecard.objects.filter(pk=scorecard.pk).update(status=status)
        return assignment

    card(people["jo"], alpha, Scorecard.Status.DRAFT)
    card(people["jo"], beta, Scorecard.Status.SUBMITTED)
    card(people["kit"], alpha, Scorecard.Status.SUBMITTED)
    card(people["kit"], beta, Scorecard.Status.WITHDRAWN)
    card(people["lou"], beta, None)
    card(people["max"], beta, None)
    return {"cohort": cohort, **people}


@pytest.mark.django_db
def test_judges_with_open_scorecards_are_reminded_7_and_1_days_before(judging, django_capture_on_commit_callbacks):
    for days in (8, 7, 6, 1, 0):
        run(before(JUDGING_DEADLINE, days), django_capture_on_commit_callbacks)

    assert recipients() == [
        "jo@judges.example",
        "jo@judges.example",
        "lou@judges.example",
        "lou@judges.example",
    ]
    assert sorted(Reminder.objects.values_list("recipient__email", "kind", "key")) == [
        ("jo@judges.example", "judging", "judging_deadline:2027-06-15:1"),
        ("jo@judges.example", "judging", "judging_deadline:2027-06-15:7"),
        ("lou@judges.example", "judging", "judging_deadline:2027-06-15:1"),
        ("lou@judges.example", "judging", "judging_deadline:2027-06-15:7"),
    ]
    jo = next(m for m in mail.outbox if m.to == ["jo@judges.example"])
    assert jo.subject == "[P&Q portal] Reminder: your scorecards for cohort 3 are due in 7 days"
    assert "cohort 3 (Water industry)" in jo.body
    assert "- Alpha Water" in jo.body
    assert "Beta Water" not in jo.body
    assert f"{settings.SITE_URL}/judging/" in jo.body


@pytest.mark.django_db
def test_the_lead_sees_automatic_and_manual_judge_reminders_alike(
    judging, lead_client, lead, django_capture_on_commit_callbacks
):
    run(before(JUDGING_DEADLINE, 7), django_capture_on_commit_callbacks)

    page = lead_client.get("/cohorts/3/judging/")

    last = {entry.judge.email: entry.last_reminder for entry in page.context["dashboard"].judges}
    assert last["jo@judges.example"] is not None
    assert last["kit@judges.example"] is None


@pytest.mark.django_db
def test_a_judge_sees_when_they_were_last_reminded(judging, client, django_capture_on_commit_callbacks):
    run(before(JUDGING_DEADLINE, 7), django_capture_on_commit_callbacks)
    client.force_login(judging["jo"])

    page = client.get("/judge/")

    assert "Last reminded of the judging deadline:" in page.content.decode()
    client.force_login(judging["kit"])
    assert "Last reminded" not in client.get("/judge/").content.decode()


# By hand -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_reminds_an_organisation_by_hand(
    self_assessment, lead, lead_client, django_capture_on_commit_callbacks
):
    severn = self_assessment["severn"]
    amy = self_assessment["people"][0]
    EmailOptOut.objects.create(user=amy, category="reminders")  # the lead's own reminders still reach her

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/cohorts/3/enrolments/{severn.pk}/remind/")

    assert response.status_code == 302
    assert response["Location"] == "/cohorts/3/self-assessments/"
    assert recipients() == ["amy@severn.example", "bo@severn.example"]
    assert mail.outbox[0].subject == (
        "[P&Q portal] Reminder from the programme lead: Severn Water's self-assessment for cohort 3"
    )
    assert f"/assessments/start/{severn.pk}/" in mail.outbox[0].body
    assert sorted(Reminder.objects.values_list("recipient__email", "key", "sent_by")) == [
        ("amy@severn.example", "", lead.pk),
        ("bo@severn.example", "", lead.pk),
    ]
    [entry] = AuditEvent.objects.filter(action="reminder.sent")
    assert (entry.actor, entry.object_id, entry.after) == (
        lead,
        str(severn.pk),
        {"members": ["amy@severn.example", "bo@severn.example"]},
    )


@pytest.mark.django_db
def test_reminding_by_hand_is_refused_when_there_is_nothing_to_remind(self_assessment, lead):
    with pytest.raises(ServiceError, match=r"Dee Water is submitted: there is nothing to remind it of\."):
        reminders.remind_organisation(enrolment=self_assessment["dee"], actor=lead)
    lonely = EnrolmentFactory(cohort=self_assessment["cohort"], organisation=OrganisationFactory(name="Exe Water"))
    with pytest.raises(ServiceError, match="Exe Water has no members to remind"):
        reminders.remind_organisation(enrolment=lonely, actor=lead)
    assert Reminder.objects.count() == 0


@pytest.mark.django_db
def test_the_self_assessment_table_shows_when_each_organisation_was_last_reminded(
    self_assessment, lead, lead_client, django_capture_on_commit_callbacks
):
    run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)
    reminders.remind_organisation(enrolment=self_assessment["severn"], actor=lead)

    page = lead_client.get("/cohorts/3/self-assessments/")

    last = page.context["last_reminded"]
    severn, wye = (self_assessment[k].organisation_id for k in ("severn", "wye"))
    assert set(last) == {severn, wye}
    assert last[severn] > last[wye]
    html = page.content.decode()
    assert html.count("Send a reminder") == 2  # Severn and Wye; Dee has submitted
    assert "Not yet" in html  # Dee


@pytest.mark.django_db
def test_the_enrolment_page_lists_members_with_their_last_reminder(
    self_assessment, lead, lead_client, django_capture_on_commit_callbacks
):
    run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)
    severn = self_assessment["severn"]

    page = lead_client.get(f"/cohorts/3/enrolments/{severn.pk}/")

    assert [m.user.email for m in page.context["members"]] == ["amy@severn.example", "bo@severn.example"]
    assert len(page.context["last_reminded"]) == 2
    assert "Remind the members to submit" in page.content.decode()


@pytest.mark.django_db
def test_a_member_sees_when_they_were_last_reminded(self_assessment, client, django_capture_on_commit_callbacks):
    run(before(SA_DEADLINE, 7), django_capture_on_commit_callbacks)
    client.force_login(self_assessment["people"][2])

    assert "You were last reminded on" in client.get("/organisation/").content.decode()


@pytest.mark.parametrize("rows", [3, 40])
@pytest.mark.django_db
def test_the_self_assessment_table_queries_do_not_grow(lead_client, django_assert_max_num_queries, rows):
    cohort = make_cohort(number=3, phase="self_assessment")
    for n in range(rows):
        member = make_member()
        EnrolmentFactory(cohort=cohort, organisation=member.memberships.get().organisation)
        Reminder.objects.create(cohort=cohort, recipient=member, kind="self_assessment", key=f"k{n}")

    with django_assert_max_num_queries(16):
        assert lead_client.get("/cohorts/3/self-assessments/").status_code == 200


# The Celery task and beat ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_runs_the_service_and_beat_runs_it_daily(self_assessment, monkeypatch):

    monkeypatch.setattr(reminders.timezone, "now", lambda: before(SA_DEADLINE, 7))

    assert send_deadline_reminders.delay().get() == 3
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    assert entry["task"] == "cohorts.tasks.send_deadline_reminders"
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert entry["task"] in app.tasks
    assert settings.CELERY_TIMEZONE == "Europe/London"
