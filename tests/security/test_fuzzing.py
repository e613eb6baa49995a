"""Hostile input, with hypothesis, to every form of the site (as the person
who may use it), to every page's query string, as raw bodies with invalid
UTF-8, and to the pure scoring and chart functions.

What must hold for every request: no 500; redirects stay on the site; no
markup that was posted comes back unescaped (on the answer, on the page a
redirect leads to, and on the pages that show the stored value); and the
rows the person may not change (another organisation's, other judges'
scores, frozen results, site roles) are as they were.

The forms come from the permission matrix (tests/security/matrix.py): each
URL that takes a POST is fuzzed as the first person allowed to post it,
starting from the valid data the matrix posts, with some fields replaced
by hostile values, some left out, some sent twice and unexpected ones added.
Every example runs in a savepoint, so each starts from the same world."""

import math
import os
import warnings
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import RoleGrant
from assessments import charts as assessment_charts
from assessments.models import EvidenceFile, Response
from cohorts.models import Enrolment
from core.errors import ServiceError
from documents.models import Certificate
from judging.models import Scorecard, ScoreEntry
from organisations.models import Membership, Organisation
from results import charts, scoring
from results.models import ResultSnapshot
from tests.security.matrix import OK, PAGES, REFUSED
from tests.security.tally import CountingClient
from tests.security.world import ANON, FINAL, JUDGE_A, JUDGING, LEAD, MEMBER_A, ROLES, SA, SHORTLISTING, rolled_back

pytestmark = pytest.mark.slow

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Sized to keep the suite near a minute on two cores; PQ_FUZZ_SCALE=10 (say) digs deeper.
SCALE = int(os.environ.get("PQ_FUZZ_SCALE", "1"))
FORM_EXAMPLES = 3 * SCALE  # per form with fields
ACTION_EXAMPLES = 2 * SCALE  # per button (a POST with no fields of its own)
QUERY_EXAMPLES = 1 * SCALE  # per page, its query string
RAW_EXAMPLES = 25 * SCALE

# Hostile values ---------------------------------------------------------------------------

# Markup that must never come back as markup. Each has a distinctive name so
# that the site's own markup can never be mistaken for it.
MARKUP = (
    "<script>pqfuzz(1)</script>",
    '"><img src=x onerror=pqfuzz(2)>',
    "<svg onload=pqfuzz(3)>",
    "javascript:pqfuzz(4)//",
    "</textarea><b>pqfuzz5</b>",
)
UNESCAPED = (
    "<script>pqfuzz",
    "<img src=x onerror=pqfuzz",
    "<svg onload=pqfuzz",
    'href="javascript:pqfuzz',
    "<b>pqfuzz5",
)

HOSTILE = (
    *MARKUP,
    "'; DROP TABLE cohorts_organisation; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(0)",
    "%00",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\nSet-Cookie: pq=1",
    "{{ request }}",
    "{% debug %}",
    "${7*7}",
    "../../../../etc/passwd",
    "\u202egnp.exe",
    "\ufeff",
    "Ω≈ç√∫˜µ≤≥÷",
    "𝕿𝖍𝖊 𝖖𝖚𝖎𝖈𝖐",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "-0",
    "0",
    "-1",
    "1e309",
    "1e-400",
    "9" * 40,
    "-" + "9" * 40,
    "1_000",
    "0x1F",
    "²",
    "①",
    "٣",
    "１２",
    " 7 ",
    "7.5",
    "10.0",
    "",
    " ",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "2027-02-30",
    "9999-12-31",
    "0000-00-00",
    "-2027-01-01",
)

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
long_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["A", "<script>pqfuzz(1)</script>", "é", "\x00", "'", "💥"]),
    st.integers(min_value=500, max_value=20_000),
)
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
scalar = st.one_of(st.sampled_from(HOSTILE), text, numbers, long_text)
upload = st.tuples(
    st.sampled_from(["evidence.pdf", "x.png", "<script>pqfuzz(1)</script>.csv", "..\\..\\a.docx", "\x00.png", ""]),
    st.one_of(st.binary(max_size=2000), st.sampled_from([b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b"\xff\xfe\x00<"])),
).map(lambda pair: ("file", *pair))
value = st.one_of(
    scalar,
    scalar,
    scalar,
    st.lists(scalar, min_size=2, max_size=3),  # a field sent more than once
    upload,  # a file where text was expected
)
OMIT = object()
# Fields some views read beside their forms: where to go next, which page, which criterion…
EXTRA_KEYS = ("next", "page", "back", "force", "code", "field", "again", "show", "reason", "confirm_missing")


