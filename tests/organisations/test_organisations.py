import pytest
from django.core import mail

from accounts.models import Invitation, Role
from core.errors import ServiceError
from core.models import AuditEvent
from organisations import services
from organisations.models import Membership, Organisation, Sector
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_cohort,
    make_member,
)

pytestmark = pytest.mark.django_db

ORGANISATION_POST = {
    "name": "Wessex Water Services",
    "sector": "water",
    "size": "large",
    "contact_name": "Alex Morgan",
    "contact_email": "Alex@Wessex.example",
    "contact_phone": "01225 000000",
    "website": "wessex.example",
}


def admin_of(organisation, **kwargs):
    return MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN, **kwargs).user


def contributor_of(organisation, **kwargs):
    return MembershipFactory(organisation=organisation, role=Membership.Role.CONTRIBUTOR, **kwargs).user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The list -------------------------------------------------------------------


def test_organisation_list_shows_member_and_enrolment_counts(lead_client):
    severn = OrganisationFactory(name="Severn Valley Water", contact_name="Morgan Jones")
    admin_of(severn)
    contributor_of(severn)
    MembershipFactory(organisation=severn, ended_at="2026-01-01T00:00Z")  # ended: not counted
    EnrolmentFactory(organisation=severn, cohort=make_cohort(number=3))
    EnrolmentFactory(organisation=severn, cohort=make_cohort(number=4))
    OrganisationFactory(name="Anglia Energy", sector=Sector.ENERGY)

    response = lead_client.get("/organisations/")

    assert response.status_code == 200
    rows = [(o.name, o.member_count, o.enrolment_count) for o in response.context["organisations"]]
    assert rows == [("Anglia Energy", 0, 0), ("Severn Valley Water", 2, 2)]
    assert b"2 organisations." in response.content


def test_organisation_list_searches_name_and_contact_and_filters_by_sector(lead_client):
    OrganisationFactory(name="Severn Valley Water", contact_name="Morgan Jones", contact_email="m@severn.example")
    OrganisationFactory(name="Anglia Energy", sector=Sector.ENERGY, contact_name="Sam Patel")
    OrganisationFactory(name="Thames Energy", sector=Sector.ENERGY, contact_name="Morgan Lee")

    def names(query):
        response = lead_client.get("/organisations/", query)
        assert response.status_code == 200
        return [o.name for o in response.context["organisations"]]

    assert names({"q": "severn"}) == ["Severn Valley Water"]
    assert names({"q": "morgan"}) == ["Severn Valley Water", "Thames Energy"]
    assert names({"q": "@severn.example"}) == ["Severn Valley Water"]
    assert names({"sector": "energy"}) == ["Anglia Energy", "Thames Energy"]
    assert names({"q": "morgan", "sector": "energy"}) == ["Thames Energy"]
    assert names({"q": "nobody"}) == []
    assert names({"sector": "not-a-sector"}) == ["Anglia Energy", "Severn Valley Water", "Thames Energy"]


def test_organisation_list_is_paginated_by_25(lead_client):
    OrganisationFactory.create_batch(30)

    first = lead_client.get("/organisations/")
    second = lead_client.get("/organisations/", {"page": 2})

    assert (len(first.context["organisations"]), len(second.context["organisations"])) == (25, 5)


@pytest.mark.parametrize("rows", [3, 60])
def test_organisation_list_queries_do_not_grow_with_rows(lead_client, django_assert_max_num_queries, rows):
    cohort = make_cohort(number=3)
    for organisation in OrganisationFactory.create_batch(rows):
        admin_of(organisation)
        EnrolmentFactory(organisation=organisation, cohort=cohort)

    with django_assert_max_num_queries(11):
        response = lead_client.get("/organisations/", {"sector": "water"})

    assert response.status_code == 200
    assert len(response.context["organisations"]) == min(rows, 25)


@pytest.mark.parametrize("who", ["member", "judge"])
def test_organisation_list_create_and_import_are_for_the_lead_only(client, request, who):
    client.force_login(request.getfixturevalue(who))

    for url in ("/organisations/", "/organisations/new/", "/organisations/import/"):
        assert client.get(url).status_code == 403
    assert client.post("/organisations/new/", ORGANISATION_POST).status_code == 403
    assert Organisation.objects.filter(name="Wessex Water Services").exists() is False


