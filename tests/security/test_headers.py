"""Headers and sessions in production mode (PQ_ENV=production): a strict
Content Security Policy, HSTS, HTTPS only, secure HttpOnly SameSite cookies,
sessions that end after inactivity, referrer policy, frame denial and
nosniff; user files only ever downloaded, never rendered.

The production settings are read in a subprocess (settings.py refuses to
load without SECRET_KEY and ALLOWED_HOSTS, and reads the environment once),
then applied here to the test database with override_settings."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from assessments.models import EvidenceFile, Response, SelfAssessment
from assessments.services.evidence import add_evidence
from frameworks.models import Criterion, Framework
from tests.factories import EnrolmentFactory, make_cohort, make_member

ROOT = Path(__file__).resolve().parents[2]
HOST = "pq.example.org"
PRODUCTION_ENV = {
    "PQ_ENV": "production",
    "SECRET_KEY": "a-production-secret-key-used-only-by-this-test-0123456789abcdef",
    "ALLOWED_HOSTS": HOST,
    "EMAIL_SECRET_KEY": "LfxQ1ZlYj3dJ2v6m0nC2xk8G7h9TqW5rYbE4aU1sZ0o=",  # a Fernet key, for this test only
}
# The settings that decide the headers, cookies and sessions.
NAMES = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_REFERRER_POLICY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_AGE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_SECURE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SESSION_SAVE_EVERY_REQUEST",
    "X_FRAME_OPTIONS",
]
# What the subprocess gets from PRODUCTION_ENV, never from the caller's environment.
READ_FROM_TEST_ENV = {
    "PQ_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_SECRET_KEY",
    "DEBUG",
    "SESSION_COOKIE_AGE",
    "SECURE_SSL_REDIRECT",
}
READ_SETTINGS = (
    "import json, sys\n"
    "from django.conf import settings\n"
    "names = json.loads(sys.argv[1])\n"
    "print(json.dumps({name: getattr(settings, name) for name in names}))\n"
)


def read_production_settings(extra_env: dict | None = None) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in READ_FROM_TEST_ENV}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="pq_portal.settings", **(extra_env or {}))
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{READ_SETTINGS}", json.dumps(NAMES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production_settings() -> dict:
    return read_production_settings()


@pytest.fixture
def production(production_settings, settings):
    """This test runs with the production values of NAMES."""
    with override_settings(ALLOWED_HOSTS=[HOST], **production_settings):
        yield production_settings


class HttpsClient(Client):
    """Every request over HTTPS, as the proxy in front of the site sends it."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def https_client() -> HttpsClient:
    return HttpsClient(SERVER_NAME=HOST)


pytestmark = pytest.mark.django_db


def test_production_settings_are_the_strict_ones(production_settings):
    assert {name: production_settings[name] for name in NAMES if name != "CONTENT_SECURITY_POLICY"} == {
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_AGE": 7200,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
        "SESSION_SAVE_EVERY_REQUEST": True,
        "X_FRAME_OPTIONS": "DENY",
    }


def test_the_inactivity_limit_comes_from_the_environment():
    assert read_production_settings({"SESSION_COOKIE_AGE": "900"})["SESSION_COOKIE_AGE"] == 900


