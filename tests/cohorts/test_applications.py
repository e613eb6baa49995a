import re
from datetime import date

import pytest
from django.core import mail

from cohorts.models import Application, Cohort, Enrolment, Phase
from cohorts.services import applications as services
from core.errors import ServiceError
from core.models import AuditEvent
from organisations.models import Membership, Organisation
from tests.factories import OrganisationFactory, UserFactory, make_judge, make_lead, make_member

pytestmark = pytest.mark.django_db

DETAILS = {
    "organisation_name": "Severn Valley Water",
    "sector": "water",
    "size": "large",
    "contact_phone": "01452 300 400",
    "website": "https://www.severnvalley.example",
    "motivation": "We want to measure our service the way our customers see it.",
}


def make_cohort(*, number: int = 5, phase: str = Phase.ENROLMENT, name: str = "Utilities and beyond") -> Cohort:
    return Cohort.objects.create(number=number, name=name, start_date=date(2027, 3, 1), phase=phase)


@pytest.fixture
def cohort():
    return make_cohort()


@pytest.fixture
def applicant():
    return UserFactory(email="ada.applicant@example.org", full_name="Ada Applicant")


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def submit(cohort, applicant, **changes) -> Application:
    return services.apply(cohort=cohort, applicant=applicant, **{**DETAILS, **changes})


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# Applying -------------------------------------------------------------------


def test_apply_through_the_form_creates_pending_application_and_audits(applicant_client, applicant, cohort):
    response = applicant_client.post("/apply/?cohort=5", {**DETAILS, "organisation_name": "  Severn   Valley Water "})

    assert response.status_code == 302
    assert response.url == "/"
    application = Application.objects.get()
    assert (application.cohort, application.applicant, application.status) == (cohort, applicant, "pending")
    assert application.organisation_name == "Severn Valley Water"
    assert (application.sector, application.size) == ("water", "large")
    assert (application.contact_phone, application.website) == ("01452 300 400", "https://www.severnvalley.example")
    assert application.motivation == "We want to measure our service the way our customers see it."
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("application.submitted", applicant, str(application.pk))
    assert event.after["status"] == "pending"
    assert event.after["cohort"] == 5
    assert Organisation.objects.count() == 0


def test_apply_page_lists_open_cohorts_to_choose_from(applicant_client):
    make_cohort(number=5)
    make_cohort(number=6, name="Mixed sectors")
    make_cohort(number=7, phase=Phase.DRAFT, name="Not yet open")

    response = applicant_client.get("/apply/")

    assert response.status_code == 200
    assert [c.number for c in response.context["open_cohorts"]] == [5, 6]
    assert response.context["cohort"] is None
    assert b'href="/apply/?cohort=5"' in response.content
    assert b'href="/apply/?cohort=6"' in response.content
    assert b"?cohort=7" not in response.content


def test_apply_page_shows_the_form_straight_away_when_one_cohort_is_open(applicant_client, cohort):
    response = applicant_client.get("/apply/")

    assert response.status_code == 200
    assert response.context["cohort"] == cohort
    assert b'action="/apply/?cohort=5"' in response.content
    for field in ("organisation_name", "sector", "size", "contact_phone", "website", "motivation"):
        assert re.search(rf'<label\s+for="id_{field}"', response.content.decode())


def test_apply_page_without_open_cohort_says_so(applicant_client):
    response = applicant_client.get("/apply/")

    assert response.status_code == 200
    assert b"No cohort is open for enrolment at the moment." in response.content


def test_apply_refused_when_cohort_is_not_open(applicant_client, applicant):
    make_cohort(number=5, phase=Phase.SELF_ASSESSMENT)

    response = applicant_client.post("/apply/?cohort=5", DETAILS)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cohort 5 is not open for enrolment (it is in the self-assessment phase)."
    ]
    assert Application.objects.count() == 0
    page = applicant_client.get("/apply/?cohort=5")
    assert page.status_code == 302
    assert page.url == "/apply/"