def test_organisation_pages_send_anonymous_visitors_to_sign_in(client):
    organisation = OrganisationFactory()

    for url in ("/organisations/", f"/organisations/{organisation.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


# Creating and editing ---------------------------------------------------------


def test_lead_creates_an_organisation_and_invites_its_main_contact(
    lead_client, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/organisations/new/", {**ORGANISATION_POST, "invite_contact": "on"})

    organisation = Organisation.objects.get(name="Wessex Water Services")
    assert response.status_code == 302
    assert response.url == f"/organisations/{organisation.pk}/"
    assert (organisation.contact_email, organisation.website) == ("alex@wessex.example", "https://wessex.example")
    event = AuditEvent.objects.get(action="organisation.created")
    assert (event.actor, event.after["name"], event.after["sector"]) == (lead, "Wessex Water Services", "water")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.organisation_role, invitation.invited_by) == (
        "alex@wessex.example",
        organisation,
        "admin",
        lead,
    )
    assert [m.to for m in mail.outbox] == [["alex@wessex.example"]]


def test_lead_creates_an_organisation_without_inviting_anyone(lead_client):
    response = lead_client.post("/organisations/new/", {**ORGANISATION_POST, "contact_email": ""})

    assert response.status_code == 302
    assert Organisation.objects.get().contact_email == ""
    assert Invitation.objects.count() == 0


def test_organisation_form_refuses_a_name_that_exists_in_another_case(lead_client):
    OrganisationFactory(name="Wessex Water Services")

    response = lead_client.post("/organisations/new/", {**ORGANISATION_POST, "name": "  WESSEX water   services "})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["An organisation called “WESSEX water services” already exists."]
    }
    assert Organisation.objects.count() == 1