def test_every_page_carries_the_security_headers_over_https(production):
    answer = https_client().get("/accounts/login/")

    assert answer.status_code == 200
    assert answer["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(directive.split(" ", 1) for directive in answer["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no other origin
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"


def test_plain_http_is_sent_to_https(production):
    answer = Client(SERVER_NAME=HOST).get("/accounts/login/")

    assert (answer.status_code, answer["Location"]) == (301, f"https://{HOST}/accounts/login/")


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(production):
    client = https_client()
    member = make_member(email="cookie.monster@example.org")

    page = client.get("/accounts/login/")
    signed_in = client.post("/accounts/login/", {"login": member.email, "password": "correct-horse-battery-staple"})

    csrf = page.cookies["csrftoken"]
    assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    assert session["max-age"] == ""  # not "remembered": the cookie ends with the browser
    remembered = https_client().post(
        "/accounts/login/", {"login": member.email, "password": "correct-horse-battery-staple", "remember": "on"}
    )
    assert remembered.cookies["sessionid"]["max-age"] == 7200  # and, either way, two hours without activity


def test_a_session_ends_after_two_hours_without_activity_and_activity_keeps_it_alive(production):
    client = https_client()
    member = make_member(email="idle@example.org")
    client.force_login(member)
    key = client.cookies["sessionid"].value

    client.get("/organisation/")
    expiry = Session.objects.get(session_key=key).expire_date
    assert timedelta(hours=2) - timedelta(minutes=1) < expiry - timezone.now() <= timedelta(hours=2)

    # An hour and a half later (the expiry moved back), a request pushes the expiry on again.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=30))
    assert client.get("/organisation/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date - timezone.now() > timedelta(hours=1, minutes=59)

    # Two hours without a request: the session is over.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    answer = client.get("/organisation/")
    assert (answer.status_code, answer.url) == (302, "/accounts/login/?next=/organisation/")


# User files -------------------------------------------------------------------------

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def draft(settings, tmp_path):
    """An open self-assessment (deadline ahead of today) and its member."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cohort = make_cohort(phase="self_assessment", start_date=timezone.localdate() - timedelta(days=30))
    framework = Framework.objects.create(version=950, name="Header test framework")
    criterion = Criterion.objects.create(
        framework=framework,
        pillar="Q",
        code="Q1",
        title="Voice of the customer",
        **{f"level_{n}": f"Level {n}" for n in range(1, 6)},
    )
    enrolment = EnrolmentFactory(cohort=cohort)
    member = make_member(organisation=enrolment.organisation)
    assessment = SelfAssessment.objects.create(enrolment=enrolment)
    response = Response.objects.create(assessment=assessment, criterion=criterion)
    return member, assessment, response


@pytest.mark.parametrize(
    ("name", "data", "claimed"),
    [
        ("drawing.svg", SVG, "image/svg+xml"),
        ("page.html", HTML, "text/html"),
        ("page.htm", HTML, "text/html"),
        ("report.pdf", HTML, "application/pdf"),  # HTML in disguise
        ("chart.png", SVG, "image/png"),  # SVG in disguise
    ],
)
def test_svg_and_html_uploads_are_refused_whatever_they_are_called(draft, name, data, claimed):
    member, assessment, _response = draft
    client = Client()
    client.force_login(member)

    answer = client.post(
        f"/assessments/{assessment.pk}/criteria/Q1/evidence/",
        {"file": SimpleUploadedFile(name, data, content_type=claimed)},
        HTTP_HX_REQUEST="true",
    )

    assert answer.status_code == 200
    assert "This file is not a PDF, Word, Excel, PowerPoint, PNG or JPEG document." in answer.content.decode()
    assert EvidenceFile.objects.count() == 0


def test_evidence_is_only_ever_downloaded_never_shown(draft, production):
    member, _assessment, response = draft
    evidence = add_evidence(
        response=response,
        upload=SimpleUploadedFile("Audit.pdf", PDF, content_type="text/html"),  # the browser's claim is ignored
        actor=member,
    )
    client = https_client()
    client.force_login(member)

    answer = client.get(f"/evidence/{evidence.pk}/")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="Audit.pdf"'
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in answer["Content-Security-Policy"]
    assert b"".join(answer.streaming_content) == PDF


def test_stored_files_have_no_address_of_their_own(draft, production, settings):
    member, _assessment, response = draft
    evidence = add_evidence(response=response, upload=SimpleUploadedFile("Audit.pdf", PDF), actor=member)
    client = https_client()
    client.force_login(member)

    assert settings.MEDIA_URL in ("", "/")
    for path in (f"/{evidence.file.name}", f"/media/{evidence.file.name}", f"/static/../{evidence.file.name}"):
        assert client.get(path).status_code == 404
