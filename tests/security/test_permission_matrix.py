"""Every page of the site, asked for by every kind of person, answers as the
table in tests/security/matrix.py says; every refused POST changes nothing.

The pages come from the URL resolver, so a page added without a row in the
table fails test_every_page_of_the_site_is_in_the_matrix by name."""

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import AuditEvent, OutboundEmail
from tests.security.matrix import CROSS_COHORT, EXCLUDED_NAMES, EXCLUDED_NAMESPACES, LOGIN, MFA, OK, PAGES, REFUSED
from tests.security.tally import CountingClient
from tests.security.world import (
    ANON,
    JUDGE_A,
    LEAD,
    LEAD_NO_MFA,
    MEMBER_A,
    NO_ROLE,
    ROLES,
    STAFF,
    SUPERUSER_NO_MFA,
    rolled_back,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

LOGIN_PATH = "/accounts/login/"
MFA_PATH = "/accounts/2fa/totp/activate/"


def site_patterns(patterns=None, namespace=""):
    """(name, route) of every URL pattern, walking included resolvers and
    namespaces; a pattern without a name is named by its route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from site_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {entry.pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), str(entry.pattern)


def pages_of_the_site() -> set[str]:
    return {
        name
        for name, _ in site_patterns()
        if name.split(":", 1)[0] not in EXCLUDED_NAMESPACES and name not in EXCLUDED_NAMES
    }


def test_every_page_of_the_site_is_in_the_matrix():
    missing = sorted(pages_of_the_site() - set(PAGES))
    assert not missing, (
        "These URLs have no row in tests/security/matrix.py PAGES; say who may GET (and POST) them: "
        + ", ".join(missing)
    )


def test_the_matrix_names_only_pages_that_exist():
    assert sorted(set(PAGES) - pages_of_the_site()) == []


def test_every_row_says_what_every_role_gets():
    for name, page in PAGES.items():
        for method, table in (("GET", page.get), ("POST", page.post)):
            if table is not None:
                assert set(table) == set(ROLES), f"{method} {name}"


def client_for(world, role):
    client = CountingClient("matrix")
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def outcome_of(response):
    """OK, LOGIN, MFA, or the status code."""
    if response.status_code in (301, 302, 303, 307, 308):
        path = urlsplit(response["Location"]).path
        if path == LOGIN_PATH:
            return LOGIN
        if path == MFA_PATH:
            return MFA
        return OK
    if 200 <= response.status_code < 300:
        return OK
    return response.status_code


def finish(response):
    """Read a download to its end, which closes its file (the test client
    closes it then without closing the database connection, as close() would)."""
    if response.streaming:
        b"".join(response.streaming_content)


def describe(response) -> str:
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


def url_of(world, name, role) -> str:
    page = PAGES[name]
    return reverse(name, kwargs=page.kwargs(world, role)) + page.query


@pytest.mark.parametrize("name", sorted(PAGES))
def test_get(world, name):
    page = PAGES[name]
    problems = []
    for role in ROLES:
        url = url_of(world, name, role)
        response = client_for(world, role).get(url)
        finish(response)
        if outcome_of(response) != page.get[role]:
            problems.append(f"GET {url} as {role}: expected {page.get[role]}, got {describe(response)}")
    assert not problems, "\n".join(problems)


def state(world, page):
    """What a refused POST must leave as it was: the page's own probe, the
    audit trail and the outbox."""
    return (page.probe(world), AuditEvent.objects.count(), OutboundEmail.objects.count())


@pytest.mark.parametrize("name", sorted(name for name, page in PAGES.items() if page.post is not None))
def test_post(world, name):
    page = PAGES[name]
    assert page.probe is not None, f"{name} changes something: give it a probe"
    problems = []
    for role in ROLES:
        expected = page.post[role]
        url = url_of(world, name, role)
        # Each POST starts from the world as built, and is undone afterwards.
        with rolled_back():
            if page.prepare:
                page.prepare(world)
            before = state(world, page)
            response = client_for(world, role).post(url, page.data(world) if page.data else {})
            finish(response)
            after = state(world, page)
        got = outcome_of(response)
        if expected == OK:
            if got != OK:
                problems.append(f"POST {url} as {role}: expected {OK}, got {describe(response)}")
            elif before[0] == after[0]:
                # The data posted is valid, so the refusals below are real.
                problems.append(f"POST {url} as {role} was allowed but changed nothing: {before[0]!r}")
            continue
        answered = got == OK if expected == REFUSED else got == expected
        if not answered:
            problems.append(f"POST {url} as {role}: expected {expected}, got {describe(response)}")
        if before != after:
            problems.append(f"POST {url} as {role} was refused but changed {before} into {after}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(CROSS_COHORT))
def test_an_object_of_another_cohort_is_not_found(world, name):
    url = reverse(name, kwargs=CROSS_COHORT[name](world))
    page = PAGES[name]
    client = client_for(world, LEAD)

    if page.get[LEAD] == OK:
        assert client.get(url).status_code == 404
    if page.post is not None:
        before = state(world, page)
        assert client.post(url, page.data(world) if page.data else {}).status_code == 404
        assert state(world, page) == before


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ANON, LOGIN),
        (MEMBER_A, 403),
        (JUDGE_A, 403),
        (NO_ROLE, 403),
        (LEAD_NO_MFA, MFA),
        (LEAD, OK),
        (SUPERUSER_NO_MFA, MFA),
        # Django's admin opens for staff, but shows a staff account with no role nothing (tests/accounts).
        (STAFF, OK),
    ],
)
def test_admin_is_for_leads_only(world, role, expected):
    """The Django admin (excluded from the matrix) at its front door, which
    sends visitors through its own log-in page to allauth's."""
    client = client_for(world, role)
    response = client.get("/admin/")
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        response = client.get(response["Location"])

    assert outcome_of(response) == expected


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_refusal_does_not_tell_whether_the_object_exists(world, name):
    """Whoever is refused an object is refused the same way when no such
    object exists: the ids in the address (organisations, enrolments,
    documents…) cannot be probed."""
    page = PAGES[name]
    problems = []
    # A's members know A's objects exist. Cohort numbers are public (certificates print them).
    for role in [role for role in ROLES if role != MEMBER_A and page.get[role] in (403, 404)]:
        kwargs = page.kwargs(world, role)
        for key in [key for key, value in kwargs.items() if isinstance(value, int) and key != "number"]:
            url = reverse(name, kwargs={**kwargs, key: 987654})
            response = client_for(world, role).get(url)
            finish(response)
            if response.status_code != page.get[role]:
                problems.append(f"GET {url} as {role}: {response.status_code}, but {page.get[role]} for a real {key}")
    assert not problems, "\n".join(problems)