def test_apply_to_unknown_cohort_is_not_found(applicant_client, cohort):
    assert applicant_client.get("/apply/?cohort=99").status_code == 404
    assert applicant_client.get("/apply/?cohort=five").status_code == 404


def test_apply_refused_when_a_pending_application_exists(applicant_client, applicant, cohort):
    submit(cohort, applicant)

    response = applicant_client.post("/apply/?cohort=5", {**DETAILS, "organisation_name": "Another Name Ltd"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You have already applied to cohort 5: your application is waiting for a decision."
    ]
    assert Application.objects.count() == 1
    page = applicant_client.get("/apply/?cohort=5")
    assert (page.status_code, page.url) == (302, "/")


def test_apply_again_allowed_after_a_decline(applicant, cohort, lead):
    first = submit(cohort, applicant)
    services.decline_application(application=first, actor=lead, reason="Please apply with your group's name.")

    second = submit(cohort, applicant, organisation_name="Severn Valley Water Group")

    assert second.status == "pending"
    assert Application.objects.count() == 2


def test_apply_refused_when_organisation_name_exists(applicant_client, cohort):
    OrganisationFactory(name="Severn Valley Water")

    response = applicant_client.post("/apply/?cohort=5", {**DETAILS, "organisation_name": "severn valley  WATER"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "An organisation called “severn valley WATER” already has an account on the portal. "
        "Ask that organisation's admin to invite you instead of applying."
    ]
    assert Application.objects.count() == 0


def test_apply_form_answers_with_field_errors(applicant_client, cohort):
    response = applicant_client.post(
        "/apply/?cohort=5",
        {"organisation_name": "   ", "sector": "shipping", "size": "", "website": "not a website", "motivation": " "},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "organisation_name": ["Enter your organisation's name."],
        "sector": ["Select a valid choice. shipping is not one of the available choices."],
        "size": ["Choose your organisation's size."],
        "website": ["Enter the address of the website, such as https://www.example.co.uk"],
        "motivation": ["Tell us why your organisation wants to take part."],
    }
    assert Application.objects.count() == 0


def test_apply_website_without_scheme_gets_https(applicant_client, cohort):
    response = applicant_client.post("/apply/?cohort=5", {**DETAILS, "website": "www.severnvalley.example"})

    assert response.status_code == 302
    assert Application.objects.get().website == "https://www.severnvalley.example"


@pytest.mark.parametrize("make_user", [make_member, make_judge, make_lead], ids=["member", "judge", "lead"])
def test_apply_forbidden_to_a_user_with_a_role(client, cohort, make_user):
    client.force_login(make_user())

    assert client.get("/apply/?cohort=5").status_code == 403
    assert client.post("/apply/?cohort=5", DETAILS).status_code == 403
    assert Application.objects.count() == 0


def test_apply_sends_anonymous_visitor_to_log_in(client, cohort):
    response = client.get("/apply/?cohort=5")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/apply/%3Fcohort%3D5"


# Accepting --------------------------------------------------------------------


def test_accept_creates_organisation_admin_membership_and_enrolment_and_tells_applicant(
    lead_client, lead, applicant, cohort, django_capture_on_commit_callbacks
):
    application = submit(cohort, applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/applications/{application.pk}/accept/")

    assert response.status_code == 302
    assert response.url == "/applications/"
    organisation = Organisation.objects.get()
    assert organisation.name == "Severn Valley Water"
    assert (organisation.sector, organisation.size) == ("water", "large")
    assert (organisation.contact_name, organisation.contact_email) == ("Ada Applicant", "ada.applicant@example.org")
    assert (organisation.contact_phone, organisation.website) == ("01452 300 400", "https://www.severnvalley.example")
    membership = Membership.objects.get()
    assert (membership.user, membership.organisation, membership.role) == (applicant, organisation, "admin")
    enrolment = Enrolment.objects.get()
    assert (enrolment.cohort, enrolment.organisation, enrolment.status) == (cohort, organisation, "enrolled")
    application.refresh_from_db()
    assert (application.status, application.decided_by, application.organisation) == ("accepted", lead, organisation)
    assert application.decided_at is not None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada.applicant@example.org"]
    assert message.subject == "[P&Q portal] Accepted: Severn Valley Water is enrolled in cohort 5, Utilities and beyond"
    assert "http://127.0.0.1:8000/organisation/" in message.body
    assert 'href="http://127.0.0.1:8000/organisation/"' in message.alternatives[0][0]

    assert actions() == [
        "application.submitted",
        "organisation.created",
        "enrolment.created",
        "membership.created",
        "application.accepted",
    ]
    accepted = AuditEvent.objects.get(action="application.accepted")
    assert (accepted.actor, accepted.object_id) == (lead, str(application.pk))
    assert accepted.before == {"status": "pending"}
    assert accepted.after == {"status": "accepted", "organisation": organisation.pk}
    # The applicant now holds a role: the home page sends them to their organisation.
    lead_client.force_login(applicant)
    home = lead_client.get("/")
    assert (home.status_code, home.url) == (302, "/organisation/")


def test_accept_refused_when_cohort_has_left_enrolment(lead_client, lead, applicant, cohort):
    application = submit(cohort, applicant)
    Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.SELF_ASSESSMENT)

    with pytest.raises(ServiceError) as refused:
        services.accept_application(application=application, actor=lead)

    assert refused.value.message == (
        "Cohort 5 is not open for enrolment (it is in the self-assessment phase). "
        "Decline the application instead, or move the cohort back."
    )
    response = lead_client.post(f"/applications/{application.pk}/accept/", follow=True)
    assert response.redirect_chain == [(f"/applications/{application.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == [refused.value.message]
    application.refresh_from_db()
    assert application.status == "pending"
    assert (Organisation.objects.count(), Membership.objects.count(), Enrolment.objects.count()) == (0, 0, 0)


def test_accept_refused_when_organisation_name_was_taken_meanwhile(lead, applicant, cohort):
    application = submit(cohort, applicant)
    OrganisationFactory(name="SEVERN VALLEY WATER")

    with pytest.raises(ServiceError) as refused:
        services.accept_application(application=application, actor=lead)

    assert refused.value.message == (
        "An organisation called “Severn Valley Water” joined the portal after this application was made. "
        "Decline the application and ask the applicant to get an invitation from that organisation's admin."
    )
    application.refresh_from_db()
    assert application.status == "pending"
    assert (Organisation.objects.count(), Membership.objects.count(), Enrolment.objects.count()) == (1, 0, 0)


def test_accept_is_all_or_nothing(lead, applicant, cohort, monkeypatch):
    application = submit(cohort, applicant)

    def broken_enrol(**kwargs):
        raise ServiceError("The enrolment failed.")

    monkeypatch.setattr(services.programme, "enrol", broken_enrol)
    with pytest.raises(ServiceError):
        services.accept_application(application=application, actor=lead)

    application.refresh_from_db()
    assert application.status == "pending"
    assert (Organisation.objects.count(), Membership.objects.count(), Enrolment.objects.count()) == (0, 0, 0)
    assert actions() == ["application.submitted"]


def test_accept_is_post_only(lead_client, applicant, cohort):
    application = submit(cohort, applicant)

    assert lead_client.get(f"/applications/{application.pk}/accept/").status_code == 405
    assert lead_client.get(f"/applications/{application.pk}/decline/").status_code == 405


# Declining --------------------------------------------------------------------


def test_decline_requires_a_reason(lead_client, applicant, cohort):
    application = submit(cohort, applicant)

    response = lead_client.post(f"/applications/{application.pk}/decline/", {"reason": "   "})

    assert response.status_code == 200
    assert response.context["decline_form"].errors == {
        "reason": ["Give a reason for declining: the applicant will read it."]
    }
    application.refresh_from_db()
    assert application.status == "pending"
    assert mail.outbox == []
    with pytest.raises(ServiceError) as refused:
        services.decline_application(application=application, actor=None, reason=" ")
    assert refused.value.message == "Give a reason for declining: the applicant will read it."


def test_decline_tells_applicant_why_and_audits(
    lead_client, lead, applicant, cohort, django_capture_on_commit_callbacks
):
    application = submit(cohort, applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            f"/applications/{application.pk}/decline/", {"reason": "Cohort 5 is for utilities only."}
        )

    assert response.status_code == 302
    assert response.url == "/applications/"
    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("declined", lead)
    assert application.decline_reason == "Cohort 5 is for utilities only."
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada.applicant@example.org"]
    assert message.subject == "[P&Q portal] Your application to cohort 5, Utilities and beyond, was not accepted"
    assert "Cohort 5 is for utilities only." in message.body
    assert f"http://127.0.0.1:8000/applications/{application.pk}/" in message.body
    assert f'href="http://127.0.0.1:8000/applications/{application.pk}/"' in message.alternatives[0][0]
    assert actions() == ["application.submitted", "application.declined"]
    event = AuditEvent.objects.get(action="application.declined")
    assert (event.actor, event.before, event.after) == (lead, {"status": "pending"}, {"status": "declined"})
    assert event.note == "Cohort 5 is for utilities only."
    assert Organisation.objects.count() == 0


# Deciding twice -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("accept", "accept"), ("accept", "decline"), ("decline", "accept"), ("decline", "decline")],
)
def test_deciding_a_decided_application_is_refused(lead_client, applicant, cohort, first, second):
    application = submit(cohort, applicant)
    lead_client.post(f"/applications/{application.pk}/{first}/", {"reason": "Not this time."}, follow=True)
    application.refresh_from_db()
    decided = application.status
    events = actions()

    response = lead_client.post(
        f"/applications/{application.pk}/{second}/", {"reason": "Changed my mind."}, follow=True
    )

    assert response.redirect_chain == [(f"/applications/{application.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"This application has already been {decided}: it cannot be decided again."
    ]
    application.refresh_from_db()
    assert application.status == decided
    assert actions() == events
    assert Organisation.objects.count() == (1 if first == "accept" else 0)
    assert Enrolment.objects.count() == (1 if first == "accept" else 0)


# Who may see and decide ------------------------------------------------------------


@pytest.mark.parametrize("make_user", [make_member, make_judge, UserFactory], ids=["member", "judge", "no role"])
def test_only_the_lead_lists_and_decides_applications(client, applicant, cohort, make_user):
    application = submit(cohort, applicant)
    client.force_login(make_user())

    assert client.get("/applications/").status_code == 403
    assert client.post(f"/applications/{application.pk}/accept/").status_code == 403
    assert client.post(f"/applications/{application.pk}/decline/", {"reason": "No."}).status_code == 403
    application.refresh_from_db()
    assert application.status == "pending"


def test_anonymous_visitor_is_sent_to_log_in_from_lead_pages(client, applicant, cohort):
    application = submit(cohort, applicant)

    for path in ("/applications/", f"/applications/{application.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_applicant_sees_own_application_but_not_anothers(applicant_client, applicant, cohort):
    own = submit(cohort, applicant)
    someone_else = submit(cohort, UserFactory(), organisation_name="Trent Water")

    response = applicant_client.get(f"/applications/{own.pk}/")
    assert response.status_code == 200
    assert response.context["can_decide"] is False
    assert b"Severn Valley Water" in response.content
    assert b"/accept/" not in response.content
    assert applicant_client.get(f"/applications/{someone_else.pk}/").status_code == 404
    assert applicant_client.get("/applications/999999/").status_code == 404


def test_lead_sees_application_with_decision_forms(lead_client, applicant, cohort):
    application = submit(cohort, applicant)

    response = lead_client.get(f"/applications/{application.pk}/")

    assert response.status_code == 200
    assert response.context["can_decide"] is True
    assert f'action="/applications/{application.pk}/accept/"'.encode() in response.content
    assert f'action="/applications/{application.pk}/decline/"'.encode() in response.content
    assert re.search(r'<label\s+for="id_reason"', response.content.decode())
    assert response.context["name_taken"] is None
    assert response.context["cohort_open"] is True


def test_lead_is_warned_when_application_cannot_be_accepted(lead_client, applicant, cohort):
    application = submit(cohort, applicant)
    taken = OrganisationFactory(name="Severn Valley Water")
    Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.SELF_ASSESSMENT)

    response = lead_client.get(f"/applications/{application.pk}/")

    assert response.status_code == 200
    assert response.context["name_taken"] == taken
    assert response.context["cohort_open"] is False
    assert b"Accept and enrol</button>" in response.content
    assert b'type="submit" disabled>Accept and enrol' in response.content


# The welcome page --------------------------------------------------------------------


def test_welcome_page_without_open_cohort(applicant_client):
    make_cohort(number=5, phase=Phase.DRAFT)

    response = applicant_client.get("/")

    assert response.status_code == 200
    assert b"No cohort is open for enrolment at the moment." in response.content
    assert b"/apply/" not in response.content


def test_welcome_page_offers_to_apply_and_lists_applications(applicant_client, applicant, lead):
    older = make_cohort(number=4, name="Water industry")
    submit(older, applicant)
    services.decline_application(application=Application.objects.get(), actor=lead, reason="Cohort 4 is full.")
    Cohort.objects.filter(pk=older.pk).update(phase=Phase.SELF_ASSESSMENT)
    cohort = make_cohort(number=5)
    pending = submit(cohort, applicant, organisation_name="Severn Valley Water Group")
    make_cohort(number=6, name="Mixed sectors")

    response = applicant_client.get("/")

    assert response.status_code == 200
    content = response.content.decode()
    # Cohort 5 already has their pending application; cohort 6 is open.
    assert 'href="/apply/?cohort=6"' in content
    assert 'href="/apply/?cohort=5"' not in content
    assert "Apply to enrol your organisation" in content
    assert [(a.organisation_name, a.status) for a in response.context["applications"]] == [
        ("Severn Valley Water Group", "pending"),
        ("Severn Valley Water", "declined"),
    ]
    assert f'href="/applications/{pending.pk}/"' in content
    assert "Waiting for a decision" in content
    assert "Declined" in content


# The lead's list -------------------------------------------------------------------


def test_application_list_puts_pending_first_with_counts(lead_client, lead, cohort):
    _first, second, _third = (
        submit(cohort, UserFactory(), organisation_name=name)
        for name in ("Anglian One", "Bristol Two", "Cardiff Three")
    )
    services.decline_application(application=second, actor=lead, reason="Not a customer service organisation.")

    response = lead_client.get("/applications/")

    assert response.status_code == 200
    assert [a.organisation_name for a in response.context["applications"]] == [
        "Cardiff Three",
        "Anglian One",
        "Bristol Two",
    ]
    assert response.context["counts"] == {"all": 3, "pending": 2, "accepted": 0, "declined": 1}
    filtered = lead_client.get("/applications/?status=declined")
    assert [a.organisation_name for a in filtered.context["applications"]] == ["Bristol Two"]
    assert filtered.context["status_label"] == "Declined"
    unknown = lead_client.get("/applications/?status=lost")
    assert unknown.status_code == 200
    assert len(unknown.context["applications"]) == 3


@pytest.mark.parametrize("item_count", [3, 60])
def test_application_list_query_count_does_not_grow_with_rows(lead_client, item_count, django_assert_max_num_queries):
    cohorts = [make_cohort(number=5), make_cohort(number=6, name="Mixed sectors")]
    for index in range(item_count):
        submit(cohorts[index % 2], UserFactory(), organisation_name=f"Applicant organisation {index}")

    # Session, user, roles (2), MFA, the page's count, the status counts,
    # the rows, and the session's save (3): the same for 3 rows as for 60.
    with django_assert_max_num_queries(12):
        response = lead_client.get("/applications/")

    assert response.status_code == 200
    assert len(response.context["applications"]) == min(item_count, 25)
