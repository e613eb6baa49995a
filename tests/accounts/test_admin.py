"""The admin cannot make anyone more powerful, set a password or remove a
second factor, and every change made in it is in the audit trail."""

import re
from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client

from accounts.models import RoleGrant, User
from core.models import AuditEvent
from organisations.models import Organisation
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, make_judge, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(db):
    root = with_mfa(User.objects.create_superuser(email="root@example.org", password=PASSWORD))
    client = Client()
    client.force_login(root)
    client.user = root
    return client


def user_form(user, **changes):
    """The admin's change form of `user`, as posted (with today's and the
    old form's fields: what the admin does not show, it ignores)."""
    grants = list(RoleGrant.objects.filter(user=user).order_by("-granted_at"))
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "role_grants-TOTAL_FORMS": str(len(grants)),
        "role_grants-INITIAL_FORMS": str(len(grants)),
        "role_grants-MIN_NUM_FORMS": "0",
        "role_grants-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, grant in enumerate(grants):
        data[f"role_grants-{index}-id"] = str(grant.pk)
        data[f"role_grants-{index}-user"] = str(user.pk)
    data.update(changes)
    return data


def powers(user):
    user.refresh_from_db()
    return (user.is_superuser, user.is_staff, list(user.groups.all()), list(user.user_permissions.all()))


@pytest.mark.parametrize("target", ["member", "itself"])
def test_a_lead_posting_superuser_staff_groups_or_permissions_through_the_admin_changes_nothing(
    lead_client, lead, target
):
    person = lead if target == "itself" else UserFactory(email="mo@example.org", full_name="Mo Member")
    group = Group.objects.create(name="Everything")
    permission = Permission.objects.get(codename="change_user")
    before = powers(person)

    response = lead_client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        user_form(
            person,
            full_name="Renamed Person",
            is_superuser="on",
            is_staff="on",
            groups=[str(group.pk)],
            user_permissions=[str(permission.pk)],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert powers(person) == before
    assert person.full_name == "Renamed Person"  # the form was valid: the powers were ignored, not refused


def test_a_superuser_grants_staff_in_the_admin_and_it_is_audited(superuser_client):
    person = UserFactory(email="sam@example.org", full_name="Sam")

    superuser_client.post(f"/admin/accounts/user/{person.pk}/change/", user_form(person, is_staff="on"))

    person.refresh_from_db()
    assert person.is_staff
    [entry] = AuditEvent.objects.filter(action="admin.changed")
    assert (entry.actor, entry.object_id, entry.before, entry.after) == (
        superuser_client.user,
        str(person.pk),
        {"is_staff": False},
        {"is_staff": True},
    )


def test_a_lead_cannot_change_a_superusers_account(lead_client):
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD)

    lead_client.post(f"/admin/accounts/user/{root.pk}/change/", user_form(root, is_active=""))

    root.refresh_from_db()
    assert root.is_active


def test_the_admin_sets_no_password_not_even_a_superusers(superuser_client):
    person = UserFactory(email="vic@example.org")

    response = superuser_client.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {"password1": "taken-over-password-1", "password2": "taken-over-password-1", "usable_password": "true"},
    )

    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert response.status_code == 302
    assert "taken-over" not in superuser_client.get(f"/admin/accounts/user/{person.pk}/change/").content.decode()


def test_the_admin_removes_no_second_factor_and_shows_no_secret(superuser_client):
    judge = make_judge(email="jo@example.org")
    [totp] = Authenticator.objects.filter(user=judge)

    page = superuser_client.get(f"/admin/mfa/authenticator/{totp.pk}/change/")
    superuser_client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})
    superuser_client.post(
        "/admin/mfa/authenticator/", {"action": "delete_selected", "_selected_action": [totp.pk], "post": "yes"}
    )

    assert Authenticator.objects.filter(pk=totp.pk).exists()
    assert page.status_code == 200
    assert totp.data["secret"] not in page.content.decode()


