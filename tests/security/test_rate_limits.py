"""Brute force: log-in, sign-up, password reset and the second factor are
rate limited, keyed on the real client address.

With no proxy configured (TRUSTED_PROXY_COUNT=0) the address is the
connection's (REMOTE_ADDR) and X-Forwarded-For is ignored, since anyone can
send it. Behind N trusted proxies it is the N-th address from the right of
X-Forwarded-For, the one the outermost proxy saw: addresses a client adds
on the left cannot change it."""

import pyotp
import pytest
from django.conf import settings

from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, make_judge

pytestmark = pytest.mark.django_db

CLIENT = "203.0.113.9"
OTHER_CLIENT = "198.51.100.7"
PROXY = "10.0.0.2"


def test_the_limits_are_stated_in_the_settings():
    limits = settings.ACCOUNT_RATE_LIMITS

    assert {name: limits[name] for name in ("login", "login_failed", "signup", "reset_password")} == {
        "login": "30/m/ip",
        "login_failed": "10/m/ip,5/5m/key",
        "signup": "20/m/ip",
        "reset_password": "20/m/ip,5/m/key",
    }
    assert limits["reset_password_from_key"] == "20/m/ip"
    assert limits["reauthenticate"] == "10/m/user"


def refused_log_in(response) -> bool:
    errors = response.context["form"].errors.as_data().get("__all__", [])
    return [error.code for error in errors] == ["too_many_login_attempts"]


def fail_log_in(client, email: str, *, remote: str = CLIENT, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"login": email, "password": "wrong"}, **headers)


# Log-in ----------------------------------------------------------------------------


def test_without_a_proxy_failed_log_ins_count_per_connection_and_a_forged_header_changes_nothing(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    refused = [refused_log_in(fail_log_in(client, f"p{n}@example.org", forwarded=f"192.0.2.{n}")) for n in range(11)]
    other = fail_log_in(client, "p99@example.org", remote=OTHER_CLIENT, forwarded=CLIENT)

    assert refused == [False] * 10 + [True]
    assert refused_log_in(other) is False


def test_behind_a_proxy_failed_log_ins_count_per_client_and_spoofed_addresses_do_not_escape(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    refused = [
        refused_log_in(fail_log_in(client, f"p{n}@example.org", remote=PROXY, forwarded=f"192.0.2.{n}, {CLIENT}"))
        for n in range(11)
    ]
    other = fail_log_in(client, "p99@example.org", remote=PROXY, forwarded=OTHER_CLIENT)

    assert refused == [False] * 10 + [True]
    assert refused_log_in(other) is False


def test_behind_two_proxies_the_address_the_outer_proxy_saw_counts(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    refused = [
        refused_log_in(
            fail_log_in(client, f"p{n}@example.org", remote=PROXY, forwarded=f"192.0.2.{n}, {CLIENT}, 10.0.0.1")
        )
        for n in range(11)
    ]

    assert refused == [False] * 10 + [True]


def test_failed_log_ins_for_one_account_are_limited_from_any_address(client):
    UserFactory(email="victim@example.org")
    refused = [refused_log_in(fail_log_in(client, "victim@example.org", remote=f"192.0.2.{n}")) for n in range(6)]

    assert refused == [False] * 5 + [True]


def test_any_client_gets_at_most_30_log_in_attempts_a_minute(client):
    statuses = [fail_log_in(client, f"q{n}@example.org").status_code for n in range(31)]
    elsewhere = fail_log_in(client, "q99@example.org", remote=OTHER_CLIENT)

    assert statuses == [200] * 30 + [429]
    assert b"Too many attempts" in fail_log_in(client, "q98@example.org").content
    assert elsewhere.status_code == 200


# Sign-up and password reset ---------------------------------------------------------------


def sign_up(client, n: int, **headers):
    return client.post(
        "/accounts/signup/",
        {"email": f"new{n}@example.org", "full_name": "New Person", "password1": "x", "password2": "y"},
        **headers,
    )


def test_sign_ups_are_limited_to_20_a_minute_per_client_behind_the_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    statuses = [
        sign_up(client, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {CLIENT}").status_code
        for n in range(21)
    ]
    other = sign_up(client, 99, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)

    assert statuses == [200] * 20 + [429]
    assert other.status_code == 200


def test_sign_ups_without_a_proxy_count_per_connection(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    statuses = [
        sign_up(client, n, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(21)
    ]

    assert statuses == [200] * 20 + [429]


def reset(client, email: str, **headers):
    return client.post("/accounts/password/reset/", {"email": email}, **headers)


def test_password_resets_for_one_address_are_limited_to_5_a_minute(client):
    UserFactory(email="forgetful@example.org")
    statuses = [reset(client, "forgetful@example.org", REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(6)]

    assert statuses == [302] * 5 + [429]


def test_password_resets_are_limited_to_20_a_minute_per_client_behind_the_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    statuses = [
        reset(client, f"r{n}@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {CLIENT}").status_code
        for n in range(21)
    ]
    other = reset(client, "r99@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)

    assert statuses == [302] * 20 + [429]
    assert other.status_code == 302


# The second factor -------------------------------------------------------------------


def wrong_code() -> str:
    right = pyotp.TOTP(TOTP_SECRET).now()
    return f"{(int(right) + 500_000) % 1_000_000:06d}"


def test_wrong_codes_for_the_second_factor_are_limited_per_account_from_any_address(client):
    judge = make_judge(email="judge.two@example.org")
    login = client.post("/accounts/login/", {"login": judge.email, "password": PASSWORD})
    assert login.url == "/accounts/2fa/authenticate/"

    wrong = [
        client.post("/accounts/2fa/authenticate/", {"code": wrong_code()}, REMOTE_ADDR=f"192.0.2.{n}") for n in range(5)
    ]
    right_too_late = client.post(
        "/accounts/2fa/authenticate/", {"code": pyotp.TOTP(TOTP_SECRET).now()}, REMOTE_ADDR="192.0.2.200"
    )

    assert [answer.status_code for answer in wrong] == [200] * 5
    assert [answer.context["form"].errors["code"] for answer in wrong] == [["Incorrect code."]] * 5
    assert right_too_late.status_code == 200
    assert right_too_late.context["form"].errors["code"] == ["Too many failed login attempts. Try again later."]
    assert "_auth_user_id" not in client.session


def test_the_right_code_is_accepted_within_the_limit(client):
    judge = make_judge(email="judge.three@example.org")
    client.post("/accounts/login/", {"login": judge.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": wrong_code()})

    right = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(TOTP_SECRET).now()})

    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(judge.pk)


# The public certificate check -----------------------------------------------------------


def test_certificate_checks_are_limited_to_20_a_minute_per_client_behind_the_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def check(n: int, forwarded: str):
        return client.post(
            "/verify/",
            {"serial": f"PQ-C03-{n:04d}", "organisation_name": "Severn Valley Water"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    statuses = [check(n, f"192.0.2.{n}, {CLIENT}").status_code for n in range(21)]
    by_code = client.get("/v/0123456789AB/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.77, {CLIENT}")
    other = check(99, OTHER_CLIENT)

    assert statuses == [404] * 20 + [429]  # no such certificate, then refused
    assert by_code.status_code == 429  # the QR code's link shares the allowance
    assert other.status_code == 404