def as_payload(raw):
    """Turn drawn values into what the test client posts (fresh files each time)."""
    if isinstance(raw, tuple) and raw and raw[0] == "file":
        return SimpleUploadedFile(raw[1] or "upload", raw[2])
    if isinstance(raw, list):
        return [as_payload(item) for item in raw]
    return raw


@st.composite
def hostile_form(draw, base: dict):
    """The valid data with some fields replaced, left out or doubled, and
    unexpected ones added."""
    data = {}
    for key, original in base.items():
        choice = draw(st.sampled_from(["keep", "keep", "hostile", "hostile", "omit"]))
        if choice == "keep":
            data[key] = original
        elif choice == "hostile":
            data[key] = draw(value)
    keys = st.sampled_from(EXTRA_KEYS) | st.text(min_size=1, max_size=30)
    extra = draw(st.dictionaries(keys.filter(lambda k: k not in base), value, max_size=3))
    return {**data, **extra}


# What must hold ---------------------------------------------------------------------------


def unescaped_markup(html: str) -> list[str]:
    lowered = html.lower()
    return [marker for marker in UNESCAPED if marker.lower() in lowered]


def content_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def request(client, method: str, url: str, **kwargs):
    """The answer, or an AssertionError naming the 500 (the test client
    raises what the view raised)."""
    try:
        response = getattr(client, method)(url, **kwargs)
    except Exception as error:  # any exception is a 500 to report
        raise AssertionError(f"{method.upper()} {url} raised {type(error).__name__}: {error}") from error
    assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        parts = urlsplit(location)
        assert not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//"), (
            f"{method.upper()} {url} redirects off the site: {location!r}"
        )
    return response


def check_page(client, method, url, **kwargs):
    response = request(client, method, url, **kwargs)
    if response.get("Content-Type", "").startswith(("text/html", "image/svg")):
        found = unescaped_markup(content_of(response))
        assert not found, f"{method.upper()} {url} shows {found} unescaped"
    else:
        content_of(response)  # read a download to its end, which closes it
    return response


def protected(world) -> dict[str, object]:
    """What no form of A's, of judge_a's or of the lead's about A may change."""
    b = world.organisations["B"]
    return {
        "B": (
            Organisation.objects.filter(pk=b.pk).values().get(),
            list(Membership.objects.filter(organisation=b).order_by("pk").values_list("user_id", "role", "ended_at")),
            list(
                Response.objects.filter(assessment__enrolment__organisation=b)
                .order_by("pk")
                .values_list("level", "narrative", "version")
            ),
            list(Enrolment.objects.filter(organisation=b).order_by("pk").values_list("status", "extension_until")),
            list(EvidenceFile.objects.filter(response__assessment__enrolment__organisation=b).values_list("pk")),
        ),
        "scores": (
            list(
                ScoreEntry.objects.filter(scorecard__assignment__judge=world.user("judge_other"))
                .order_by("pk")
                .values_list("score", "comment")
            ),
            list(
                Scorecard.objects.filter(assignment__judge=world.user("judge_other"))
                .order_by("pk")
                .values_list("status", "strengths", "improvements")
            ),
        ),
        "results": (
            list(ResultSnapshot.objects.order_by("pk").values_list("status", "data")),
            list(Certificate.objects.order_by("pk").values_list("serial", "status", "organisation_name")),
        ),
        "roles": list(RoleGrant.objects.order_by("pk").values_list("user_id", "role", "revoked_at")),
    }


# What a form may change of the protected rows, when that is its job.
MAY_CHANGE = {
    "judging:shortlist_unselect": {"B"},
    "judging:shortlist_top": {"B"},
    "results:finalise": {"B", "results"},
    "results:reopen": {"B", "results"},
    "judging:scorecard_unlock": {"scores"},
    "documents:issue_certificate": {"results"},
    "documents:reissue_certificate": {"results"},
    "documents:revoke_certificate": {"results"},
    "accounts:revoke_role": {"roles"},
    "accounts:invitation_accept": {"roles"},
}


