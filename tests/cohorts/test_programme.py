from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Milestone, Phase
from cohorts.services import programme
from core.errors import ServiceError
from core.models import AuditEvent
from frameworks.models import Framework
from judging.models import Assignment
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

# The default timeline from 15 January 2027: self-assessment deadline 23:59
# on 15 May 2027 (BST, 22:59 UTC).
BEFORE_DEADLINE = datetime(2027, 5, 15, 22, 58, tzinfo=UTC)
AFTER_DEADLINE = datetime(2027, 5, 15, 23, 0, tzinfo=UTC)


def cohort_in(phase: str, **kwargs) -> Cohort:
    return make_cohort(phase=phase, **kwargs)


# Creating and editing --------------------------------------------------------


def test_lead_creates_a_cohort_with_the_default_timeline(lead_client, lead):
    response = lead_client.post(
        "/cohorts/new/",
        {
            "number": "3",
            "name": "Water industry",
            "sponsor": "Insight Analytics",
            "start_date": "2027-01-15",
            "time_zone": "Europe/London",
            "framework": str(Framework.objects.get(version=1).pk),
            "judges_per_finalist": "3",
            "pass_threshold": "60",
            "distinction_threshold": "75",
            "retention_days": "730",
        },
    )

    cohort = Cohort.objects.get(number=3)
    assert response.status_code == 302
    assert response.url == "/cohorts/3/"
    assert (cohort.phase, cohort.name, cohort.normalise_scores) == ("draft", "Water industry", False)
    assert cohort.framework.version == 1
    assert cohort.milestones.count() == 10
    assert cohort.self_assessment_deadline == datetime(2027, 5, 15, 22, 59, tzinfo=UTC)
    event = AuditEvent.objects.get(action="cohort.created")
    assert (event.actor, event.after["number"], event.after["start_date"]) == (lead, 3, "2027-01-15")


