"""The audit trail made visible: a cohort's trail (filters, pages, CSV), the
site-wide trail, object histories, and how entries find their cohort."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import Role
from assessments.services.self_assessment import ensure_assessment
from cohorts.models import Application
from core import audit
from core.models import AuditEvent
from judging.models import Assignment, CohortJudge
from judging.services.scorecards import ensure_scorecard
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def cohort():
    return make_cohort(number=3, phase="self_assessment")


def event(actor, action, obj, *, when=None, cohort=None, **values):
    """An entry as core.audit.record writes it (at `when`, if given: entries
    cannot be changed afterwards, so those are written directly)."""
    if when is None:
        return audit.record(actor=actor, action=action, obj=obj, cohort=cohort, **values)
    return AuditEvent.objects.create(
        actor=actor,
        actor_repr=actor.email if actor else "system",
        action=action,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj),
        cohort_id=cohort.pk if cohort else audit.cohort_id_of(obj),
        created_at=when,
        **values,
    )


# Which cohort an entry belongs to -------------------------------------------------


def test_entries_know_the_cohort_of_their_object(cohort, lead, judge):
    enrolment = EnrolmentFactory(cohort=cohort)
    assessment = ensure_assessment(enrolment=enrolment)
    seat = CohortJudge.objects.create(cohort=cohort, judge=judge)
    assignment = Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)

    scorecard = ensure_scorecard(assignment=assignment)
    application = Application.objects.create(
        cohort=cohort, applicant=make_member(), organisation_name="Wye", sector="water", size="small", motivation="x"
    )

    for obj in (cohort, enrolment, assessment, seat, assignment, scorecard, application):
        assert audit.record(actor=lead, action="thing.done", obj=obj).cohort_id == cohort.pk, obj
    assert audit.record(actor=lead, action="role.granted", obj=judge).cohort_id is None
    assert audit.record(actor=lead, action="organisation.updated", obj=enrolment.organisation).cohort_id is None
    assert audit.record(actor=lead, action="reminder.sent", obj=judge, cohort=cohort).cohort_id == cohort.pk


# The cohort's trail -----------------------------------------------------------------


@pytest.fixture
def trail(cohort, lead, judge):
    """Entries of cohort 3 and its objects, one of cohort 4, one about a person."""
    other = make_cohort(number=4)
    enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Severn Water"))
    assessment = ensure_assessment(enrolment=enrolment)
    member = make_member(full_name="Amy Member")
    return {
        "phase": event(
            lead,
            "cohort.phase_moved",
            cohort,
            before={"phase": "enrolment"},
            after={"phase": "self_assessment"},
            when=datetime(2027, 3, 1, 9, 0, tzinfo=LONDON),
        ),
        "enrolled": event(lead, "enrolment.created", enrolment, when=datetime(2027, 3, 2, 10, 0, tzinfo=LONDON)),
        "submitted": event(
            member,
            "assessment.submitted",
            assessment,
            before={"status": "draft"},
            after={"status": "submitted"},
            when=datetime(2027, 3, 3, 23, 30, tzinfo=LONDON),
        ),
        "reminder": event(None, "reminder.sent", member, cohort=cohort, when=datetime(2027, 3, 4, 7, 0, tzinfo=LONDON)),
        "other_cohort": event(lead, "cohort.phase_moved", other),
        "person": event(lead, "role.granted", judge, after={"role": Role.JUDGE}),
        "member": member,
    }


def trail_of(client, query="") -> list[str]:
    page = client.get(f"/cohorts/3/audit/{query}")
    assert page.status_code == 200
    return [entry.action for entry in page.context["events"]]


def test_the_trail_shows_everything_of_the_cohort_and_nothing_else(lead_client, trail):
    assert trail_of(lead_client) == [
        "reminder.sent",
        "assessment.submitted",
        "enrolment.created",
        "cohort.phase_moved",
        "cohort.created",  # by make_cohort, now: the cohorts' dates are in 2027
    ]


def test_the_trail_reads_as_words_with_before_and_after(lead_client, trail):
    html = lead_client.get("/cohorts/3/audit/").content.decode()

    assert "moved the phase of" in html
    assert "phase: enrolment → self assessment" in html
    assert "status: draft → submitted" in html
    assert "The system" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=phase", ["cohort.phase_moved", "cohort.created"]),
        ("?kind=assessment", ["assessment.submitted"]),
        ("?kind=reminder", ["reminder.sent"]),
        ("?person=system", ["reminder.sent", "cohort.created"]),
        ("?date_from=2027-03-02&date_to=2027-03-03", ["assessment.submitted", "enrolment.created"]),
        # 23:30 in London on 3 March is the 3rd there (the cohort's time zone), whatever UTC says.
        ("?date_from=2027-03-03&date_to=2027-03-03", ["assessment.submitted"]),
        ("?kind=phase&date_from=2027-03-02", []),
    ],
)
def test_the_trail_filters_by_kind_person_and_dates(lead_client, trail, query, expected):
    assert trail_of(lead_client, query) == expected


def test_the_trail_filters_by_person(lead_client, trail, lead):
    assert trail_of(lead_client, f"?person={trail['member'].pk}") == ["assessment.submitted"]
    assert trail_of(lead_client, f"?person={lead.pk}") == ["enrolment.created", "cohort.phase_moved"]
    page = lead_client.get("/cohorts/3/audit/")
    people = dict(page.context["form"].fields["person"].choices)
    assert people[str(trail["member"].pk)].startswith("Amy Member (")


def test_dates_the_wrong_way_round_are_refused_and_nothing_is_hidden(lead_client, trail):
    page = lead_client.get("/cohorts/3/audit/?date_from=2027-03-05&date_to=2027-03-01")

    assert "The end date is before the start date." in page.content.decode()
    assert len(page.context["events"]) == 5


def test_the_trail_is_exported_as_csv_with_the_same_filters(lead_client, trail):
    response = lead_client.get("/cohorts/3/audit.csv?kind=assessment")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cohort-3-audit-trail.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0] == ["time", "actor", "action", "what", "object type", "object", "before", "after", "note"]
    assert rows[1][:6] == [
        "2027-03-03T23:30:00+00:00",
        trail["member"].email,
        "assessment.submitted",
        "submitted",
        "selfassessment",
        rows[1][5],
    ]
    assert (rows[1][6], rows[1][7]) == ('{"status": "draft"}', '{"status": "submitted"}')
    assert len(rows) == 2


def test_csv_cells_cannot_run_as_spreadsheet_formulas(lead_client, cohort, lead):
    audit.record(actor=lead, action="enrolment.withdrawn", obj=cohort, note='=HYPERLINK("http://evil")')

    response = lead_client.get("/cohorts/3/audit.csv?kind=enrolment")
    [_header, row] = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))

    assert row[8] == '\'=HYPERLINK("http://evil")'


def test_the_trail_is_paginated(lead_client, cohort, lead):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=lead, actor_repr=lead.email, action="milestone.changed", cohort=cohort) for _ in range(119)
    )

    page = lead_client.get("/cohorts/3/audit/?kind=phase&page=3")

    assert len(page.context["events"]) == 20
    assert 'href="?kind=phase&amp;page=2"' in page.content.decode()


@pytest.mark.parametrize("rows", [3, 60])
def test_the_trail_queries_do_not_grow(lead_client, cohort, lead, django_assert_max_num_queries, rows):
    people = [make_member() for _ in range(3)]
    enrolment = EnrolmentFactory(cohort=cohort)
    for n in range(rows):
        audit.record(actor=people[n % 3], action="enrolment.extension_granted", obj=enrolment, after={"until": n})

    with django_assert_max_num_queries(14):
        assert lead_client.get("/cohorts/3/audit/").status_code == 200
    with django_assert_max_num_queries(14):
        assert lead_client.get(f"/cohorts/3/audit/?person={people[0].pk}&kind=enrolment").status_code == 200


def test_only_the_lead_sees_a_cohort_trail(client, cohort):
    member, judge = make_member(), make_judge()
    for person in (member, judge):
        client.force_login(person)
        assert client.get("/cohorts/3/audit/").status_code == 403
        assert client.get("/cohorts/3/audit.csv").status_code == 403


def test_the_cohort_page_shows_recent_entries_of_its_objects_and_links_the_trail(lead_client, trail):
    html = lead_client.get("/cohorts/3/").content.decode()

    assert 'href="/cohorts/3/audit/"' in html
    assert [e.action for e in lead_client.get("/cohorts/3/").context["history"]] == [
        "reminder.sent",
        "assessment.submitted",
        "enrolment.created",
        "cohort.phase_moved",
        "cohort.created",
    ]


def test_the_enrolment_page_shows_the_history_of_its_self_assessment(lead_client, trail):
    enrolment = trail["enrolled"].object_id

    page = lead_client.get(f"/cohorts/3/enrolments/{enrolment}/")

    assert [e.action for e in page.context["history"]] == ["assessment.submitted", "enrolment.created"]


# The site-wide trail ----------------------------------------------------------------


def test_the_site_trail_has_every_entry_and_is_for_the_lead(lead_client, client, trail):
    page = lead_client.get("/lead/audit/?kind=people")
    assert [e.action for e in page.context["events"]] == ["role.granted"]
    assert len(lead_client.get("/lead/audit/").context["events"]) == 8  # with both cohorts' creation
    csv_response = lead_client.get("/lead/audit.csv")
    assert csv_response.status_code == 200
    assert csv_response["Content-Disposition"].startswith('attachment; filename="audit-trail-')

    client.force_login(trail["member"])
    assert client.get("/lead/audit/").status_code == 403


def test_the_organisation_page_shows_its_history_and_its_members_in_words(lead_client, lead):
    severn = OrganisationFactory(name="Severn Water")
    membership = make_member(organisation=severn).memberships.get()
    audit.record(
        actor=lead,
        action="organisation.updated",
        obj=severn,
        before={"website": ""},
        after={"website": "severn.example"},
    )
    audit.record(
        actor=lead,
        action="membership.role_changed",
        obj=membership,
        before={"role": "contributor"},
        after={"role": "admin"},
    )
    audit.record(actor=lead, action="organisation.updated", obj=OrganisationFactory())

    page = lead_client.get(f"/organisations/{severn.pk}/")

    assert [e.action for e in page.context["history"]] == ["membership.role_changed", "organisation.updated"]
    html = page.content.decode()
    assert "changed a member&#x27;s role" in html
    assert "role: contributor → admin" in html
    assert "website: — → severn.example" in html
