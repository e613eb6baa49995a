from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Role, RoleGrant, User
from core.errors import ServiceError
from core.models import AuditEvent
from organisations.models import Membership
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-password-77"


def invite(lead, django_capture_on_commit_callbacks, **kwargs):
    kwargs.setdefault("email", "new.judge@example.org")
    kwargs.setdefault("role", Role.JUDGE)
    with django_capture_on_commit_callbacks(execute=True):
        return services.invite(invited_by=lead, **kwargs)


def test_invite_sends_email_with_link_and_audits(lead, django_capture_on_commit_callbacks):
    invitation, token = invite(lead, django_capture_on_commit_callbacks, email="New.Judge@Example.org")

    assert invitation.email == "new.judge@example.org"
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.expires_at - invitation.sent_at == timedelta(days=14)
    assert invitation.token_hash != token
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.judge@example.org"]
    assert message.subject == "[P&Q portal] You are invited to the P&Q portal as a judge"
    assert f"http://127.0.0.1:8000/invitations/{token}/" in message.body
    assert f"http://127.0.0.1:8000/invitations/{token}/" in message.alternatives[0][0]
    event = AuditEvent.objects.get(action="invitation.sent")
    assert (event.actor, event.object_id) == (lead, str(invitation.pk))
    assert event.after["status"] == "pending"