def test_cohort_form_reports_bad_input(lead_client):
    make_cohort(number=3)

    response = lead_client.post(
        "/cohorts/new/",
        {
            "number": "3",
            "name": "",
            "start_date": "15/13/2027",
            "time_zone": "Mars/Olympus",
            "judges_per_finalist": "0",
            "pass_threshold": "80",
            "distinction_threshold": "70",
            "retention_days": "730",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["number"] == ["Cohort with this Number already exists."]
    assert errors["name"] == ["This field is required."]
    assert errors["start_date"] == ["Enter a valid date."]
    assert errors["time_zone"][0].startswith("Select a valid choice.")
    assert errors["judges_per_finalist"] == ["Ensure this value is greater than or equal to 1."]
    assert errors["distinction_threshold"] == ["The distinction threshold cannot be below the pass threshold."]
    assert Cohort.objects.count() == 1


def test_editing_a_cohort_audits_what_changed(lead_client, lead):
    cohort = make_cohort(number=3)
    data = {
        "number": "3",
        "name": "Water industry",
        "sponsor": "New Sponsor Ltd",
        "start_date": "2027-01-15",
        "time_zone": "Europe/London",
        "framework": str(cohort.framework_id),
        "judges_per_finalist": "4",
        "pass_threshold": "60",
        "distinction_threshold": "75",
        "retention_days": "730",
    }

    response = lead_client.post("/cohorts/3/edit/", data)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="cohort.updated")
    assert event.before == {"name": "Cohort 3 name", "sponsor": "Insight Analytics", "judges_per_finalist": 3}
    assert event.after == {"name": "Water industry", "sponsor": "New Sponsor Ltd", "judges_per_finalist": 4}
    cohort.refresh_from_db()
    assert cohort.judges_per_finalist == 4


# Timeline ------------------------------------------------------------------


def test_lead_moves_adds_and_removes_milestones(lead_client):
    cohort = make_cohort(number=3)
    deadline = cohort.milestones.get(kind="self_assessment_deadline")
    workshop = cohort.milestones.filter(kind="workshop").first()

    moved = lead_client.post(
        f"/cohorts/3/timeline/{deadline.pk}/edit/",
        {"title": "Self-assessment deadline", "kind": "self_assessment_deadline", "date": "2027-05-20"},
    )
    added = lead_client.post("/cohorts/3/timeline/", {"title": "Site visit", "kind": "other", "date": "2027-03-01"})
    removed = lead_client.post(f"/cohorts/3/timeline/{workshop.pk}/remove/")
    refused = lead_client.post(f"/cohorts/3/timeline/{deadline.pk}/remove/", follow=True)
    second_deadline = lead_client.post(
        "/cohorts/3/timeline/", {"title": "Another", "kind": "self_assessment_deadline", "date": "2027-05-01"}
    )

    assert [r.status_code for r in (moved, added, removed)] == [302, 302, 302]
    cohort = Cohort.objects.get(pk=cohort.pk)
    assert cohort.milestone_date("self_assessment_deadline") == date(2027, 5, 20)
    assert cohort.milestones.filter(title="Site visit").count() == 1
    assert cohort.milestones.filter(pk=workshop.pk).exists() is False
    assert [str(m) for m in refused.context["messages"]][-1] == (
        "The self-assessment deadline cannot be removed; move it instead."
    )
    assert second_deadline.context["form"].non_field_errors() == [
        "The cohort already has a self-assessment deadline: move that one instead."
    ]
    assert sorted(AuditEvent.objects.filter(action__startswith="milestone.").values_list("action", flat=True)) == [
        "milestone.added",
        "milestone.changed",
        "milestone.removed",
    ]


def test_reset_lays_out_the_default_timeline_again(lead_client):
    cohort = make_cohort(number=3)
    cohort.milestones.filter(kind="workshop").delete()

    lead_client.post("/cohorts/3/timeline/reset/")

    assert cohort.milestones.filter(kind="workshop").count() == 4
    assert AuditEvent.objects.filter(action="timeline.reset").count() == 1


# Phase moves --------------------------------------------------------------


def test_draft_to_enrolment_needs_a_self_assessment_deadline(lead):
    cohort = make_cohort()
    Milestone.objects.filter(cohort=cohort, kind="self_assessment_deadline").delete()

    with pytest.raises(ServiceError) as refusal:
        programme.move_phase(cohort=cohort, to=Phase.ENROLMENT, actor=lead)

    assert refusal.value.message == (
        "The cohort cannot move to enrolment yet. The timeline needs a self-assessment deadline."
    )
    cohort.refresh_from_db()
    assert cohort.phase == Phase.DRAFT


def test_enrolment_to_self_assessment_needs_an_enrolled_organisation(lead):
    cohort = cohort_in(Phase.ENROLMENT)
    now = datetime(2027, 2, 1, tzinfo=UTC)

    with pytest.raises(ServiceError, match=r"No organisation is enrolled yet\."):
        programme.move_phase(cohort=cohort, to=Phase.SELF_ASSESSMENT, actor=lead, now=now)

    EnrolmentFactory(cohort=cohort)
    programme.move_phase(cohort=cohort, to=Phase.SELF_ASSESSMENT, actor=lead, now=now)
    cohort.refresh_from_db()
    assert cohort.phase == Phase.SELF_ASSESSMENT


def test_self_assessment_cannot_open_after_its_deadline(lead):
    cohort = cohort_in(Phase.ENROLMENT)
    EnrolmentFactory(cohort=cohort)

    with pytest.raises(ServiceError, match=r"deadline \(23:59 on 15 May 2027\) has already passed"):
        programme.move_phase(cohort=cohort, to=Phase.SELF_ASSESSMENT, actor=lead, now=AFTER_DEADLINE)


def test_shortlisting_waits_for_the_deadline_and_for_running_extensions(lead):
    cohort = cohort_in(Phase.SELF_ASSESSMENT)
    enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Late Water"))

    with pytest.raises(ServiceError, match=r"deadline \(23:59 on 15 May 2027\) has not passed yet"):
        programme.move_phase(cohort=cohort, to=Phase.SHORTLISTING, actor=lead, now=BEFORE_DEADLINE)

    Enrolment.objects.filter(pk=enrolment.pk).update(extension_until=date(2027, 5, 20))
    with pytest.raises(ServiceError, match=r"Extensions are still running for: Late Water\."):
        programme.move_phase(cohort=cohort, to=Phase.SHORTLISTING, actor=lead, now=AFTER_DEADLINE)

    programme.move_phase(cohort=cohort, to=Phase.SHORTLISTING, actor=lead, now=datetime(2027, 5, 21, tzinfo=UTC))
    cohort.refresh_from_db()
    assert cohort.phase == Phase.SHORTLISTING


def test_judging_and_results_need_finalists(lead):
    cohort = cohort_in(Phase.SHORTLISTING)
    enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.SUBMITTED)

    with pytest.raises(ServiceError, match=r"No finalists have been selected yet\."):
        programme.move_phase(cohort=cohort, to=Phase.JUDGING, actor=lead)

    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.FINALIST)
    enrolment.organisation.name = "Solo Water"
    enrolment.organisation.save()
    with pytest.raises(ServiceError, match=r"not complete: Solo Water has fewer than 3 judges\."):
        programme.move_phase(cohort=cohort, to=Phase.JUDGING, actor=lead)

    for judge in (make_judge(), make_judge(), make_judge()):
        Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)
    programme.move_phase(cohort=cohort, to=Phase.JUDGING, actor=lead)
    with pytest.raises(ServiceError, match="when the lead finalises them"):
        programme.move_phase(cohort=cohort, to=Phase.RESULTS, actor=lead)
    Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.RESULTS)  # as finalising does
    cohort.refresh_from_db()
    programme.move_phase(cohort=cohort, to=Phase.CLOSED, actor=lead)
    cohort.refresh_from_db()
    assert cohort.phase == Phase.CLOSED
    assert programme.phase_moves(cohort)[0].forward is False  # nothing after closed