def test_the_lead_resets_a_second_factor_and_the_person_is_told(lead_client, lead, django_capture_on_commit_callbacks):
    judge = make_judge(email="jo@example.org", full_name="Jo Judge")

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [judge.pk]}
        )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=judge).exists()
    [entry] = AuditEvent.objects.filter(action="mfa.reset_by_lead")
    assert (entry.actor, entry.object_id, entry.before, entry.after) == (
        lead,
        str(judge.pk),
        {"types": ["totp"]},
        {"types": []},
    )
    [message] = mail.outbox
    assert message.to == ["jo@example.org"]
    assert "has reset the two-factor authentication of your P&Q portal account" in message.body


def test_the_lead_sends_a_password_reset_link_to_the_person_not_to_themselves(
    lead_client, lead, django_capture_on_commit_callbacks
):
    member = UserFactory(email="mia@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post("/admin/accounts/user/", {"action": "send_password_reset", "_selected_action": [member.pk]})

    [message] = mail.outbox
    assert message.to == ["mia@example.org"]
    assert re.search(r"/accounts/password/reset/key/\S+", message.body)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert list(AuditEvent.objects.filter(action="password.reset_sent").values_list("actor", "object_id")) == [
        (lead.pk, str(member.pk))
    ]


def organisation_form(organisation, **changes):
    data = {
        "name": organisation.name,
        "sector": organisation.sector,
        "size": organisation.size,
        "contact_name": organisation.contact_name,
        "contact_email": organisation.contact_email,
        "contact_phone": "",
        "website": "",
        "created_at_0": "2027-01-04",
        "created_at_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_every_admin_change_writes_one_audit_entry_with_before_and_after(superuser_client, lead_client, lead):
    organisation = OrganisationFactory(
        name="Alpha Water", contact_name="Ann", created_at=datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    )
    una = UserFactory(email="una@example.org", verified=False)
    address = EmailAddress.objects.create(user=una, email=una.email, verified=False, primary=True)
    group = Group.objects.create(name="Old group")

    def entries():
        return list(AuditEvent.objects.filter(action__startswith="admin.").order_by("id"))

    lead_client.post(
        f"/admin/organisations/organisation/{organisation.pk}/change/",
        organisation_form(organisation, name="Alpha Water plc"),
    )
    [changed] = entries()
    assert (changed.actor, changed.object_id, changed.before, changed.after) == (
        lead,
        str(organisation.pk),
        {"name": "Alpha Water"},
        {"name": "Alpha Water plc"},
    )

    lead_client.post(
        "/admin/organisations/organisation/add/", organisation_form(Organisation(name="Beta Energy", sector="energy"))
    )
    added = entries()[1]
    assert (added.action, added.after["name"], added.before) == ("admin.added", "Beta Energy", None)

    lead_client.post("/admin/account/emailaddress/", {"action": "make_verified", "_selected_action": [address.pk]})
    verified = entries()[2]
    assert (verified.action, verified.object_id, verified.before, verified.after) == (
        "admin.changed",
        str(address.pk),
        {"verified": False},
        {"verified": True},
    )

    superuser_client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    deleted = entries()[3]
    assert (deleted.action, deleted.object_repr, deleted.before["name"]) == ("admin.deleted", "Old group", "Old group")

    assert [entry.action for entry in entries()] == ["admin.changed", "admin.added", "admin.changed", "admin.deleted"]


def test_saving_the_admin_form_unchanged_writes_nothing(lead_client):
    organisation = OrganisationFactory(name="Alpha Water", created_at=datetime(2027, 1, 4, 9, 0, tzinfo=UTC))

    response = lead_client.post(
        f"/admin/organisations/organisation/{organisation.pk}/change/", organisation_form(organisation)
    )

    assert response.status_code == 302
    assert list(AuditEvent.objects.filter(action__startswith="admin.").values("before", "after")) == []