def test_new_person_accepts_invitation_and_gets_role_and_verified_email(
    client, lead, django_capture_on_commit_callbacks
):
    invitation, token = invite(lead, django_capture_on_commit_callbacks)

    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 200
    assert b"Set up your account" in page.content

    response = client.post(
        f"/invitations/{token}/", {"full_name": "  Nia   Judge ", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(email="new.judge@example.org")
    assert user.full_name == "Nia Judge"
    assert user.check_password(NEW_PASSWORD)
    assert list(RoleGrant.objects.active().filter(user=user).values_list("role", flat=True)) == ["judge"]
    assert EmailAddress.objects.get(user=user).verified is True
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "invitation.sent",
        "user.registered",
        "role.granted",
        "invitation.accepted",
    ]
    # Signed in, and as a judge without MFA sent straight to set it up.
    follow = client.get("/")
    assert follow.status_code == 302
    assert follow.url == "/accounts/2fa/totp/activate/"


def test_invitation_signup_rejects_mismatched_and_weak_passwords(client, lead, django_capture_on_commit_callbacks):
    _, token = invite(lead, django_capture_on_commit_callbacks)

    mismatch = client.post(
        f"/invitations/{token}/", {"full_name": "Nia", "password1": NEW_PASSWORD, "password2": "other-password-1"}
    )
    weak = client.post(f"/invitations/{token}/", {"full_name": "Nia", "password1": "123", "password2": "123"})

    assert mismatch.status_code == 200
    assert mismatch.context["form"].errors == {"password2": ["The two passwords do not match."]}
    assert weak.status_code == 200
    assert "password1" in weak.context["form"].errors
    assert User.objects.filter(email="new.judge@example.org").exists() is False


def test_unknown_invitation_token_answers_404_with_a_message(client, db):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert b"We could not find this invitation" in response.content


def test_reused_invitation_is_refused(client, lead, django_capture_on_commit_callbacks):
    _, token = invite(lead, django_capture_on_commit_callbacks)
    client.post(f"/invitations/{token}/", {"full_name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    again = client.get(f"/invitations/{token}/")
    posted = client.post(
        f"/invitations/{token}/", {"full_name": "Eve", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert again.status_code == 410
    assert b"already been used" in again.content
    assert posted.status_code == 410
    assert User.objects.filter(full_name="Eve").exists() is False


def test_expired_invitation_is_refused(client, lead, django_capture_on_commit_callbacks):
    invitation, token = invite(lead, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.get(f"/invitations/{token}/")
    posted = client.post(
        f"/invitations/{token}/", {"full_name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert page.status_code == 410
    assert b"This invitation expired on" in page.content
    assert posted.status_code == 410
    assert User.objects.filter(email="new.judge@example.org").exists() is False


def test_cancelled_invitation_is_refused(client, lead, django_capture_on_commit_callbacks):
    invitation, token = invite(lead, django_capture_on_commit_callbacks)
    services.cancel_invitation(invitation=invitation, actor=lead)

    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 410
    assert b"was cancelled" in response.content


def test_signed_in_wrong_account_is_told_and_nothing_changes(client, lead, django_capture_on_commit_callbacks):
    invitation, token = invite(lead, django_capture_on_commit_callbacks)
    other = UserFactory(email="someone.else@example.org")
    client.force_login(other)

    page = client.get(f"/invitations/{token}/")
    posted = client.post(f"/invitations/{token}/")

    assert page.status_code == 403
    assert b"but you are signed in as someone.else@example.org" in page.content
    assert posted.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert RoleGrant.objects.filter(user=other).count() == 0


def test_existing_account_signs_in_then_accepts(client, lead, django_capture_on_commit_callbacks):
    person = UserFactory(email="new.judge@example.org")
    _, token = invite(lead, django_capture_on_commit_callbacks)

    anonymous = client.get(f"/invitations/{token}/")
    assert anonymous.status_code == 200
    assert f"/accounts/login/?next=/invitations/{token}/".encode() in anonymous.content
    anonymous_post = client.post(f"/invitations/{token}/", {"full_name": "X", "password1": "a", "password2": "a"})
    assert anonymous_post.status_code == 200
    assert RoleGrant.objects.filter(user=person).count() == 0

    client.force_login(person)
    accepted = client.post(f"/invitations/{token}/")

    assert accepted.status_code == 302
    assert list(RoleGrant.objects.active().filter(user=person).values_list("role", flat=True)) == ["judge"]
    assert person.check_password(PASSWORD)


def test_member_invitation_creates_membership(client, lead, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Anglian Rivers Water")
    _invitation, token = invite(
        lead,
        django_capture_on_commit_callbacks,
        email="colleague@anglian.example",
        role=Role.ORGANISATION_MEMBER,
        organisation=organisation,
        organisation_role=Membership.Role.ADMIN,
    )
    assert (
        mail.outbox[0].subject == "[P&Q portal] You are invited to the P&Q portal as a member of Anglian Rivers Water"
    )

    client.post(f"/invitations/{token}/", {"full_name": "Col", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    membership = Membership.objects.get(user__email="colleague@anglian.example")
    assert (membership.organisation, membership.role) == (organisation, Membership.Role.ADMIN)
    assert client.get("/").url == "/organisation/"


def test_invite_refuses_duplicates_and_existing_holders(lead, judge, django_capture_on_commit_callbacks):
    invite(lead, django_capture_on_commit_callbacks)

    with pytest.raises(ServiceError, match="already has a pending invitation"):
        services.invite(email="NEW.judge@example.org", role=Role.JUDGE, invited_by=lead)
    with pytest.raises(ServiceError, match="already holds this role"):
        services.invite(email=judge.email, role=Role.JUDGE, invited_by=lead)
    with pytest.raises(ServiceError, match="Choose the organisation"):
        services.invite(email="x@example.org", role=Role.ORGANISATION_MEMBER, invited_by=lead)
    assert Invitation.objects.count() == 1


def test_lead_resends_invitation_with_a_new_link(client, lead, django_capture_on_commit_callbacks):
    invitation, old_token = invite(lead, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/invitations/{invitation.pk}/resend/")

    assert response.status_code == 302
    assert response.url == "/people/"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    new_link = mail.outbox[1].body.split("http://127.0.0.1:8000")[1].split()[0]
    client.logout()
    assert client.get(f"/invitations/{old_token}/").status_code == 404
    assert client.get(new_link).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.resent", object_id=str(invitation.pk)).count() == 1


def test_lead_cancels_invitation(client, lead, django_capture_on_commit_callbacks):
    invitation, _token = invite(lead, django_capture_on_commit_callbacks)
    client.force_login(lead)

    response = client.post(f"/people/invitations/{invitation.pk}/cancel/")

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELLED
    assert AuditEvent.objects.filter(action="invitation.cancelled").count() == 1


def test_invite_page_sends_invitation_and_reports_form_errors(client, lead, django_capture_on_commit_callbacks):
    client.force_login(lead)

    missing_org = client.post("/people/invite/", {"email": "m@example.org", "role": "organisation_member"})
    bad_email = client.post("/people/invite/", {"email": "not-an-address", "role": "judge"})
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/people/invite/", {"email": "lead2@example.org", "role": "programme_lead"})
    duplicate = client.post("/people/invite/", {"email": "lead2@example.org", "role": "programme_lead"})

    assert missing_org.status_code == 200
    assert missing_org.context["form"].errors == {
        "organisation": ["Choose the organisation the person will be a member of."]
    }
    assert bad_email.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert sent.status_code == 302
    assert [m.to for m in mail.outbox] == [["lead2@example.org"]]
    assert duplicate.status_code == 200
    assert duplicate.context["form"].non_field_errors() == [
        "lead2@example.org already has a pending invitation to this role: resend it instead."
    ]