def test_phases_move_one_step_at_a_time(lead):
    cohort = make_cohort()

    with pytest.raises(ServiceError, match="phases move one step at a time"):
        programme.move_phase(cohort=cohort, to=Phase.JUDGING, actor=lead)


def test_step_back_needs_a_reason_and_is_audited(lead):
    cohort = cohort_in(Phase.SELF_ASSESSMENT)

    with pytest.raises(ServiceError, match=r"Give a reason for moving the cohort back\."):
        programme.move_phase(cohort=cohort, to=Phase.ENROLMENT, actor=lead, reason="  ")
    programme.move_phase(cohort=cohort, to=Phase.ENROLMENT, actor=lead, reason="Two late enrolments")

    cohort.refresh_from_db()
    assert cohort.phase == Phase.ENROLMENT
    event = AuditEvent.objects.get(action="cohort.phase_moved_back")
    assert (event.actor, event.before, event.after, event.note) == (
        lead,
        {"phase": "self_assessment"},
        {"phase": "enrolment"},
        "Two late enrolments",
    )


def test_every_forward_move_is_audited(lead_client, lead):
    cohort = make_cohort()

    response = lead_client.post("/cohorts/3/phase/", {"to": "enrolment"})

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.phase == "enrolment"
    event = AuditEvent.objects.get(action="cohort.phase_moved")
    assert (event.actor, event.before, event.after) == (lead, {"phase": "draft"}, {"phase": "enrolment"})


def test_refused_move_posted_directly_changes_nothing_and_says_why(lead_client):
    cohort = cohort_in(Phase.ENROLMENT)

    response = lead_client.post("/cohorts/3/phase/", {"to": "self_assessment"}, follow=True)

    cohort.refresh_from_db()
    assert cohort.phase == Phase.ENROLMENT
    assert [str(m) for m in response.context["messages"]] == [
        "The cohort cannot move to self-assessment yet. No organisation is enrolled yet."
    ]
    assert AuditEvent.objects.filter(action__startswith="cohort.phase").count() == 0


