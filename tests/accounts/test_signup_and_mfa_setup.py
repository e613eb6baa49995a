import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from accounts.models import User
from core.models import AuditEvent, OutboundEmail
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, make_judge

pytestmark = pytest.mark.django_db


def test_newcomer_signs_up_verifies_email_and_sees_what_to_do_next(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup = client.post(
            "/accounts/signup/",
            {
                "email": "Newcomer@Example.org",
                "full_name": " Nadia  Newcomer ",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert (signup.status_code, signup.url) == (302, "/accounts/confirm-email/")
    assert client.get("/").status_code == 200  # not signed in until verified
    assert (User.objects.get().email, User.objects.get().full_name) == ("newcomer@example.org", "Nadia Newcomer")

    [message] = mail.outbox
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT  # through the portal's e-mail core
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)
    assert client.get(link).status_code == 200
    confirmed = client.post(link)
    home = client.get(confirmed.url, follow=True)

    assert b"does not have a role on the portal yet" in home.content
    assert b"Welcome, Nadia" in home.content
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "user.registered",
        "email.verified",
    ]


def test_unverified_account_cannot_sign_in(client):
    UserFactory(email="unverified@example.org", verified=False)

    response = client.post("/accounts/login/", {"login": "unverified@example.org", "password": PASSWORD})

    assert (response.status_code, response.url) == (302, "/accounts/confirm-email/")
    assert client.get("/lead/").status_code == 302


def test_judge_sets_up_totp_and_then_reaches_the_dashboard(client, django_capture_on_commit_callbacks):
    judge = make_judge(mfa=False)
    client.post("/accounts/login/", {"login": judge.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        activated = client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})

    assert activated.status_code == 302
    assert activated.url == "/accounts/2fa/recovery-codes/"
    assert sorted(Authenticator.objects.filter(user=judge).values_list("type", flat=True)) == [
        "recovery_codes",
        "totp",
    ]
    assert client.get("/judge/").status_code == 200
    assert sorted(AuditEvent.objects.filter(action="mfa.added").values_list("after__type", flat=True)) == [
        "recovery_codes",
        "totp",
    ]


def test_judge_with_totp_must_enter_a_code_at_log_in(client, judge):
    login = client.post("/accounts/login/", {"login": judge.email, "password": PASSWORD})
    assert login.url == "/accounts/2fa/authenticate/"
    assert client.get("/judge/").status_code == 302

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    right = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(TOTP_SECRET).now()})

    assert wrong.status_code == 200
    assert (right.status_code, right.url) == (302, "/")
    assert client.get("/judge/").status_code == 200
