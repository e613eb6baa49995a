import os
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from pq_portal.celery import app as celery_app
from tests.factories import make_judge, make_lead, make_member

STRICT = os.environ.get("PQ_NO_SKIP") == "1"
# Browser tests run on Debian's Chromium, which `make test` installs
# (scripts/system-packages --test). Leaving them out is a choice one makes
# with PQ_SKIP_BROWSER=1, never what happens because Chromium is missing.
SKIP_BROWSER = os.environ.get("PQ_SKIP_BROWSER") == "1"
CHROMIUM = os.environ.get("PQ_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = pytest.StashKey[list]()
CHECKED_CHROMIUM = pytest.StashKey[bool]()
BROWSER_TESTS = ROOT / "tests" / "browser"


def pytest_configure(config):
    # Celery takes CELERY_BROKER_URL from the environment before Django's
    # settings, which give each xdist worker a Redis database of its own
    # (pq_portal/settings.py): the settings, read by now, must win.
    # Only where tests run: xdist's controller keeps the variable, so that the
    # workers it starts read it for their settings (each moving it to its own
    # database) before they drop it in turn.
    if os.environ.get("PYTEST_XDIST_WORKER") or not getattr(config.option, "numprocesses", None):
        django_settings.CELERY_BROKER_URL  # noqa: B018 - loads the settings, if pytest-django has not
        os.environ.pop("CELERY_BROKER_URL", None)
    if SKIP_BROWSER and STRICT:
        raise pytest.UsageError(
            "PQ_SKIP_BROWSER=1 leaves the browser tests out, but PQ_NO_SKIP=1 (CI) allows no test to be left out: "
            "unset one of them."
        )


def _is_browser_test(item) -> bool:
    return item.get_closest_marker("browser") is not None or "browser" in getattr(item, "fixturenames", ())


@pytest.hookimpl(tryfirst=True, specname="pytest_collection_modifyitems")
def mark_browser_tests(items):
    """Every test under tests/browser/ (and any other that asks for the
    browser) is marked `browser`, before `-m` chooses: `-m "not browser"`
    needs no Chromium."""
    for item in items:
        if Path(str(item.path)).is_relative_to(BROWSER_TESTS) or "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """After `-m` and `-k` have chosen: the browser tests that will run need Chromium."""
    browser_tests = [item for item in items if _is_browser_test(item)]
    if not browser_tests:
        return
    if SKIP_BROWSER:
        skip = pytest.mark.skip(reason="PQ_SKIP_BROWSER=1: browser tests left out on request")
        for item in browser_tests:
            item.add_marker(skip)
        config.stash[LEFT_OUT] = browser_tests
    elif not os.path.exists(CHROMIUM) and not hasattr(config, "workerinput"):
        raise pytest.UsageError(chromium_missing(len(browser_tests)))


def chromium_missing(count: int) -> str:
    return (
        f"{count} browser test(s) need Debian's Chromium at {CHROMIUM}, which is not installed.\n"
        "Install it with `scripts/system-packages --test` (what `make test` runs first; "
        "as root: `apt-get install chromium`),\n"
        "or leave the browser tests out on purpose with PQ_SKIP_BROWSER=1."
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """Under pytest-xdist the workers collect, and an error raised there
    reaches nobody: the first worker's list is checked here instead."""
    if SKIP_BROWSER or os.path.exists(CHROMIUM) or node.config.stash.get(CHECKED_CHROMIUM, False):
        return
    node.config.stash[CHECKED_CHROMIUM] = True
    count = sum(1 for test in ids if test.startswith("tests/browser/"))
    if count:
        pytest.exit(chromium_missing(count), returncode=pytest.ExitCode.USAGE_ERROR)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    left_out = config.stash.get(LEFT_OUT, [])
    if not left_out:
        return
    files = Counter(str(Path(str(item.path)).relative_to(ROOT)) for item in left_out)
    terminalreporter.section("browser tests left out (PQ_SKIP_BROWSER=1)", yellow=True)
    for path, count in sorted(files.items()):
        terminalreporter.write_line(f"{path}: {count} test(s) not run")
    terminalreporter.write_line(
        f"{len(left_out)} browser test(s) in {len(files)} file(s) did not run. "
        "Unset PQ_SKIP_BROWSER to run them (`make test` installs Chromium)."
    )


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


def pytest_sessionfinish(session, exitstatus):
    """In CI's strict passes (PQ_NO_SKIP=1) a skipped test is a failure."""
    if not STRICT:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"PQ_NO_SKIP=1: {len(skipped)} test(s) were skipped, which counts as a failure.", red=True)
        session.exitstatus = 1