def test_dashboard_shows_the_next_move_and_what_blocks_it(lead_client):
    cohort_in(Phase.ENROLMENT)

    response = lead_client.get("/cohorts/3/")

    [forward, back] = response.context["moves"]
    assert (forward.to, forward.allowed, forward.blockers) == (
        "self_assessment",
        False,
        ("No organisation is enrolled yet.",),
    )
    assert (back.to, back.forward) == ("draft", False)
    assert b"What is needed first:" in response.content


# Enrolment, withdrawal, extension and the deadline ------------------------------------


def test_lead_enrols_organisations_and_members_are_told(lead_client, django_capture_on_commit_callbacks):
    cohort = cohort_in(Phase.ENROLMENT)
    member = make_member(email="amy@severn.example")
    organisation = member.memberships.get().organisation
    other = OrganisationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/cohorts/3/enrol/", {"organisations": [organisation.pk, other.pk]})

    assert response.status_code == 302
    assert sorted(cohort.enrolments.values_list("organisation_id", flat=True)) == sorted([organisation.pk, other.pk])
    assert [m.to for m in mail.outbox] == [["amy@severn.example"]]
    assert mail.outbox[0].subject == f"[P&Q portal] {organisation.name} is enrolled in cohort 3 of the P&Q programme"
    assert "by 23:59 on 15 May 2027 (Europe/London)" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="enrolment.created").count() == 2


def test_enrolment_is_closed_after_self_assessment(lead):
    cohort = cohort_in(Phase.SHORTLISTING)

    with pytest.raises(ServiceError, match="only up to the self-assessment phase"):
        programme.enrol(cohort=cohort, organisations=[OrganisationFactory()], actor=lead)


def test_withdrawal_needs_a_reason_and_is_recorded(lead_client, lead):
    enrolment = EnrolmentFactory(cohort=cohort_in(Phase.SELF_ASSESSMENT))
    url = f"/cohorts/3/enrolments/{enrolment.pk}/withdraw/"

    empty = lead_client.post(url, {"reason": ""}, follow=True)
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"
    assert [str(m) for m in empty.context["messages"]] == ["Give a reason for the withdrawal."]

    lead_client.post(url, {"reason": "Merged with a neighbour"})

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.withdrawal_reason) == ("withdrawn", "Merged with a neighbour")
    event = AuditEvent.objects.get(action="enrolment.withdrawn")
    assert (event.before, event.after, event.note) == (
        {"status": "enrolled"},
        {"status": "withdrawn"},
        "Merged with a neighbour",
    )


def test_submission_closes_at_2359_on_the_deadline_in_the_cohorts_time_zone():
    enrolment = EnrolmentFactory(cohort=cohort_in(Phase.SELF_ASSESSMENT))

    assert programme.submission_refusal(enrolment, now=BEFORE_DEADLINE) is None
    assert programme.submission_refusal(enrolment, now=datetime(2027, 5, 15, 22, 59, tzinfo=UTC)) is None
    assert (
        programme.submission_refusal(enrolment, now=AFTER_DEADLINE) == "The deadline (23:59 on 15 May 2027) has passed."
    )


def test_deadline_in_another_time_zone():
    enrolment = EnrolmentFactory(cohort=cohort_in(Phase.SELF_ASSESSMENT, time_zone="America/New_York"))

    # 23:59 EDT on 15 May is 03:59 UTC on 16 May.
    assert programme.submission_refusal(enrolment, now=datetime(2027, 5, 16, 3, 58, tzinfo=UTC)) is None
    assert programme.submission_refusal(enrolment, now=datetime(2027, 5, 16, 4, 0, tzinfo=UTC)) == (
        "The deadline (23:59 on 15 May 2027) has passed."
    )


