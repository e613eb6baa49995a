"""Superusers and staff use two-factor authentication like a lead (a
superuser passes every rule), and the first lead of a site is made with
`manage.py create_lead`, not `createsuperuser`."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role, RoleGrant, User
from accounts.services import mark_email_verified
from core.models import AuditEvent
from tests.factories import UserFactory, make_lead, with_mfa

pytestmark = pytest.mark.django_db

TOTP_SETUP = "/accounts/2fa/totp/activate/"
# Pages a superuser passes every rule of: the lead's, the judges', an organisation's, the admin.
PAGES = [
    "/",
    "/lead/",
    "/people/",
    "/judge/",
    "/organisation/",
    "/lead/emails/",
    "/lead/audit/",
    "/admin/",
    "/admin/accounts/user/",
]


def superuser(**kwargs):
    return User.objects.create_superuser(email="root@example.org", password="a-long-password-1", **kwargs)


@pytest.mark.parametrize("make", [superuser, lambda: UserFactory(is_staff=True)], ids=["superuser", "staff"])
@pytest.mark.parametrize("path", PAGES)
def test_superuser_or_staff_without_mfa_is_sent_to_set_it_up(client, make, path):
    client.force_login(make())

    response = client.get(path)

    assert (response.status_code, response.get("Location")) == (302, TOTP_SETUP)


def test_superuser_without_mfa_still_reaches_the_set_up_pages_and_sign_out(client, db):
    mark_email_verified(superuser())
    login = client.post("/accounts/login/", {"login": "root@example.org", "password": "a-long-password-1"})
    assert (login.status_code, client.get("/").url) == (302, TOTP_SETUP)
    client.post("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": "a-long-password-1"})

    assert client.get(TOTP_SETUP).status_code == 200
    assert client.get("/accounts/logout/").status_code == 200


def test_superuser_with_mfa_reaches_the_leads_pages(client):
    client.force_login(with_mfa(superuser()))

    assert client.get("/lead/").status_code == 200


def test_create_lead_makes_a_lead_who_chooses_a_password_and_must_set_up_two_factor(
    client, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_lead", "Lena@Example.org", "--name", "Lena Lead")

    lead = User.objects.get(email="lena@example.org")
    assert (lead.full_name, lead.is_staff, lead.is_superuser, lead.has_usable_password()) == (
        "Lena Lead",
        True,
        False,
        False,
    )
    assert list(RoleGrant.objects.active().filter(user=lead).values_list("role", flat=True)) == [Role.PROGRAMME_LEAD]
    assert list(AuditEvent.objects.filter(object_id=str(lead.pk)).order_by("id").values_list("action", flat=True)) == [
        "user.registered",
        "role.granted",
        "password.reset_sent",
    ]
    assert "A link to choose a password was e-mailed" in capsys.readouterr().out
    [message] = mail.outbox
    assert message.to == ["lena@example.org"]
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/password/reset/key/\S+)", message.body).group(1)

    # The link lets them choose a password; then the portal asks for two-factor before anything else.
    form = client.get(link, follow=True)
    chosen = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "a-fresh-long-password-7", "password2": "a-fresh-long-password-7"},
    )
    assert chosen.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password("a-fresh-long-password-7")
    client.force_login(lead)
    assert client.get("/lead/").get("Location") == TOTP_SETUP


def test_create_lead_makes_an_existing_account_a_lead_without_touching_its_password(
    django_capture_on_commit_callbacks,
):
    person = UserFactory(email="judy@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_lead", "judy@example.org")

    person.refresh_from_db()
    assert person.has_usable_password()
    assert RoleGrant.objects.active().filter(user=person, role=Role.PROGRAMME_LEAD).exists()
    assert mail.outbox == []


def test_create_lead_refuses_what_is_not_an_address():
    with pytest.raises(CommandError, match="is not an e-mail address"):
        call_command("create_lead", "not-an-address")


def test_a_lead_is_still_sent_to_set_up_two_factor(client):
    client.force_login(make_lead(mfa=False))

    assert client.get("/lead/").get("Location") == TOTP_SETUP
