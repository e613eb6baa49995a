"""E-mails with a secret link (invitation, password reset) are stored
redacted, their real bodies encrypted with EMAIL_SECRET_KEY until they are
delivered; neither the outbox, the admin, nor a backup holds a link in clear,
and retries and the resend button still deliver a working link."""

import re
import shutil
import smtplib
import subprocess
import tarfile

import pytest
from django.core import mail

from accounts import services as account_services
from accounts.models import Invitation, Role
from core import sealed
from core.models import OutboundEmail
from core.tasks import deliver_email
from portal import backups
from tests.factories import UserFactory, make_lead

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s/]+/)")


class BrokenSMTPBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RetryLater(Exception):
    pass


def row_text(email: OutboundEmail) -> str:
    """Every column of the stored e-mail, as the admin or a database dump shows it."""
    values = OutboundEmail.objects.filter(pk=email.pk).values().get()
    return " ".join(str(value) for value in values.values())


def invite(lead):
    invitation, token = account_services.invite(email="newcomer@example.org", role=Role.JUDGE, invited_by=lead)
    return invitation, token, OutboundEmail.objects.get(template="invitation", to="newcomer@example.org")


def test_an_invitation_is_stored_without_its_token_until_and_after_delivery(
    lead, lead_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _invitation, token, email = invite(lead)

    assert token not in row_text(email)
    assert (email.has_secret, email.status) == (True, OutboundEmail.Status.QUEUED)
    assert sealed.REDACTED in email.body_text
    assert sealed.REDACTED in email.body_html
    assert token in sealed.unseal(email.sealed_body)

    for callback in queued:
        callback()

    email.refresh_from_db()
    [message] = mail.outbox
    assert token in message.body
    assert token in message.alternatives[0][0]
    assert (email.status, email.sealed_body) == (OutboundEmail.Status.SENT, "")
    assert token not in row_text(email)
    page = lead_client.get(f"/admin/core/outboundemail/{email.pk}/change/").content.decode()
    assert sealed.REDACTED in page
    assert token not in page


def test_a_password_reset_link_is_never_stored_in_clear(client, lead_client, django_capture_on_commit_callbacks):
    UserFactory(email="mia@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "mia@example.org"})

    [message] = mail.outbox
    link = RESET_LINK.search(message.body).group(1)
    email = OutboundEmail.objects.get(template="password_reset_key")
    assert (email.has_secret, email.sealed_body, email.status) == (True, "", OutboundEmail.Status.SENT)
    assert link not in row_text(email)
    assert link.split("/")[-2] not in row_text(email)  # the key itself
    assert link not in lead_client.get(f"/admin/core/outboundemail/{email.pk}/change/").content.decode()
    # And it works: whoever has the e-mail, not the outbox, chooses the password.
    assert client.get(link).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_no_invitation_or_reset_token_in_clear(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Nothing is delivered: the e-mails wait in the outbox, as they do while SMTP is down.
    monkeypatch.setattr(deliver_email, "delay", lambda **kwargs: None)
    lead = make_lead(email="lead@example.org")
    _invitation, token, _email = invite(lead)
    member = UserFactory(email="mia@example.org")
    account_services.send_password_reset(user=member, actor=lead)
    reset = OutboundEmail.objects.get(template="password_reset_key")
    reset_key = RESET_LINK.search(sealed.unseal(reset.sealed_body)).group(1).split("/")[-2]

    archive = backups.create_backup(directory=tmp_path / "backups")

    with tarfile.open(archive, "r:gz") as tar:
        parts = [(member.name, tar.extractfile(member).read()) for member in tar.getmembers() if member.isfile()]
    contents = b"".join(_readable(name, data, tmp_path) for name, data in parts)
    assert b"newcomer@example.org" in contents  # the outbox is in the backup…
    assert token.encode() not in contents  # …but not the secrets in it
    assert reset_key.encode() not in contents


def _readable(name: str, data: bytes, tmp_path) -> bytes:
    """A member of the archive as text: PostgreSQL's custom-format dump is
    compressed, so it is read back as SQL (pg_restore, as the restore does)."""
    if not name.endswith(".pgdump"):
        return data
    dump = tmp_path / "database.pgdump"
    dump.write_bytes(data)
    pg_restore = shutil.which("pg_restore")
    assert pg_restore, "pg_restore (postgresql-client) reads the PostgreSQL backup"
    return subprocess.run([pg_restore, "--file=-", str(dump)], capture_output=True, check=True).stdout


@pytest.fixture
def as_worker(monkeypatch):
    """deliver_email as a worker runs it (not in-process), its retries caught."""
    monkeypatch.setattr(deliver_email, "retry", lambda countdown=None, exc=None, **kwargs: RetryLater())
    deliver_email.push_request(is_eager=False, called_directly=False)
    yield
    deliver_email.pop_request()


def test_an_email_that_failed_once_is_delivered_with_its_link_on_retry(
    settings, lead, as_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _invitation, token, email = invite(lead)
    settings.EMAIL_BACKEND = "tests.core.test_secret_links.BrokenSMTPBackend"
    with pytest.raises(RetryLater):
        deliver_email.run(email_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts, bool(email.sealed_body)) == (OutboundEmail.Status.QUEUED, 1, True)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_email.run(email_id=email.pk)

    email.refresh_from_db()
    [message] = mail.outbox
    assert token in message.body
    assert (email.status, email.attempts, email.sealed_body) == (OutboundEmail.Status.SENT, 2, "")


def test_resending_a_failed_invitation_sends_a_fresh_working_link(
    settings, lead, lead_client, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_secret_links.BrokenSMTPBackend"
    with django_capture_on_commit_callbacks(execute=True):
        invitation, old_token, email = invite(lead)
    email.refresh_from_db()
    assert (email.status, email.sealed_body) == (OutboundEmail.Status.FAILED, "")  # failed for good: secret gone

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/lead/emails/{email.pk}/resend/", follow=True)

    [message] = mail.outbox
    new_token = re.search(r"/invitations/([^/\s]+)/", message.body).group(1)
    assert account_services.find_invitation(new_token) == invitation
    assert account_services.find_invitation(old_token) is None
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.REPLACED
    assert "A new invitation link was sent to newcomer@example.org" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_resending_a_failed_password_reset_sends_a_new_link(settings, lead_client, django_capture_on_commit_callbacks):
    UserFactory(email="mia@example.org")
    settings.EMAIL_BACKEND = "tests.core.test_secret_links.BrokenSMTPBackend"
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post("/accounts/password/reset/", {"email": "mia@example.org"})
    email = OutboundEmail.objects.get(template="password_reset_key")
    assert email.status == OutboundEmail.Status.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(f"/lead/emails/{email.pk}/resend/")

    [message] = mail.outbox
    assert message.to == ["mia@example.org"]
    assert lead_client.get(RESET_LINK.search(message.body).group(1)).status_code == 302


def test_a_failed_secret_email_nobody_can_issue_again_says_so(lead_client):
    email = OutboundEmail.objects.create(
        template="email_confirmation",
        to="una@example.org",
        subject="Confirm your e-mail address",
        body_text=f"Open {sealed.REDACTED}",
        has_secret=True,
        status=OutboundEmail.Status.FAILED,
    )

    response = lead_client.post(f"/lead/emails/{email.pk}/resend/", follow=True)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "it cannot be sent again. Ask una@example.org to ask for a new one." in response.content.decode()
    assert mail.outbox == []


def test_a_queued_secret_email_whose_key_is_gone_fails_rather_than_sending_the_redacted_copy(
    settings, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _invitation, _token, email = invite(lead)
    settings.EMAIL_SECRET_KEYS = ["LfxQ1ZlYj3dJ2v6m0nC2xk8G7h9TqW5rYbE4aU1sZ0o="]

    deliver_email.run(email_id=email.pk)

    email.refresh_from_db()
    assert (email.status, email.sealed_body, mail.outbox) == (OutboundEmail.Status.FAILED, "", [])
    assert "EMAIL_SECRET_KEY" in email.last_error