def test_an_extension_lets_one_organisation_submit_later(lead):
    cohort = cohort_in(Phase.SELF_ASSESSMENT)
    extended = EnrolmentFactory(cohort=cohort)
    other = EnrolmentFactory(cohort=cohort)

    programme.grant_extension(enrolment=extended, until=date(2027, 5, 22), actor=lead, now=BEFORE_DEADLINE)
    extended.refresh_from_db()

    late = datetime(2027, 5, 22, 22, 58, tzinfo=UTC)
    assert programme.submission_refusal(extended, now=late) is None
    assert programme.submission_refusal(other, now=late) == "The deadline (23:59 on 15 May 2027) has passed."
    assert programme.submission_refusal(extended, now=datetime(2027, 5, 22, 23, 0, tzinfo=UTC)) == (
        "The deadline (23:59 on 22 May 2027) has passed."
    )
    assert AuditEvent.objects.get(action="enrolment.extension_granted").after == {"extension_until": "2027-05-22"}


def test_extension_dates_in_the_wrong_order_are_refused(lead):
    enrolment = EnrolmentFactory(cohort=cohort_in(Phase.SELF_ASSESSMENT))

    with pytest.raises(ServiceError, match=r"must end after the deadline \(23:59 on 15 May 2027\)"):
        programme.grant_extension(enrolment=enrolment, until=date(2027, 5, 10), actor=lead, now=BEFORE_DEADLINE)
    with pytest.raises(ServiceError, match="must end in the future"):
        programme.grant_extension(
            enrolment=enrolment, until=date(2027, 5, 20), actor=lead, now=datetime(2027, 6, 1, tzinfo=UTC)
        )
    enrolment.refresh_from_db()
    assert enrolment.extension_until is None


def test_submission_is_refused_outside_the_self_assessment_phase_and_after_withdrawal(lead):
    enrolment = EnrolmentFactory(cohort=cohort_in(Phase.ENROLMENT))
    assert programme.submission_refusal(enrolment, now=BEFORE_DEADLINE) == (
        "Cohort 3 is not taking self-assessments (it is in enrolment)."
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    enrolment.refresh_from_db()
    assert programme.submission_refusal(enrolment) == "Your organisation has withdrawn from this cohort."


# Who may see and change what ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/cohorts/", "/cohorts/new/", "/cohorts/3/", "/cohorts/3/edit/", "/cohorts/3/timeline/", "/cohorts/3/enrol/"],
)
def test_members_and_judges_cannot_see_lead_pages(client, path):
    make_cohort(number=3)
    for user in (make_member(), make_judge()):
        client.force_login(user)
        assert client.get(path).status_code == 403


