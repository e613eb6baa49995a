import pytest

from accounts import services
from accounts.models import Role, RoleGrant, User
from core.errors import ServiceError
from core.models import AuditEvent
from organisations.models import Membership
from tests.factories import PASSWORD, UserFactory, make_judge, make_lead, make_member, with_mfa

pytestmark = pytest.mark.django_db

TOTP_SETUP = "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize(
    ("make", "path"),
    [(make_judge, "/judge/"), (make_lead, "/lead/"), (make_lead, "/people/"), (make_lead, "/admin/")],
)
def test_lead_and_judge_without_mfa_are_sent_to_set_it_up(client, make, path):
    client.force_login(make(mfa=False))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == TOTP_SETUP


def test_mfa_setup_page_itself_and_logout_stay_reachable_without_mfa(client):
    judge = make_judge(mfa=False)
    login = client.post("/accounts/login/", {"login": judge.email, "password": PASSWORD})
    assert (login.status_code, login.url) == (302, "/")
    assert client.get("/").url == TOTP_SETUP
    # allauth asks for the password again before any MFA change.
    assert client.get(TOTP_SETUP).url == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    reauth = client.post("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": PASSWORD})
    assert (reauth.status_code, reauth.url) == (302, TOTP_SETUP)

    assert client.get(TOTP_SETUP).status_code == 200
    assert client.get("/accounts/logout/").status_code == 200


def test_member_without_mfa_reaches_their_dashboard(client, member):
    client.force_login(member)

    response = client.get("/organisation/")

    assert response.status_code == 200
    assert response.context["memberships"][0].user == member


def test_judge_with_mfa_reaches_judge_dashboard(client, judge):
    client.force_login(judge)

    response = client.get("/judge/")

    assert response.status_code == 200
    assert b"You have no cohorts to judge yet." in response.content


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("member", "/lead/"),
        ("member", "/people/"),
        ("member", "/judge/"),
        ("judge", "/lead/"),
        ("judge", "/people/"),
        ("judge", "/organisation/"),
        ("judge", "/lead/emails/"),
        ("lead", "/judge/"),
        ("nobody", "/lead/"),
        ("nobody", "/organisation/"),
    ],
)
def test_user_reaching_a_page_of_a_role_they_lack_gets_403(client, who, path):
    users = {
        "member": lambda: make_member(),
        "judge": lambda: make_judge(),
        "lead": lambda: make_lead(),
        "nobody": lambda: UserFactory(),
    }
    client.force_login(users[who]())

    response = client.get(path)

    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content


@pytest.mark.parametrize("path", ["/lead/", "/people/", "/judge/", "/organisation/", "/people/invite/"])
def test_anonymous_is_sent_to_log_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={path}"


@pytest.mark.parametrize(
    "path", ["/people/roles/1/revoke/", "/people/memberships/1/end/", "/people/invitations/1/cancel/"]
)
def test_state_changing_actions_refuse_non_leads(client, judge, path):
    grant = RoleGrant.objects.get(user=judge)
    client.force_login(make_member())

    response = client.post(path.replace("/1/", f"/{grant.pk}/"))

    assert response.status_code == 403
    assert RoleGrant.objects.get(pk=grant.pk).revoked_at is None


def test_revoked_role_stops_working_on_the_next_request(client, lead, judge):
    judge_client = client
    judge_client.force_login(judge)
    assert judge_client.get("/judge/").status_code == 200

    services.revoke_role(grant=RoleGrant.objects.get(user=judge, role=Role.JUDGE), actor=lead)

    assert judge_client.get("/judge/").status_code == 403
    home = judge_client.get("/")
    assert home.status_code == 200
    assert b"does not have a role on the portal yet" in home.content
    event = AuditEvent.objects.get(action="role.revoked")
    assert (event.actor, event.before, event.after) == (lead, {"role": "judge"}, {"role": None})


def test_lead_revokes_a_role_from_the_people_page(lead_client, lead):
    other_lead = make_lead(email="second.lead@example.org")
    grant = RoleGrant.objects.get(user=other_lead)

    response = lead_client.post(f"/people/roles/{grant.pk}/revoke/")

    assert response.status_code == 302
    other_lead.refresh_from_db()
    assert other_lead.is_staff is False
    assert RoleGrant.objects.active().filter(user=other_lead).count() == 0
    again = lead_client.post(f"/people/roles/{grant.pk}/revoke/", follow=True)
    assert [str(m) for m in again.context["messages"]][-1] == "This role has already been revoked."
    history = again.content.decode().split("Recent role changes and invitations")[1]
    assert f"</strong> revoked a role from {other_lead.get_full_name()}</span>" in history