def check_protected(world, name, before):
    after = protected(world)
    changed = {key for key in before if before[key] != after[key]} - MAY_CHANGE.get(name, set())
    assert not changed, f"POST {name} changed {sorted(changed)}"


# Where a posted value is shown afterwards: (who looks, which page).
def _page(name, **kwargs) -> Callable:
    return lambda w: reverse(name, kwargs={k: v(w) if callable(v) else v for k, v in kwargs.items()})


ORG_A = _page("organisations:organisation_detail", pk=lambda w: w.organisations["A"].pk)
COHORT_SA = _page("cohorts:cohort_detail", number=lambda w: w.number(SA))
TIMELINE_SA = _page("cohorts:timeline_edit", number=lambda w: w.number(SA))
CRITERION_Q1 = _page("assessments:criterion", pk=lambda w: w.assessment(SA).pk, code="Q1")
PRINT_SA = _page("assessments:print", pk=lambda w: w.assessment(SA).pk)
SCORECARD = _page("judging:scorecard", assignment_pk=lambda w: w.assignment(JUDGE_A).pk)
UNLOCK_A = _page("judging:scorecard_unlock", assignment_pk=lambda w: w.assignment(JUDGE_A).pk)
FRAMEWORK = _page("frameworks:framework_detail", version=lambda w: w.extra["framework"].version)
DOCUMENTS = _page("documents:cohort_documents", number=lambda w: w.number(FINAL))
VERIFY = _page("documents:verify_code", code=lambda w: w.extra["certificate"].code)
PANEL = _page("judging:panel", number=lambda w: w.number(JUDGING))

SHOWN_ON = {
    "organisations:organisation_edit": [(MEMBER_A, ORG_A), (LEAD, lambda w: "/organisations/")],
    "organisations:organisation_create": [(LEAD, lambda w: "/organisations/")],
    "portal:organisation_erase": [(LEAD, ORG_A)],
    "organisations:member_invite": [(MEMBER_A, ORG_A)],
    "cohorts:cohort_edit": [(LEAD, COHORT_SA), (MEMBER_A, lambda w: "/organisation/")],
    "cohorts:cohort_create": [(LEAD, lambda w: "/cohorts/")],
    "cohorts:timeline_edit": [(LEAD, TIMELINE_SA), (MEMBER_A, lambda w: "/organisation/")],
    "cohorts:milestone_edit": [(LEAD, TIMELINE_SA), (MEMBER_A, lambda w: "/organisation/")],
    "cohorts:phase_move": [(LEAD, COHORT_SA)],
    "cohorts:enrolment_withdraw": [
        (LEAD, _page("cohorts:enrolment_detail", number=lambda w: w.number(SA), pk=lambda w: w.enrolment(SA).pk))
    ],
    "accounts:invite": [(LEAD, lambda w: "/people/")],
    "accounts:invitation_accept": [(LEAD, lambda w: "/people/")],
    "cohorts:apply": [(LEAD, lambda w: "/applications/")],
    "cohorts:application_decline": [
        (LEAD, _page("cohorts:application_detail", pk=lambda w: w.extra["application"].pk))
    ],
    "judging:panel_remove": [(LEAD, PANEL)],
    "judging:panel_invite": [(LEAD, PANEL)],
    "judging:conflicts": [
        (JUDGE_A, _page("judging:conflicts", number=lambda w: w.number(JUDGING))),
        (LEAD, _page("judging:dashboard", number=lambda w: w.number(JUDGING))),
    ],
    "results:reopen": [(LEAD, _page("results:cohort", number=lambda w: w.number(FINAL)))],
    "assessments:criterion": [(MEMBER_A, CRITERION_Q1), (LEAD, PRINT_SA)],
    "assessments:autosave": [(MEMBER_A, CRITERION_Q1), (LEAD, PRINT_SA)],
    "assessments:evidence_upload": [
        (MEMBER_A, _page("assessments:criterion", pk=lambda w: w.assessment(SA).pk, code="Q2"))
    ],
    "assessments:reopen": [(LEAD, _page("assessments:review", pk=lambda w: w.assessment(SHORTLISTING).pk))],
    "judging:scorecard": [(JUDGE_A, SCORECARD), (LEAD, UNLOCK_A)],
    "judging:scorecard_autosave": [(JUDGE_A, SCORECARD), (LEAD, UNLOCK_A)],
    "judging:scorecard_unlock": [
        (LEAD, _page("judging:scorecard_unlock", assignment_pk=lambda w: w.assignment("judge_other").pk))
    ],
    "frameworks:framework_edit": [(LEAD, FRAMEWORK), (LEAD, lambda w: "/frameworks/")],
    "frameworks:criterion_create": [(LEAD, FRAMEWORK)],
    "frameworks:criterion_edit": [(LEAD, FRAMEWORK)],
    "frameworks:kpi_create": [(LEAD, FRAMEWORK)],
    "frameworks:kpi_edit": [(LEAD, FRAMEWORK)],
    "documents:reissue_certificate": [(LEAD, DOCUMENTS), (ANON, VERIFY)],
    "documents:revoke_certificate": [(LEAD, DOCUMENTS), (ANON, VERIFY)],
    "judging:shortlist_top": [(LEAD, _page("judging:shortlist", number=lambda w: w.number(SHORTLISTING)))],
    "judging:assignment_add": [(LEAD, _page("judging:assignments", number=lambda w: w.number(JUDGING)))],
    "organisations:organisation_import": [(LEAD, lambda w: "/organisations/import/")],
}


