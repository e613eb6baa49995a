import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.urls import path

from accounts.models import RoleGrant, User
from assessments.models import SelfAssessment
from cohorts.models import Cohort
from judging.models import ConflictDeclaration, Scorecard
from results.models import ResultSnapshot
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PQ_ENV": "production",
    "SECRET_KEY": "k" * 20 + "production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "pq.example.org",
    "EMAIL_SECRET_KEY": "LfxQ1ZlYj3dJ2v6m0nC2xk8G7h9TqW5rYbE4aU1sZ0o=",  # a Fernet key, for this test only
}


def manage(*args, env=None):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PQ_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_the_deploy_check_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_development_mode_has_no_system_check_warning():
    result = manage("check", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_SECRET_KEY"])
def test_production_mode_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = manage("check", env=env)

    assert result.returncode == 1
    assert f"Production mode needs the {missing} environment variable." in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_style():
    """CSP forbids them; e-mails (read in mail clients) are the exception."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "emails" in template.parts:
            continue
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text) or "<style" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"We could not find that page" in response.content


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_settings_and_pages")
def test_server_error_shows_a_friendly_page_without_a_trace(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"RuntimeError" not in response.content
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_sets_up_each_role(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.count() == 27
    assert sorted(RoleGrant.objects.active().values_list("role", flat=True)) == ["judge"] * 7 + ["programme_lead"]
    cohort_3, cohort_4, cohort_5, cohort_6 = Cohort.objects.order_by("number")
    assert (cohort_3.number, cohort_3.phase, cohort_3.sponsor) == (3, "results", "Clarity Analytics")
    assert (cohort_4.number, cohort_4.phase) == (4, "judging")
    assert (cohort_5.number, cohort_5.phase, cohort_5.enrolments.count()) == (5, "enrolment", 0)
    assert (cohort_6.number, cohort_6.phase) == (6, "self_assessment")

    assert SelfAssessment.objects.filter(enrolment__cohort=cohort_3, status="submitted").count() == 13
    assert SelfAssessment.objects.filter(enrolment__cohort=cohort_6, status="draft").count() == 3
    assert set(cohort_3.enrolments.values_list("organisation__sector", flat=True)) == {"bpo", "water"}
    assert cohort_3.enrolments.count() == 13
    assert set(cohort_4.enrolments.values_list("organisation__sector", flat=True)) == {
        "energy",
        "public_sector",
        "retail",
        "travel",
    }
    snapshot = ResultSnapshot.objects.get(cohort=cohort_3, status="final")
    first, second = sorted((row for row in snapshot.data["finalists"] if row["judged"]), key=lambda row: row["rank"])[
        :2
    ]
    assert 0 < first["total"] - second["total"] <= 1.0  # a close race at the top
    assert ConflictDeclaration.objects.filter(cohort=cohort_3).count() == 1
    assert set(Scorecard.objects.filter(assignment__cohort=cohort_3).values_list("status", flat=True)) == {"submitted"}
    assert set(Scorecard.objects.filter(assignment__cohort=cohort_4).values_list("status", flat=True)) == {
        "submitted",
        "draft",
    }
    assert cohort_3.panel.count() == 5
    assert cohort_4.panel.count() == 3
    assert sorted(Authenticator.objects.filter(type="totp").values_list("user__email", flat=True)) == [
        "judge@pq-portal.test",
        "lead@pq-portal.test",
    ]
    output = capsys.readouterr().out
    assert "member@severn-water.test" in output
    assert "pq-demo-2026" in output


def _refused(response) -> bool:
    """Whether allauth refused the attempt for too many failures."""
    errors = response.context["form"].errors.as_data().get("__all__", [])
    return [error.code for error in errors] == ["too_many_login_attempts"]


def _failed_login(client, email, address):
    return client.post("/accounts/login/", {"login": email, "password": "wrong"}, HTTP_X_FORWARDED_FOR=address)


@pytest.mark.django_db
def test_failed_log_ins_for_one_account_are_rate_limited(client):
    UserFactory(email="victim@example.org")
    refused = [_refused(_failed_login(client, "victim@example.org", "")) for _ in range(6)]

    assert refused == [False, False, False, False, False, True]


@pytest.mark.django_db
def test_failed_log_ins_are_limited_per_real_client_address_behind_a_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    refused = [_refused(_failed_login(client, f"p{n}@example.org", "203.0.113.9")) for n in range(11)]
    other_address = _failed_login(client, "p99@example.org", "198.51.100.7")

    assert refused == [False] * 10 + [True]
    assert _refused(other_address) is False


@pytest.mark.django_db
def test_too_many_sign_ups_get_the_sites_own_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    statuses = [
        client.post("/accounts/signup/", {"email": f"s{n}@example.org", "full_name": "S"}).status_code for n in range(3)
    ]
    refused = client.post("/accounts/signup/", {"email": "s9@example.org"})

    assert statuses[:2] == [200, 200]
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.content
    assert b"/static/css/site.css" in refused.content


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/cohorts/organisation/", "/admin/organisations/organisation/"),
        ("/admin/cohorts/assignment/7/change/", "/admin/judging/assignment/7/change/"),
        ("/admin/cohorts/resultsnapshot/?cohort=3", "/admin/results/resultsnapshot/?cohort=3"),
        ("/admin/assessments/criterion/?pillar__exact=Q", "/admin/frameworks/criterion/?pillar__exact=Q"),
        ("/admin/assessments/scorecard/", "/admin/judging/scorecard/"),
    ],
)
def test_admin_pages_of_moved_models_redirect_permanently_to_their_new_app(client, old, new):
    response = client.get(old)

    assert (response.status_code, response["Location"]) == (301, new)