def test_organisation_form_reports_each_bad_field(lead_client):
    response = lead_client.post(
        "/organisations/new/",
        {"name": " ", "sector": "gas", "contact_email": "not-an-address", "website": "not a website"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["Enter the organisation's name."],
        "sector": ["Select a valid choice. gas is not one of the available choices."],
        "contact_email": ["Enter a valid e-mail address, such as name@example.org."],
        "website": ["Enter a website address, such as www.example.org."],
    }
    assert Organisation.objects.count() == 0


def test_organisation_form_wants_an_address_to_invite_the_contact(lead_client):
    response = lead_client.post(
        "/organisations/new/", {**ORGANISATION_POST, "contact_email": "", "invite_contact": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "contact_email": ["Give the main contact's e-mail address to invite them, or untick “Invite the main contact”."]
    }


def test_organisation_admin_edits_the_details_with_an_audit_of_what_changed(client):
    organisation = OrganisationFactory(name="Severn Water", contact_name="Morgan")
    admin = admin_of(organisation)
    client.force_login(admin)

    assert client.get(f"/organisations/{organisation.pk}/edit/").status_code == 200
    response = client.post(
        f"/organisations/{organisation.pk}/edit/",
        {"name": "Severn Valley Water", "sector": "water", "contact_name": "Morgan"},
    )

    organisation.refresh_from_db()
    assert response.status_code == 302
    assert organisation.name == "Severn Valley Water"
    event = AuditEvent.objects.get(action="organisation.updated")
    assert (event.actor, event.before, event.after) == (
        admin,
        {"name": "Severn Water"},
        {"name": "Severn Valley Water"},
    )


def test_saving_unchanged_details_writes_no_audit_entry(lead_client):
    organisation = OrganisationFactory(name="Severn Water")

    lead_client.post(f"/organisations/{organisation.pk}/edit/", {"name": "Severn Water", "sector": "water"})

    assert AuditEvent.objects.filter(action="organisation.updated").count() == 0


def test_renaming_to_another_organisations_name_is_refused(lead_client):
    OrganisationFactory(name="Anglia Energy")
    organisation = OrganisationFactory(name="Severn Water")

    response = lead_client.post(f"/organisations/{organisation.pk}/edit/", {"name": "anglia energy", "sector": "water"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["An organisation called “anglia energy” already exists."]}
    organisation.refresh_from_db()
    assert organisation.name == "Severn Water"


def test_contributor_cannot_edit_or_manage_members(client):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    contributor = contributor_of(organisation)
    admin_membership = Membership.objects.get(user=admin)
    client.force_login(contributor)

    assert client.get(f"/organisations/{organisation.pk}/").status_code == 200
    assert client.get(f"/organisations/{organisation.pk}/edit/").status_code == 403
    assert client.post(f"/organisations/{organisation.pk}/edit/", {"name": "X", "sector": "water"}).status_code == 403
    assert client.get(f"/organisations/{organisation.pk}/members/invite/").status_code == 403
    assert (
        client.post(f"/organisations/{organisation.pk}/members/invite/", {"email": "a@b.example", "role": "admin"})
    ).status_code == 403
    url = f"/organisations/{organisation.pk}/members/{admin_membership.pk}"
    assert client.post(f"{url}/role/", {"role": "contributor"}).status_code == 403
    assert client.post(f"{url}/remove/").status_code == 403
    admin_membership.refresh_from_db()
    assert (admin_membership.role, admin_membership.ended_at) == ("admin", None)
    assert Invitation.objects.count() == 0


def test_member_of_another_organisation_gets_404_on_every_page_of_this_one(client):
    organisation_a = OrganisationFactory(name="Organisation A")
    membership_a = MembershipFactory(organisation=organisation_a, role=Membership.Role.ADMIN)
    organisation_b = OrganisationFactory(name="Organisation B")
    client.force_login(admin_of(organisation_b))

    base = f"/organisations/{organisation_a.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/edit/").status_code == 404
    assert client.post(f"{base}/edit/", {"name": "Taken over", "sector": "water"}).status_code == 404
    assert client.get(f"{base}/members/invite/").status_code == 404
    assert client.post(f"{base}/members/invite/", {"email": "x@b.example", "role": "admin"}).status_code == 404
    assert client.post(f"{base}/members/{membership_a.pk}/role/", {"role": "contributor"}).status_code == 404
    assert client.post(f"{base}/members/{membership_a.pk}/remove/").status_code == 404
    # The same answer as for an organisation that does not exist.
    assert client.get("/organisations/99999/").status_code == 404
    organisation_a.refresh_from_db()
    membership_a.refresh_from_db()
    assert (organisation_a.name, membership_a.role, membership_a.ended_at) == ("Organisation A", "admin", None)


def test_judge_cannot_see_or_change_organisations(client, judge):
    organisation = OrganisationFactory(name="Severn Water")
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    client.force_login(judge)

    base = f"/organisations/{organisation.pk}"
    assert client.get(f"{base}/").status_code == 403
    assert client.get("/organisations/99999/").status_code == 403  # no hint whether it exists
    assert client.post(f"{base}/edit/", {"name": "Changed", "sector": "water"}).status_code == 403
    assert client.post(f"{base}/members/invite/", {"email": "x@b.example", "role": "admin"}).status_code == 403
    assert client.post(f"{base}/members/{membership.pk}/role/", {"role": "contributor"}).status_code == 403
    assert client.post(f"{base}/members/{membership.pk}/remove/").status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Severn Water"


# The organisation's page -----------------------------------------------------


def test_member_sees_their_organisation_with_members_and_enrolments_but_no_management(client):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin = admin_of(organisation, user=UserFactory(full_name="Ada Admin", email="ada@severn.example"))
    contributor = contributor_of(organisation, user=UserFactory(full_name="Carl Contributor"))
    EnrolmentFactory(organisation=organisation, cohort=make_cohort(number=3, name="Water industry"))
    client.force_login(contributor)

    response = client.get(f"/organisations/{organisation.pk}/")

    assert response.status_code == 200
    assert [(m.user, m.role) for m in response.context["memberships"]] == [
        (admin, "admin"),
        (contributor, "contributor"),
    ]
    assert [(e.cohort.number, e.status) for e in response.context["enrolments"]] == [(3, "enrolled")]
    assert response.context["can_manage"] is False
    assert b"Cohort 3: Water industry" in response.content
    assert b"Invite a colleague" not in response.content
    assert b"/members/" not in response.content


def test_admin_sees_member_management_and_pending_invitations(client):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    services.invite_member(organisation=organisation, email="new@severn.example", role="contributor", actor=admin)
    client.force_login(admin)

    response = client.get(f"/organisations/{organisation.pk}/")

    assert response.context["can_manage"] is True
    assert [i.email for i in response.context["invitations"]] == ["new@severn.example"]
    assert b"Invite a colleague" in response.content
    assert f"/organisations/{organisation.pk}/members/".encode() in response.content


@pytest.mark.parametrize("rows", [3, 60])
def test_organisation_page_queries_do_not_grow_with_rows(lead_client, lead, django_assert_max_num_queries, rows):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    for _ in range(rows):
        contributor_of(organisation)
    for number in range(1, rows + 1):
        EnrolmentFactory(organisation=organisation, cohort=make_cohort(number=number))
    for index in range(rows):
        services.invite_member(organisation=organisation, email=f"p{index}@x.example", role="contributor", actor=admin)

    with django_assert_max_num_queries(15):
        response = lead_client.get(f"/organisations/{organisation.pk}/")

    assert response.status_code == 200
    assert (len(response.context["memberships"]), len(response.context["enrolments"])) == (rows + 1, rows)


# Members -----------------------------------------------------------------------


def test_admin_invites_a_colleague(client, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin = admin_of(organisation)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/organisations/{organisation.pk}/members/invite/",
            {"email": " Colleague@Severn.example ", "role": "admin"},
        )

    assert response.status_code == 302
    assert response.url == f"/organisations/{organisation.pk}/"
    invitation = Invitation.objects.get()
    assert (
        invitation.email,
        invitation.role,
        invitation.organisation,
        invitation.organisation_role,
        invitation.invited_by,
    ) == ("colleague@severn.example", Role.ORGANISATION_MEMBER, organisation, "admin", admin)
    assert [m.to for m in mail.outbox] == [["colleague@severn.example"]]
    assert AuditEvent.objects.get(action="invitation.sent").actor == admin


def test_inviting_someone_already_in_the_organisation_is_refused(client):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin = admin_of(organisation)
    contributor_of(organisation, user=UserFactory(email="carl@severn.example"))
    client.force_login(admin)

    response = client.post(
        f"/organisations/{organisation.pk}/members/invite/", {"email": "CARL@severn.example", "role": "contributor"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["carl@severn.example is already a member of Severn Valley Water."]
    }
    assert Invitation.objects.count() == 0


def test_invite_form_needs_a_valid_address_and_role(client):
    organisation = OrganisationFactory()
    client.force_login(admin_of(organisation))

    response = client.post(f"/organisations/{organisation.pk}/members/invite/", {"email": "nope", "role": "owner"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["Enter a valid e-mail address, such as name@example.org."],
        "role": ["Select a valid choice. owner is not one of the available choices."],
    }


def test_admin_changes_a_members_role(client):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    contributor = contributor_of(organisation)
    membership = Membership.objects.get(user=contributor)
    client.force_login(admin)

    response = client.post(f"/organisations/{organisation.pk}/members/{membership.pk}/role/", {"role": "admin"})

    membership.refresh_from_db()
    assert response.status_code == 302
    assert membership.role == "admin"
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.actor, event.before["role"], event.after["role"]) == (admin, "contributor", "admin")


def test_demoting_the_last_admin_is_refused(client):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin = admin_of(organisation, user=UserFactory(full_name="Ada Admin"))
    membership = Membership.objects.get(user=admin)
    client.force_login(admin)

    response = client.post(
        f"/organisations/{organisation.pk}/members/{membership.pk}/role/", {"role": "contributor"}, follow=True
    )

    membership.refresh_from_db()
    assert membership.role == "admin"
    assert messages_of(response) == [
        "You are the only admin of Severn Valley Water, so you cannot be made a contributor: "
        "an organisation must keep at least one admin. Make another member an admin first."
    ]
    assert AuditEvent.objects.filter(action="membership.role_changed").count() == 0


def test_an_admin_can_step_down_when_another_admin_remains(client):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    admin_of(organisation)
    membership = Membership.objects.get(user=admin)
    client.force_login(admin)

    client.post(f"/organisations/{organisation.pk}/members/{membership.pk}/role/", {"role": "contributor"})

    membership.refresh_from_db()
    assert membership.role == "contributor"


def test_admin_removes_a_member(client):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin = admin_of(organisation)
    contributor = contributor_of(organisation, user=UserFactory(full_name="Carl Contributor"))
    membership = Membership.objects.get(user=contributor)
    client.force_login(admin)

    response = client.post(f"/organisations/{organisation.pk}/members/{membership.pk}/remove/", follow=True)

    membership.refresh_from_db()
    assert (membership.ended_by, membership.ended_at is not None) == (admin, True)
    assert messages_of(response) == ["Carl Contributor is no longer a member of Severn Valley Water."]
    event = AuditEvent.objects.get(action="membership.ended")
    assert (event.actor, event.before, event.after) == (
        admin,
        {"organisation": "Severn Valley Water", "role": "contributor"},
        None,
    )
    # The removed person loses the page on their next request.
    client.force_login(contributor)
    assert client.get(f"/organisations/{organisation.pk}/").status_code == 403


def test_removing_the_last_admin_is_refused_even_for_the_lead(lead_client):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin = admin_of(organisation, user=UserFactory(full_name="Ada Admin"))
    contributor_of(organisation)
    membership = Membership.objects.get(user=admin)

    response = lead_client.post(f"/organisations/{organisation.pk}/members/{membership.pk}/remove/", follow=True)

    membership.refresh_from_db()
    assert membership.ended_at is None
    assert messages_of(response) == [
        "Ada Admin is the only admin of Severn Valley Water, so they cannot be removed: "
        "an organisation must keep at least one admin. Make another member an admin first."
    ]


def test_an_admin_removes_themselves_only_while_another_admin_remains(client):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin = admin_of(organisation)
    other = admin_of(organisation)
    membership = Membership.objects.get(user=admin)
    other_membership = Membership.objects.get(user=other)
    client.force_login(admin)

    response = client.post(f"/organisations/{organisation.pk}/members/{membership.pk}/remove/", follow=True)

    membership.refresh_from_db()
    assert response.redirect_chain[0] == ("/", 302)
    assert messages_of(response) == ["You are no longer a member of Severn Valley Water."]
    assert membership.ended_at is not None

    # The remaining admin is now the last one and cannot leave.
    client.force_login(other)
    refused = client.post(f"/organisations/{organisation.pk}/members/{other_membership.pk}/remove/", follow=True)
    other_membership.refresh_from_db()
    assert other_membership.ended_at is None
    assert messages_of(refused) == [
        "You are the only admin of Severn Valley Water, so you cannot be removed: "
        "an organisation must keep at least one admin. Make another member an admin first."
    ]


def test_member_actions_refuse_a_membership_of_another_organisation(client):
    organisation = OrganisationFactory()
    client.force_login(admin_of(organisation))
    elsewhere = MembershipFactory(organisation=OrganisationFactory())

    assert client.post(f"/organisations/{organisation.pk}/members/{elsewhere.pk}/remove/").status_code == 404
    assert (
        client.post(f"/organisations/{organisation.pk}/members/{elsewhere.pk}/role/", {"role": "admin"}).status_code
        == 404
    )
    elsewhere.refresh_from_db()
    assert (elsewhere.role, elsewhere.ended_at) == ("contributor", None)


def test_member_actions_are_post_only(client):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    client.force_login(admin)
    membership = Membership.objects.get(user=admin)

    assert client.get(f"/organisations/{organisation.pk}/members/{membership.pk}/remove/").status_code == 405


def test_lead_manages_any_organisation(lead_client, lead):
    organisation = OrganisationFactory(name="Severn Valley Water")
    admin_of(organisation)
    contributor = contributor_of(organisation)
    membership = Membership.objects.get(user=contributor)
    base = f"/organisations/{organisation.pk}"

    assert lead_client.get(f"{base}/").status_code == 200
    assert lead_client.post(f"{base}/edit/", {"name": "Severn Water", "sector": "water"}).status_code == 302
    assert (
        lead_client.post(f"{base}/members/invite/", {"email": "x@severn.example", "role": "admin"}).status_code == 302
    )
    assert lead_client.post(f"{base}/members/{membership.pk}/role/", {"role": "admin"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "admin"
    assert lead_client.post(f"{base}/members/{membership.pk}/remove/").status_code == 302
    membership.refresh_from_db()
    organisation.refresh_from_db()
    assert (organisation.name, membership.ended_by) == ("Severn Water", lead)
    assert Invitation.objects.get().invited_by == lead


# Services directly ----------------------------------------------------------------


def test_change_member_role_refuses_an_unknown_role(lead):
    membership = MembershipFactory()

    with pytest.raises(ServiceError) as error:
        services.change_member_role(membership=membership, role="owner", actor=lead)

    assert error.value.message == "Choose organisation admin or contributor."


def test_remove_member_refuses_an_ended_membership(lead):
    membership = MembershipFactory(role=Membership.Role.CONTRIBUTOR)
    services.remove_member(membership=membership, actor=lead)

    with pytest.raises(ServiceError) as error:
        services.remove_member(membership=membership, actor=lead)

    assert error.value.message == "This person is no longer a member of the organisation."


def test_make_member_helper_gives_a_contributor():
    # The page rules above rely on make_member's default role.
    user = make_member()
    assert Membership.objects.get(user=user).role == "contributor"
