"""In-site notifications, the unread badge and e-mail preferences."""

from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import email_kinds
from core.models import EmailOptOut, Notification, OutboundEmail
from core.notifications import send_rendered_email, send_templated_email
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db

RECEIPT_CONTEXT = {
    "organisation": {"name": "Severn & Wye Water"},
    "cohort": {"number": 4, "name": "Utilities"},
    "submitted_by": None,
    "submitted_at": None,
    "url": "http://127.0.0.1:8000/assessments/7/",
}
SHORTLIST_CONTEXT = {
    "organisation": {"name": "Severn & Wye Water"},
    "cohort": {"number": 4, "name": "Utilities", "time_zone": "Europe/London", "judges_per_finalist": 3},
    "finalist_count": 3,
    "dashboard_url": "http://127.0.0.1:8000/organisation/",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notify(user, title="Something happened", *, link="/organisation/", read=False) -> Notification:
    return Notification.objects.create(
        user=user, title=title, link=link, template="shortlist_finalist", read_at=timezone.now() if read else None
    )


# The e-mail core leaves a notification ----------------------------------------


def test_an_email_to_a_user_leaves_a_notification_with_its_subject_and_link(django_capture_on_commit_callbacks):
    member = make_member(email="amy@severn.example")

    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(
            to=["AMY@severn.example", "stranger@example.org"], template="assessment_submitted", context=RECEIPT_CONTEXT
        )

    [notification] = Notification.objects.all()
    assert (notification.user, notification.link, notification.read_at) == (member, "/assessments/7/", None)
    assert notification.title == "Receipt: Severn & Wye Water's self-assessment for cohort 4 is submitted"
    assert sorted(m.to[0] for m in mail.outbox) == ["AMY@severn.example", "stranger@example.org"]
    # The subject carries the portal's prefix once, and no HTML escaping.
    assert {m.subject for m in mail.outbox} == {
        "[P&Q portal] Receipt: Severn & Wye Water's self-assessment for cohort 4 is submitted"
    }


def test_a_rolled_back_change_leaves_no_notification_and_no_email(django_capture_on_commit_callbacks):
    make_member(email="amy@severn.example")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send_templated_email(to="amy@severn.example", template="assessment_submitted", context=RECEIPT_CONTEXT)
        raise RuntimeError("the change failed")

    assert (Notification.objects.count(), OutboundEmail.objects.count(), mail.outbox) == (0, 0, [])


def test_account_emails_leave_a_notification_without_their_secret_link(django_capture_on_commit_callbacks):
    user = UserFactory(email="pat@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        send_rendered_email(
            to=user.email,
            template="password_reset_key",
            subject="[P&Q portal] Password Reset Email",
            text="Reset it here: http://127.0.0.1:8000/accounts/password/reset/key/secret/",
        )

    [notification] = Notification.objects.all()
    assert (notification.title, notification.link) == ("Password Reset Email", "")
    assert [m.subject for m in mail.outbox] == ["[P&Q portal] Password Reset Email"]


def test_invitations_never_link_their_token_from_a_notification(django_capture_on_commit_callbacks):
    UserFactory(email="jo@judges.example")
    context = {
        "role_phrase": "a judge",
        "organisation": None,
        "inviter": None,
        "accept_url": "http://127.0.0.1:8000/invitations/secret-token/",
        "expires_at": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(to="jo@judges.example", template="invitation", context=context)

    assert Notification.objects.get().link == ""
    assert "secret-token" in mail.outbox[0].body


# Opt-outs ---------------------------------------------------------------------


def test_an_opted_out_optional_email_is_not_sent_but_still_notified(django_capture_on_commit_callbacks):
    amy = make_member(email="amy@severn.example")
    bo = make_member(email="bo@severn.example")
    EmailOptOut.objects.create(user=amy, category="programme_news")

    with django_capture_on_commit_callbacks(execute=True):
        queued = send_templated_email(
            to=[amy.email, bo.email], template="shortlist_finalist", context=SHORTLIST_CONTEXT
        )

    assert [email.to for email in queued] == ["bo@severn.example"]
    assert [m.to for m in mail.outbox] == [["bo@severn.example"]]
    assert sorted(Notification.objects.values_list("user__email", flat=True)) == [
        "amy@severn.example",
        "bo@severn.example",
    ]


@pytest.mark.parametrize("template", ["assessment_submitted", "invitation", "results_published", "judge_reminder"])
def test_mandatory_emails_are_sent_whatever_the_person_chose(template):
    assert email_kinds.category_of(template).mandatory is True


def test_mandatory_email_ignores_even_a_stray_opt_out_row(django_capture_on_commit_callbacks):
    amy = make_member(email="amy@severn.example")
    for category in email_kinds.BY_CODE:
        EmailOptOut.objects.create(user=amy, category=category)

    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(to=amy.email, template="assessment_submitted", context=RECEIPT_CONTEXT)

    assert [m.to for m in mail.outbox] == [["amy@severn.example"]]


def test_every_email_template_has_a_known_category():
    root = Path(__file__).resolve().parents[2] / "templates" / "emails"
    names = {path.name.removesuffix("_subject.txt") for path in root.glob("*_subject.txt")}

    assert sorted(names - set(email_kinds.TEMPLATE_CATEGORIES)) == []
    assert email_kinds.category_of("certificate_revoked").code == "results"
    assert email_kinds.category_of("an_allauth_template").mandatory is True
    assert email_kinds.category_of("self_assessment_deadline_reminder").mandatory is False


def test_preferences_page_saves_choices_and_shows_mandatory_kinds_as_fixed():
    amy = make_member(email="amy@severn.example")
    client = client_for(amy)

    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert set(page.context["form"].fields) == set(email_kinds.OPTIONAL_CODES)
    assert all(page.context["form"].initial[code] for code in email_kinds.OPTIONAL_CODES)
    html = page.content.decode()
    assert html.count("checked disabled") == len([c for c in email_kinds.CATEGORIES if c.mandatory])
    assert "They are your record of what was submitted and decided." in html

    response = client.post("/notifications/preferences/", {"judging_news": "on", "receipts": ""})
    assert response.status_code == 302
    assert sorted(EmailOptOut.objects.filter(user=amy).values_list("category", flat=True)) == [
        "programme_news",
        "reminders",
    ]
    # A mandatory category cannot be switched off, even by a forged post.
    client.post("/notifications/preferences/", {"judging_news": "on", "reminders": "on", "programme_news": "on"})
    assert list(EmailOptOut.objects.filter(user=amy)) == []


def test_preferences_need_a_sign_in(client):
    assert client.get("/notifications/preferences/").status_code == 302


def test_the_user_menu_links_to_preferences_and_notifications():
    html = client_for(make_member()).get("/organisation/").content.decode()

    assert 'href="/notifications/preferences/"' in html
    assert 'href="/notifications/"' in html


# The list -----------------------------------------------------------------------


def test_the_list_shows_only_my_notifications_newest_first_with_the_unread_count():
    amy, bo = make_member(email="amy@severn.example"), make_member(email="bo@severn.example")
    first = notify(amy, "First")
    second = notify(amy, "Second", read=True)
    notify(bo, "Not for Amy")

    page = client_for(amy).get("/notifications/")

    assert [n.title for n in page.context["notifications"]] == ["Second", "First"]
    html = page.content.decode()
    assert '<span class="badge rounded-pill text-bg-warning" data-testid="unread-count">1<' in html
    assert "Not for Amy" not in html
    assert f'href="/notifications/{first.pk}/"' in html
    assert second.pk


def test_unread_only_filter():
    amy = make_member()
    notify(amy, "Unread")
    notify(amy, "Read", read=True)

    page = client_for(amy).get("/notifications/?show=unread")

    assert [n.title for n in page.context["notifications"]] == ["Unread"]


def test_opening_a_notification_marks_it_read_and_follows_its_link():
    amy = make_member()
    notification = notify(amy, link="/organisation/")

    response = client_for(amy).get(f"/notifications/{notification.pk}/")

    assert (response.status_code, response["Location"]) == (302, "/organisation/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_never_leads_off_the_site():
    amy = make_member()
    notification = notify(amy, link="//evil.example/")

    response = client_for(amy).get(f"/notifications/{notification.pk}/")

    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found():
    notification = notify(make_member())
    other = client_for(make_member())

    assert other.get(f"/notifications/{notification.pk}/").status_code == 404
    assert other.post(f"/notifications/{notification.pk}/read/").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_one_and_mark_all_read():
    amy = make_member()
    one, two, three = (notify(amy, f"N{n}") for n in range(3))
    client = client_for(amy)

    response = client.post(f"/notifications/{one.pk}/read/", {"show": "unread", "page": "1"})
    assert response["Location"] == "/notifications/?show=unread&page=1"
    assert Notification.objects.filter(read_at__isnull=True).count() == 2

    client.post("/notifications/read-all/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert 'data-testid="unread-count"' not in client.get("/notifications/").content.decode()
    assert {two.pk, three.pk}


def test_the_list_is_paginated():
    amy = make_member()
    Notification.objects.bulk_create(Notification(user=amy, title=f"N{n}") for n in range(45))

    page = client_for(amy).get("/notifications/?page=3")

    assert len(page.context["notifications"]) == 5
    assert page.context["page_obj"].paginator.num_pages == 3


@pytest.mark.parametrize("rows", [1, 60])
def test_the_list_queries_do_not_grow(django_assert_max_num_queries, rows):
    amy = make_member()
    Notification.objects.bulk_create(Notification(user=amy, title=f"N{n}", link="/organisation/") for n in range(rows))
    client = client_for(amy)

    with django_assert_max_num_queries(10):
        assert client.get("/notifications/").status_code == 200


def test_the_badge_costs_one_query_and_none_for_anonymous_pages(client, django_assert_num_queries):
    amy = make_member()
    notify(amy)
    with django_assert_num_queries(0):
        client.get("/")
    signed_in = client_for(amy)
    signed_in.get("/organisation/")

    with CaptureQueriesContext(connection) as queries:
        signed_in.get("/organisation/")
    assert len([q for q in queries.captured_queries if "core_notification" in q["sql"]]) == 1