def test_a_judge_cannot_change_a_cohort(client):
    cohort = make_cohort(number=3)
    client.force_login(make_judge())

    responses = [
        client.post("/cohorts/3/phase/", {"to": "enrolment"}),
        client.post("/cohorts/3/timeline/reset/"),
        client.post("/cohorts/3/edit/", {"number": "3", "name": "Hijacked"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    cohort.refresh_from_db()
    assert (cohort.phase, cohort.name) == ("draft", "Cohort 3 name")


def test_unknown_cohort_is_404(lead_client):
    assert lead_client.get("/cohorts/99/").status_code == 404


def test_enrolment_of_another_cohort_is_404(lead_client):
    make_cohort(number=3)
    enrolment = EnrolmentFactory(cohort=make_cohort(number=4))

    assert lead_client.get(f"/cohorts/3/enrolments/{enrolment.pk}/").status_code == 404


# Query bounds ---------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 60])
def test_cohort_dashboard_queries_do_not_grow_with_enrolments(lead_client, django_assert_max_num_queries, rows):
    cohort = cohort_in(Phase.SELF_ASSESSMENT)
    for _ in range(rows):
        EnrolmentFactory(cohort=cohort)

    with django_assert_max_num_queries(20):
        response = lead_client.get("/cohorts/3/", {"sort": "-status"})

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == rows


@pytest.mark.parametrize("rows", [3, 60])
def test_cohort_list_queries_do_not_grow_with_cohorts(lead_client, django_assert_max_num_queries, rows):
    for number in range(1, rows + 1):
        make_cohort(number=number)

    with django_assert_max_num_queries(12):
        response = lead_client.get("/cohorts/")

    assert response.status_code == 200


def test_enrolment_table_sorts_and_filters(lead_client):
    cohort = cohort_in(Phase.SELF_ASSESSMENT)
    EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Beta Water"))
    EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Alpha Energy", sector="energy"))
    EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Gamma Water"), status="withdrawn")

    def names(**params):
        response = lead_client.get("/cohorts/3/", params)
        return [e.organisation.name for e in response.context["enrolments"]]

    assert names() == ["Alpha Energy", "Beta Water", "Gamma Water"]
    assert names(sort="-organisation") == ["Gamma Water", "Beta Water", "Alpha Energy"]
    assert names(sector="water") == ["Beta Water", "Gamma Water"]
    assert names(status="withdrawn") == ["Gamma Water"]
    assert names(q="alp") == ["Alpha Energy"]


def test_dates_are_timezone_aware_at_the_deadline_boundary():
    cohort = make_cohort(start_date=date(2027, 1, 15))
    assert cohort.self_assessment_deadline - timedelta(minutes=1) == datetime(2027, 5, 15, 22, 58, tzinfo=UTC)


def test_deadlines_in_the_wrong_order_are_refused(lead_client):
    cohort = make_cohort(number=3)
    sa_deadline = cohort.milestones.get(kind="self_assessment_deadline")
    judging_deadline = cohort.milestones.get(kind="judging_deadline")

    late_sa = lead_client.post(
        f"/cohorts/3/timeline/{sa_deadline.pk}/edit/",
        {"title": "Self-assessment deadline", "kind": "self_assessment_deadline", "date": "2027-06-20"},
    )
    early_judging = lead_client.post(
        f"/cohorts/3/timeline/{judging_deadline.pk}/edit/",
        {"title": "Judging deadline", "kind": "judging_deadline", "date": "2027-05-01"},
    )

    assert late_sa.context["form"].non_field_errors() == [
        "The self-assessment deadline must come before the judging deadline (15 June 2027)."
    ]
    assert early_judging.context["form"].non_field_errors() == [
        "The judging deadline must come after the self-assessment deadline (15 May 2027)."
    ]
    assert cohort.milestone_date("self_assessment_deadline") == date(2027, 5, 15)
    assert Cohort.objects.get(pk=cohort.pk).milestone_date("judging_deadline") == date(2027, 6, 15)


def test_a_closed_cohort_keeps_its_settings_but_its_retention_period_can_change(lead, lead_client):
    cohort = make_cohort(number=3, phase=Phase.CLOSED)
    with pytest.raises(ServiceError, match="is closed: its settings can no longer change"):
        programme.update_cohort(cohort=cohort, actor=lead, name="Renamed", retention_days=400)
    programme.update_cohort(cohort=cohort, actor=lead, retention_days=400)
    cohort.refresh_from_db()
    assert (cohort.name, cohort.retention_days) == ("Cohort 3 name", 400)
    form = lead_client.get("/cohorts/3/edit/").context["form"]
    assert sorted(name for name, field in form.fields.items() if not field.disabled) == ["retention_days"]


@pytest.mark.parametrize(
    ("phase", "extension", "withdrawal"),
    [("self_assessment", True, True), ("judging", False, True), ("results", False, False)],
)
def test_the_enrolment_page_offers_only_what_the_phase_allows(lead_client, phase, extension, withdrawal):
    cohort = make_cohort(number=3, phase=phase)
    enrolment = EnrolmentFactory(cohort=cohort)
    page = lead_client.get(f"/cohorts/3/enrolments/{enrolment.pk}/").content.decode()
    assert (f"/enrolments/{enrolment.pk}/extension/" in page) is extension
    assert ("only until the self-assessment phase ends" in page) is not extension
    assert (f"/enrolments/{enrolment.pk}/withdraw/" in page) is withdrawal
