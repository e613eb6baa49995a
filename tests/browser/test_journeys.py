"""What people do on the portal, in a real browser.

Fields and buttons are found by stable attributes (input names, the form in
<main>), not by their visible wording, which the templates may change.
"""

import re
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail

from accounts import services
from accounts.models import Role, RoleGrant, User
from tests.factories import PASSWORD, TOTP_SECRET, make_judge, make_lead

pytestmark = pytest.mark.browser

BASE32_SECRET = re.compile(r"\b[A-Z2-7]{16,}\b")
TOTP_PERIOD = 30


def submit(journey, form: str) -> None:
    """Press the form's own submit button (not one that belongs to another
    form through a form= attribute, such as allauth's Cancel)."""
    journey.page.locator(form).locator("button[type=submit]:not([form]), input[type=submit]:not([form])").first.click()
    journey.page.wait_for_load_state("load")


def fresh_totp(secret: str) -> str:
    """The current code, taken far enough from the end of its 30-second
    window that it is still valid when the server checks it."""
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < 3:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.5)
    return pyotp.TOTP(secret).now()


def read_totp_secret(page) -> str:
    """The secret allauth shows on its TOTP activation page.

    allauth shows it in a read-only field (#authenticator_secret) and as the
    QR code's alt text; a restyled page may show it as text or put the
    otpauth:// link in a data attribute or link, so look in all those places.
    """
    candidates = []
    field = page.locator("#authenticator_secret, input[name=secret], input[id*=secret]")
    if field.count():
        candidates.append(field.first.input_value())
    for attribute in ("alt", "data-secret", "data-totp-secret"):
        for element in page.locator(f"main [{attribute}]").all():
            candidates.append(element.get_attribute(attribute) or "")
    html = page.content()
    for url in re.findall(r"otpauth://[^\"'<>\s]+", html):
        candidates.extend(parse_qs(urlsplit(unquote(url.replace("&amp;", "&"))).query).get("secret", []))
    candidates.extend(BASE32_SECRET.findall(page.locator("main").inner_text()))
    for candidate in candidates:
        candidate = candidate.strip().replace(" ", "").upper()
        if BASE32_SECRET.fullmatch(candidate):
            return candidate
    raise AssertionError(f"No TOTP secret found on {page.url}")


def sign_in(journey, *, email: str, password: str, step: str) -> None:
    journey.goto("/accounts/login/", f"{step}-sign-in")
    journey.page.fill("main form input[name=login], main form input[name=email]", email)
    journey.page.fill("main form input[name=password]", password)
    submit(journey, "main form:has(input[name=password])")


def enter_mfa_code(journey, code: str, step: str) -> None:
    assert journey.path == "/accounts/2fa/authenticate/"
    journey.page.fill("main form input[name=code]", code)
    journey.shot(step)
    submit(journey, "main form:has(input[name=code])")


def sign_out(journey, step: str) -> None:
    # The account menu in the navigation bar, then allauth's confirmation.
    journey.page.locator("header .dropdown-toggle").click()
    journey.page.locator("header a[href='/accounts/logout/']").click()
    journey.page.wait_for_load_state("load")
    journey.shot(f"{step}-confirm-sign-out")
    submit(journey, "main form")


def test_newcomer_signs_up_verifies_email_and_sees_welcome_page(journey):
    page = journey.page
    journey.goto("/", "landing")
    page.locator("header a[href='/accounts/signup/']").click()
    page.wait_for_load_state("load")
    assert journey.path == "/accounts/signup/"
    page.fill("main form input[name=email]", "newcomer@example.org")
    page.fill("main form input[name=full_name]", "Nadia Newcomer")
    page.fill("main form input[name=password1]", PASSWORD)
    if page.locator("main form input[name=password2]").count():
        page.fill("main form input[name=password2]", PASSWORD)
    journey.shot("signup-form")
    submit(journey, "main form:has(input[name=password1])")
    journey.shot("verification-sent")
    assert journey.path == "/accounts/confirm-email/"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.org"]
    assert message.subject.startswith("[P&Q portal] ")
    links = re.findall(r"https?://\S+/accounts/confirm-email/[^/\s]+/", message.body)
    assert len(links) == 1, message.body
    confirm_path = urlsplit(links[0]).path

    journey.goto(confirm_path, "confirm-email")
    submit(journey, "main form")
    journey.shot("welcome")

    assert journey.path == "/"
    assert page.locator("main h1").inner_text() == "Welcome, Nadia"
    assert page.locator("main p.lead").inner_text() == (
        "Your account is ready, but it does not have a role on the portal yet."
    )
    assert page.locator("main h2").first.inner_text() == "What you can do next"
    user = User.objects.get(email="newcomer@example.org")
    assert user.emailaddress_set.get().verified is True
    assert list(RoleGrant.objects.filter(user=user)) == []


