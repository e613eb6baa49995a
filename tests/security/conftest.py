import pytest
from django.test import override_settings

from tests.security.tally import REQUESTS
from tests.security.world import build_world, rolled_back


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The programme of tests/security/world.py, built once per module inside
    a transaction that is rolled back when the module is done. Each test runs
    in a savepoint within it (pytest-django's `db`), as Django's
    TestCase.setUpTestData does, so what one test changes the next does not see."""
    media = tmp_path_factory.mktemp("security-media")
    with django_db_blocker.unblock(), rolled_back(), override_settings(MEDIA_ROOT=str(media)):
        world = build_world(media)
        world.media = media
        yield world


@pytest.fixture(autouse=True)
def _world_media(request, settings):
    """The world's files live in its own folder for the whole module (this
    runs after tests/conftest.py's autouse fixtures, which may point
    MEDIA_ROOT at each test's tmp_path)."""
    if "world" in request.fixturenames:
        settings.MEDIA_ROOT = str(request.getfixturevalue("world").media)


def pytest_terminal_summary(terminalreporter):
    if REQUESTS:
        counts = ", ".join(f"{kind} {count:,}" for kind, count in sorted(REQUESTS.items()))
        terminalreporter.write_sep("-", f"security suite: {sum(REQUESTS.values()):,} requests ({counts})")