def poster(page) -> str:
    """The first person allowed to post (or, where nobody is, answered without a change)."""
    return next((role for role in ROLES if page.post[role] == OK), None) or next(
        role for role in ROLES if page.post[role] == REFUSED
    )


FORMS = sorted(name for name, page in PAGES.items() if page.post is not None and page.data is not None)
ACTIONS = sorted(name for name, page in PAGES.items() if page.post is not None and page.data is None)


class Clients(dict):
    """A signed-in client per person, made when first needed. Ask for them
    before an example's savepoint, so that their sessions outlive it."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, role):
        client = CountingClient("fuzz")
        if self.world.user(role) is not None:
            client.force_login(self.world.user(role))
        self[role] = client
        return client


@pytest.fixture
def clients(world):
    return Clients(world)


def fuzz_post(world, clients, name, data):
    page = PAGES[name]
    role = poster(page)
    client = clients[role]
    viewers = {viewer: clients[viewer] for viewer, _ in SHOWN_ON.get(name, ())}
    with rolled_back():
        if page.prepare:
            page.prepare(world)
        before = protected(world)
        url = reverse(name, kwargs=page.kwargs(world, role)) + page.query
        response = check_page(client, "post", url, data={k: as_payload(v) for k, v in data.items()})
        if response.status_code in (301, 302, 303):
            # Stored, most likely: where the redirect leads and where the value is shown.
            check_page(client, "get", response["Location"])
            for viewer, shown in SHOWN_ON.get(name, ()):
                check_page(viewers[viewer], "get", shown(world))
        check_protected(world, name, before)


# Values every form field and query parameter gets, besides the random ones: markup with
# a NUL byte and SQL (PostgreSQL refuses NUL in text), digits that str.isdigit() accepts
# and int() does not, a number too large for any column, and numbers that are not.
NASTY = "<script>pqfuzz(1)</script>\x00'; DROP TABLE cohorts_cohort; --"
NASTY_NUMBERS = ("²", "9" * 30, "NaN", "-1")


def rotated(keys, values, shift: int) -> dict:
    """Each key a different one of `values` (shifted), so that a few requests try them all."""
    return {key: values[(position + shift) % len(values)] for position, key in enumerate(keys)}


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
def test_each_field_with_nasty_values(world, clients, name):
    base = {k: v for k, v in PAGES[name].data(world).items() if not hasattr(v, "read")}
    for field in base:  # one at a time, so that the others' valid values take it to the service
        fuzz_post(world, clients, name, {**PAGES[name].data(world), field: NASTY})
    for shift in (0, 2):  # then every field a number, each a different one
        fuzz_post(world, clients, name, {**PAGES[name].data(world), **rotated(base, NASTY_NUMBERS, shift)})


@pytest.mark.django_db
@settings(FUZZ, max_examples=FORM_EXAMPLES * len(FORMS))
@given(name=st.sampled_from(FORMS), data=st.data())
def test_hostile_form_input(world, clients, name, data):
    base = PAGES[name].data(world)
    fields = data.draw(hostile_form({k: v for k, v in base.items() if not hasattr(v, "read")}), label="fields")
    files = {k: v for k, v in base.items() if hasattr(v, "read")}
    for key in files:  # a file field: the real file, a hostile one, or none
        choice = data.draw(st.sampled_from(["keep", "hostile", "omit"]), label=f"{key} file")
        if choice == "keep":
            fields[key] = files[key]
        elif choice == "hostile":
            fields[key] = data.draw(upload, label=key)
    fuzz_post(world, clients, name, fields)


@pytest.mark.django_db
@settings(FUZZ, max_examples=ACTION_EXAMPLES * len(ACTIONS))
@given(name=st.sampled_from(ACTIONS), data=st.data())
def test_hostile_extra_fields_on_buttons(world, clients, name, data):
    extra = data.draw(st.dictionaries(st.sampled_from(EXTRA_KEYS) | text, value, max_size=3))
    fuzz_post(world, clients, name, extra)


# Query strings of every page ----------------------------------------------------------------

QUERY_KEYS = (
    *("page", "q", "status", "sector", "sort", "snapshot", "cohort", "show", "role", "errors", "next", "pillar"),
    *("kind", "person", "date_from", "date_to"),
)
GET_PAGES = sorted(
    (name, role)
    for name, page in PAGES.items()
    for role in [next((r for r in ROLES if page.get[r] == OK), None)]
    if role is not None
)


@pytest.mark.django_db
def test_every_query_parameter_of_every_page_with_nasty_values(world, clients):
    values = (NASTY, "²", "9" * 30)
    for name, role in GET_PAGES:
        url = reverse(name, kwargs=PAGES[name].kwargs(world, role))
        client = clients[role]
        for shift in range(len(values)):
            with rolled_back():
                check_page(client, "get", url, data=rotated(QUERY_KEYS, values, shift))


@pytest.mark.django_db
@settings(FUZZ, max_examples=QUERY_EXAMPLES * len(GET_PAGES))
@given(
    target=st.sampled_from(GET_PAGES),
    query=st.dictionaries(st.sampled_from(QUERY_KEYS) | text, scalar | st.lists(scalar, max_size=3), max_size=4),
)
def test_hostile_query_strings(world, clients, target, query):
    name, role = target
    page = PAGES[name]
    url = reverse(name, kwargs=page.kwargs(world, role))
    client = clients[role]
    with rolled_back():
        check_page(client, "get", url, data=query)


# NUL characters, which PostgreSQL refuses even in a lookup -----------------------------------


@pytest.mark.django_db
def test_nul_in_addresses_queries_and_cookies_is_a_bad_request(world, clients):
    """Every page whose address takes text (a criterion's code, a token, a
    certificate's serial or code, a chart's name) with a NUL in it; a NUL in
    a query string; a NUL in a cookie."""
    seen = 0
    for name, page in PAGES.items():
        role = next((r for r in ROLES if page.get[r] == OK), None) or poster(page)
        kwargs = page.kwargs(world, role)
        texts = [key for key, value in kwargs.items() if isinstance(value, str)]
        for key in texts:
            url = reverse(name, kwargs={**kwargs, key: "\x00" + kwargs[key]})
            with rolled_back():
                for method in ("get", "post"):
                    assert request(clients[role], method, url).status_code == 400, f"{method} {url}"
            seen += 1
    query = request(clients[LEAD], "get", "/cohorts/", data={"q": "a\x00b"})
    client = CountingClient("fuzz")
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    cookie = request(client, "get", "/")

    assert seen >= 8
    assert (query.status_code, cookie.status_code) == (400, 400)


# Raw bodies: invalid UTF-8, broken multipart --------------------------------------------------

RAW_TARGETS = [
    (MEMBER_A, "organisations:organisation_edit"),
    (MEMBER_A, "assessments:criterion"),
    (MEMBER_A, "assessments:autosave"),
    (MEMBER_A, "assessments:evidence_upload"),
    (JUDGE_A, "judging:scorecard_autosave"),
    (LEAD, "organisations:organisation_import"),
    (LEAD, "cohorts:cohort_edit"),
    (LEAD, "documents:revoke_certificate"),
    (ANON, "accounts:invitation_accept"),
]
BOUNDARY = b"pqFuzzBoundary"


def multipart(parts: list[tuple[bytes, bytes | None, bytes]]) -> bytes:
    """A multipart body from (field name, file name or None, content), all raw bytes."""
    body = b""
    for name, filename, content in parts:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        body += b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disposition + b"\r\n"
        if filename is not None:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + content + b"\r\n"
    return body + b"--" + BOUNDARY + b"--\r\n"


raw_bytes = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"caf\xe9", b"\x00", b"<script>pqfuzz(1)</script>\xff"]
    ),
)


@pytest.mark.django_db
@settings(FUZZ, max_examples=RAW_EXAMPLES)
@given(
    target=st.sampled_from(RAW_TARGETS),
    kind=st.sampled_from(["multipart", "urlencoded", "truncated", "wrong boundary"]),
    parts=st.lists(
        st.tuples(
            raw_bytes.filter(lambda b: b'"' not in b and b"\r" not in b and b"\n" not in b),
            st.none() | raw_bytes.filter(lambda b: b'"' not in b and b"\r" not in b and b"\n" not in b),
            raw_bytes,
        ),
        max_size=4,
    ),
)
def test_invalid_utf8_and_broken_bodies(world, clients, target, kind, parts):
    role, name = target
    page = PAGES[name]
    base = [
        (key.encode(), None, str(v).encode())
        for key, v in (page.data(world) if page.data else {}).items()
        if not hasattr(v, "read")
    ]
    url = reverse(name, kwargs=page.kwargs(world, role))
    client = clients[role]
    with rolled_back():
        before = protected(world)
        if kind == "urlencoded":
            body = b"&".join(
                key.replace(b"&", b"%26") + b"=" + b"".join(b"%%%02X" % byte for byte in content)
                for key, _, content in base + [(p[0], None, p[2]) for p in parts]
            )
            check_page(client, "post", url, data=body, content_type="application/x-www-form-urlencoded")
        else:
            body = multipart(base + parts)
            boundary = BOUNDARY.decode()
            if kind == "truncated":
                body = body[: len(body) // 2]
            if kind == "wrong boundary":
                boundary = "notTheBoundary"
            check_page(client, "post", url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
        check_protected(world, name, before)


# The pure scoring functions with hostile numbers ------------------------------------------------

hostile_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 10.0, 10.000000001, -1e-300, 1e308, 2**63]),
)
CRITERIA = [
    scoring.CriterionInfo("Q1", "Q", 1.5),
    scoring.CriterionInfo("Q2", "Q", 1.0),
    scoring.CriterionInfo("P1", "P", 1.0),
    scoring.CriterionInfo("P6", "P", 2.0),
]


def sane(number) -> bool:
    return isinstance(number, float | int | Decimal) and math.isfinite(number)


def rejects_or(function, check):
    """Either a clear refusal (ValueError or ServiceError) or a result that passes `check`."""
    try:
        result = function()
    except (ValueError, ServiceError):
        return
    assert check(result), f"returned {result!r}"


@settings(FUZZ, max_examples=100)
@given(level=st.one_of(hostile_number, st.booleans(), st.sampled_from([1, 2, 3, 4, 5, 2.5, "3", None])))
def test_level_to_score_with_hostile_levels(level):
    def check(score):
        return level in (1, 2, 3, 4, 5) and score == (level - 1) * 2.5 and not isinstance(level, bool)

    rejects_or(lambda: scoring.level_to_score(level), check)


@settings(FUZZ, max_examples=150)
@given(
    scores=st.dictionaries(st.sampled_from(["Q1", "Q2", "P1"]), hostile_number, min_size=3),
    weights=st.dictionaries(st.sampled_from(["Q1", "Q2", "P1"]), hostile_number, min_size=1),
)
def test_weighted_total_with_hostile_scores_and_weights(scores, weights):
    def check(total):
        return sane(total) and 0 <= total <= 100

    rejects_or(lambda: scoring.weighted_total(scores, weights), check)


@settings(FUZZ, max_examples=150)
@given(value=hostile_number, places=st.integers(min_value=0, max_value=4))
def test_round_half_up_with_hostile_numbers(value, places):
    def check(rounded):
        exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        return rounded.is_finite() and abs(rounded - exact) <= Decimal(1).scaleb(-places)

    rejects_or(lambda: scoring.round_half_up(value, places), check)


@settings(FUZZ, max_examples=100)
@given(total=hostile_number, passing=hostile_number, distinction=hostile_number)
def test_level_with_hostile_totals_and_thresholds(total, passing, distinction):
    rejects_or(
        lambda: scoring.level(total, pass_threshold=passing, distinction_threshold=distinction),
        lambda level: sane(total) and sane(passing) and sane(distinction),
    )


@settings(FUZZ, max_examples=100)
@given(results=st.dictionaries(st.sampled_from("ABCDE"), st.tuples(hostile_number, hostile_number), max_size=5))
def test_rank_with_hostile_totals(results):
    def check(ranks):
        return set(ranks) == set(results) and all(sane(t) and sane(q) for t, q in results.values())

    rejects_or(lambda: scoring.rank(results), check)


@settings(FUZZ, max_examples=100)
@given(
    cards=st.dictionaries(
        st.tuples(st.sampled_from(["J1", "J2", "J3"]), st.sampled_from(["A", "B", "C"])),
        st.fixed_dictionaries({c.code: st.one_of(st.integers(0, 10), hostile_number) for c in CRITERIA}),
        max_size=6,
    ),
    normalise=st.booleans(),
    weights=st.lists(st.one_of(st.just(1.0), hostile_number), min_size=4, max_size=4),
    thresholds=st.tuples(st.one_of(st.just(60.0), hostile_number), st.one_of(st.just(75.0), hostile_number)),
)
def test_compute_results_with_hostile_scores(cards, normalise, weights, thresholds):
    criteria = [scoring.CriterionInfo(c.code, c.pillar, w) for c, w in zip(CRITERIA, weights, strict=True)]

    def check(results):
        for result in results.finalists.values():
            if result.judged:
                assert all(sane(v) and 0 <= v <= 100 for v in (result.total, result.p_total, result.q_total))
                assert all(sane(m) and 0 <= m <= 10 for m in result.means.values())
        return all(sane(s) and 0 <= s <= 10 for card in cards.values() for s in card.values())

    rejects_or(
        lambda: scoring.compute_results(
            criteria=criteria,
            finalists=["A", "B", "C"],
            scorecards=cards,
            normalise_scores=normalise,
            pass_threshold=thresholds[0],
            distinction_threshold=thresholds[1],
        ),
        check,
    )


@settings(FUZZ, max_examples=100)
@given(
    judged=st.dictionaries(st.sampled_from(["Q1", "P1"]), hostile_number),
    levels=st.dictionaries(st.sampled_from(["Q1", "P1"]), st.one_of(st.integers(-3, 8), hostile_number)),
)
def test_calibration_gaps_with_hostile_values(judged, levels):
    rejects_or(
        lambda: scoring.calibration_gaps(judged, levels),
        lambda gaps: all(sane(gap) and -10 <= gap <= 10 for gap in gaps.values()),
    )


# Charts: labels are organisations' and criteria's names ------------------------------------------

label = st.one_of(
    st.sampled_from(
        [*MARKUP, "$x^$", "$$", r"\frac{1}{0}", "$\\undefined$", "Cost ($) and income ($)", "50% & <more>", "\x00"]
    ),
    text,
)


@settings(FUZZ, max_examples=6)
@given(labels=st.lists(label, min_size=1, max_size=4), data=st.data())
def test_charts_draw_hostile_labels_as_text(labels, data):
    levels = data.draw(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=len(labels), max_size=len(labels)))
    values = data.draw(st.lists(st.floats(-10, 10), min_size=len(labels), max_size=len(labels)))
    with warnings.catch_warnings():
        # A character the font lacks is drawn as a box, with a warning: not a failure.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        svgs = [
            assessment_charts.maturity_profile(labels, levels, title=labels[0]),
            charts.calibration_gaps_chart(labels, values, title=labels[0]),
            charts.scores_against_median_chart(labels, [abs(v) for v in values], [abs(v) / 2 for v in values]),
        ]
    for svg in svgs:
        assert not unescaped_markup(svg)