def test_lead_cannot_revoke_their_own_lead_role(lead):
    with pytest.raises(ServiceError, match="cannot revoke your own"):
        services.revoke_role(grant=RoleGrant.objects.get(user=lead), actor=lead)
    assert RoleGrant.objects.active().filter(user=lead).count() == 1


def test_lead_removes_a_member_from_their_organisation(lead_client, lead, member):
    membership = Membership.objects.get(user=member)

    response = lead_client.post(f"/people/memberships/{membership.pk}/end/")

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.is_active, membership.ended_by) == (False, lead)
    assert AuditEvent.objects.filter(action="membership.ended", object_id=str(membership.pk)).count() == 1


def test_home_sends_each_role_to_its_dashboard(client, lead, judge, member):
    for user, url in [(lead, "/lead/"), (judge, "/judge/"), (member, "/organisation/")]:
        client.force_login(user)
        response = client.get("/")
        assert (response.status_code, response.url) == (302, url)


def test_home_lets_a_person_with_several_roles_choose(client, judge):
    Membership.objects.create(user=judge, organisation=make_member().memberships.get().organisation)
    client.force_login(judge)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["choices"] == [("Judge", "judge_dashboard"), ("Organisation member", "member_dashboard")]


def test_grant_role_makes_a_lead_staff_and_is_idempotent(lead):
    person = UserFactory()

    first = services.grant_role(user=person, role=Role.PROGRAMME_LEAD, actor=lead)
    second = services.grant_role(user=person, role=Role.PROGRAMME_LEAD, actor=lead)

    assert first == second
    assert User.objects.get(pk=person.pk).is_staff is True
    assert AuditEvent.objects.filter(action="role.granted", object_id=str(person.pk)).count() == 1


def test_people_page_lists_roles_and_filters(lead_client, judge, member):
    everyone = lead_client.get("/people/")
    judges = lead_client.get("/people/", {"role": "judge"})
    search = lead_client.get("/people/", {"q": "member@"})

    assert everyone.status_code == 200
    assert [p.email for p in everyone.context["people"]] == [
        "judge@example.org",
        "lead@example.org",
        "member@example.org",
    ]
    assert [p.email for p in judges.context["people"]] == ["judge@example.org"]
    assert [p.email for p in search.context["people"]] == ["member@example.org"]


@pytest.mark.parametrize("count", [3, 60])
def test_people_page_queries_do_not_grow_with_rows(lead_client, django_assert_max_num_queries, count):
    for _ in range(count):
        make_judge()
        make_member()

    with django_assert_max_num_queries(16):
        response = lead_client.get("/people/")

    assert response.status_code == 200


def test_admin_sits_behind_the_sites_log_in(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302), ("/accounts/login/?next=%2Fadmin%2F", 302)]


def test_lead_uses_the_admin_as_a_fallback_but_cannot_edit_roles_or_audit(lead_client, judge):
    index = lead_client.get("/admin/")
    audit_add = lead_client.get("/admin/core/auditevent/add/")
    grants = lead_client.get("/admin/accounts/rolegrant/")
    grant_change = lead_client.post(
        f"/admin/accounts/rolegrant/{RoleGrant.objects.get(user=judge).pk}/delete/", {"post": "yes"}
    )

    assert index.status_code == 200
    assert [app["app_label"] for app in index.context["app_list"]] == [
        "account",
        "accounts",
        "core",
        "documents",
        "frameworks",
        "judging",
        "organisations",
        "cohorts",
        "results",
        "assessments",
    ]
    assert audit_add.status_code == 403
    assert grants.status_code == 200
    assert grant_change.status_code == 403
    assert RoleGrant.objects.active().filter(user=judge).count() == 1


def test_staff_flag_alone_does_not_open_the_admin(client):
    person = with_mfa(UserFactory(is_staff=True))
    client.force_login(person)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert response.context["app_list"] == []