def test_invited_judge_sets_password_and_totp_and_reaches_judging(journey):
    page = journey.page
    lead = make_lead(email="lead@example.org", full_name="Lena Lead")
    _invitation, token = services.invite(email="jude.judge@example.org", role=Role.JUDGE, invited_by=lead)
    assert [m.to for m in mail.outbox] == [["jude.judge@example.org"]]

    journey.goto(f"/invitations/{token}/", "invitation")
    page.fill("main form input[name=full_name]", "Jude Judge")
    page.fill("main form input[name=password1]", PASSWORD)
    page.fill("main form input[name=password2]", PASSWORD)
    journey.shot("invitation-filled-in")
    submit(journey, "main form:has(input[name=full_name])")

    # Judges must set up TOTP before they see anything else.
    journey.shot("totp-activation")
    assert journey.path == "/accounts/2fa/totp/activate/"
    secret = read_totp_secret(page)
    page.fill("main form input[name=code]", fresh_totp(secret))
    journey.shot("totp-code-entered")
    submit(journey, "main form:has(input[name=code])")

    journey.shot("recovery-codes")
    assert journey.path == "/accounts/2fa/recovery-codes/"
    codes = page.locator("main textarea").first.input_value().split()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[0-9a-f]{8}", code) for code in codes), codes

    # Continue: a link in the page if the template offers one, else home.
    onward = page.locator("main a[href='/'], main a[href='/judge/']")
    if onward.count():
        onward.first.click()
    else:
        page.locator("header a.navbar-brand").click()
    page.wait_for_load_state("load")
    journey.shot("judge-dashboard")
    assert journey.path == "/judge/"
    assert page.locator("main h1").inner_text() == "Judging"

    judge = User.objects.get(email="jude.judge@example.org")
    assert judge.full_name == "Jude Judge"
    assert list(RoleGrant.objects.filter(user=judge).values_list("role", flat=True)) == [Role.JUDGE]
    assert sorted(judge.authenticator_set.values_list("type", flat=True)) == ["recovery_codes", "totp"]


def test_judge_signs_out_and_in_again_with_totp_then_recovery_code(journey):
    page = journey.page
    make_judge(email="judge@example.org", full_name="Jo Judge")
    judge = User.objects.get(email="judge@example.org")
    recovery_code = RecoveryCodes.activate(judge).get_unused_codes()[0]

    sign_in(journey, email="judge@example.org", password=PASSWORD, step="first")
    journey.shot("asked-for-code")
    code = fresh_totp(TOTP_SECRET)
    enter_mfa_code(journey, code, "totp-code")
    journey.shot("judge-dashboard")
    assert journey.path == "/judge/"
    assert page.locator("main h1").inner_text() == "Judging"

    sign_out(journey, "first")
    journey.shot("signed-out")
    assert journey.path == "/"
    assert page.locator("header a[href='/accounts/login/']").count() == 1

    # allauth refuses a code that has already been used (within its 30 s
    # window, or later since it is no longer current), so a replayed code
    # fails; a recovery code gets the judge in.
    sign_in(journey, email="judge@example.org", password=PASSWORD, step="second")
    enter_mfa_code(journey, code, "replayed-code")
    journey.shot("replayed-code-refused")
    assert journey.path == "/accounts/2fa/authenticate/"
    assert page.locator("main form input[name=code]").count() == 1
    enter_mfa_code(journey, recovery_code, "recovery-code")
    journey.shot("judge-dashboard-again")
    assert journey.path == "/judge/"
    assert page.locator("main h1").inner_text() == "Judging"
    assert (
        RecoveryCodes(judge.authenticator_set.get(type="recovery_codes")).get_unused_codes().count(recovery_code) == 0
    )


def test_skip_link_is_first_tab_stop_on_home_page(journey):
    page = journey.page
    journey.goto("/", "home")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(), href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "Skip to main content", "href": "#main"}
    assert page.locator("a[href='#main']").is_visible()
    journey.shot("skip-link-focused")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    journey.shot("main-focused")
