import os
import shutil

import pytest
from django.core.cache import cache

from pq_portal.celery import app as celery_app
from tests.factories import make_judge, make_lead, make_member

STRICT = os.environ.get("PQ_NO_SKIP") == "1"


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_tasks(request, settings):
    """Each test starts with an empty cache (allauth's rate limits live
    there) and, unless it is an integration test, runs jobs in-process."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        cache.clear()
    if request.node.get_closest_marker("integration") is None:
        celery_app.conf.task_always_eager = True
    yield
    if uses_db:
        cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(request, settings):
    """Uploaded and generated files go to the test's own folder."""
    uses_db = request.node.get_closest_marker("django_db") or "db" in request.fixturenames
    if uses_db or "tmp_path" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lead(db):
    return make_lead(email="lead@example.org")


@pytest.fixture
def judge(db):
    return make_judge(email="judge@example.org")


@pytest.fixture
def member(db):
    return make_member(email="member@example.org")


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_sessionfinish(session, exitstatus):
    """In CI's strict passes (PQ_NO_SKIP=1) a skipped test is a failure."""
    if not STRICT:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"PQ_NO_SKIP=1: {len(skipped)} test(s) were skipped, which counts as a failure.", red=True)
        session.exitstatus = 1
