"""Privacy (UK GDPR): the notice, a person's download of their data,
closing an account, and the lead's export and erasure of an organisation's
data."""

import io
import json
import zipfile
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.test import Client

from accounts.models import Invitation, Role, RoleGrant, User
from assessments.models import EvidenceFile, Response, SelfAssessment
from cohorts.models import Application
from core import audit
from core.errors import ServiceError
from core.models import AuditEvent, OutboundEmail
from documents.models import Certificate
from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
from organisations.models import Membership, Organisation
from portal import organisation_privacy, privacy
from tests.factories import (
    PASSWORD,
    EnrolmentFactory,
    OrganisationFactory,
    make_cohort,
    make_judge,
    make_lead,
    make_member,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_evidence_file(response: Response, user, name: str = "Coaching plan.pdf", data: bytes = PDF) -> EvidenceFile:
    evidence = EvidenceFile(
        response=response, original_name=name, content_type="application/pdf", size=len(data), uploaded_by=user
    )
    evidence.file.save(name, ContentFile(data), save=False)
    evidence.save()
    return evidence


def programme(*, phase: str = "closed", number: int = 3):
    """A cohort in `phase` with one organisation (with contact details), a
    member who wrote its self-assessment and added evidence, and a judge who
    scored it."""
    cohort = make_cohort(number=number, phase=phase)
    organisation = OrganisationFactory(
        name="Severn Valley Water",
        contact_name="Gwen Price",
        contact_email="gwen.price@severn.example",
        contact_phone="01452 123456",
        website="https://severn.example",
    )
    audit.record(actor=None, action="organisation.created", obj=organisation, after={"contact_name": "Gwen Price"})
    enrolment = EnrolmentFactory(cohort=cohort, organisation=organisation, status="finalist")
    member = make_member(organisation=organisation, email="alex.morgan@severn.example", full_name="Alex Morgan")
    assessment = SelfAssessment.objects.create(enrolment=enrolment, status="submitted", submitted_by=member)
    criteria = list(cohort.framework.criteria.order_by("position"))
    responses = [
        Response.objects.create(
            assessment=assessment,
            criterion=criterion,
            level=3,
            narrative=f"Alex Morgan's team measures {criterion.code}.",
            updated_by=member,
        )
        for criterion in criteria
        if not criterion.judging_only
    ]
    evidence = add_evidence_file(responses[0], member)
    judge = make_judge(email="jo.judge@example.org", full_name="Jo Judge")
    CohortJudge.objects.create(cohort=cohort, judge=judge)
    assignment = Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)
    scorecard = Scorecard.objects.create(assignment=assignment, status="submitted", strengths="Clear coaching.")
    for criterion in criteria:
        ScoreEntry.objects.create(scorecard=scorecard, criterion=criterion, score=7, comment="Solid.")
    return cohort, organisation, enrolment, member, assessment, responses, evidence, judge, scorecard


# The notice ------------------------------------------------------------------------


def test_privacy_notice_is_public_and_linked_from_the_footer(client):
    notice = client.get("/privacy/")
    home = client.get("/")

    assert notice.status_code == 200
    assert b'<h1 class="h3">Privacy notice</h1>' in notice.content
    assert b"Information Commissioner" in notice.content
    assert b'href="mailto:privacy@pq-portal.local"' in notice.content
    assert b'href="mailto:security@pq-portal.local"' in notice.content
    assert b"Download your data" not in notice.content  # for people who are signed in
    assert b'href="/privacy/">Privacy</a>' in home.content


def test_lead_without_two_factor_reads_the_notice_but_not_their_data(client):
    lead = make_lead(mfa=False)
    client.force_login(lead)

    assert client.get("/privacy/").status_code == 200
    assert client.get("/privacy/your-data/").url == "/accounts/2fa/totp/activate/"


# A person's data ---------------------------------------------------------------------


def test_download_needs_a_log_in(client):
    answer = client.get("/privacy/your-data/")

    assert (answer.status_code, answer.url) == (302, "/accounts/login/?next=/privacy/your-data/")


def test_member_downloads_everything_held_about_them_as_json():
    cohort, organisation, _enrolment, member, _assessment, responses, _evidence, _judge, _card = programme()
    Application.objects.create(
        cohort=cohort,
        applicant=member,
        organisation_name="Severn Valley Water",
        sector="water",
        size="large",
        motivation="We want to improve first-contact resolution.",
        organisation=organisation,
    )
    OutboundEmail.objects.create(
        template="assessment_reopened", to=member.email, subject="Your self-assessment was reopened", body_text="Hi"
    )
    audit.record(actor=member, action="password.changed", obj=member)
    audit.record(actor=None, action="invitation.sent", after={"email": "Alex.Morgan@severn.example"})
    audit.record(actor=None, action="invitation.sent", after={"email": "someone.else@severn.example"})
    client = signed_in(member)

    answer = client.get("/privacy/your-data/")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer["Content-Disposition"].startswith('attachment; filename="pq-my-data-')
    assert "no-store" in answer["Cache-Control"]
    data = json.loads(answer.content)
    assert data["account"]["email"] == "alex.morgan@severn.example"
    assert data["account"]["full_name"] == "Alex Morgan"
    assert data["account"]["email_addresses"] == [
        {"email": "alex.morgan@severn.example", "verified": True, "primary": True}
    ]
    assert [(m["organisation"], m["role"], m["ended"]) for m in data["memberships"]] == [
        ("Severn Valley Water", "Contributor", None)
    ]
    assert [a["why_you_want_to_take_part"] for a in data["applications"]] == [
        "We want to improve first-contact resolution."
    ]
    assert len(data["self_assessment_answers_you_saved_last"]) == len(responses)
    assert data["self_assessment_answers_you_saved_last"][0]["narrative"] == responses[0].narrative
    assert [f["file"] for f in data["evidence_files_you_uploaded"]] == ["Coaching plan.pdf"]
    assert [e["to"] for e in data["emails_sent_to_you"]] == ["alex.morgan@severn.example"]
    assert data["judging"]["scorecards"] == []
    assert [e["action"] for e in data["audit_trail_about_you"]] == ["password.changed", "invitation.sent"]
    again = json.loads(client.get("/privacy/your-data/").content)
    assert [e["action"] for e in again["audit_trail_about_you"]] == [
        "password.changed",
        "invitation.sent",
        "account.data_exported",
    ]


def test_judges_download_includes_their_scorecards_and_leaves_out_secrets():
    *_, judge, _scorecard = programme()
    client = signed_in(judge)

    data = json.loads(client.get("/privacy/your-data/").content)

    [card] = data["judging"]["scorecards"]
    assert (card["finalist"], card["status"], card["strengths"]) == (
        "Severn Valley Water",
        "Submitted",
        "Clear coaching.",
    )
    assert {entry["score"] for entry in card["scores"]} == {7}
    assert [panel["cohort"] for panel in data["judging"]["panels"]] == [3]
    assert [item["type"] for item in data["account"]["two_factor_authentication"]] == ["totp"]
    text = json.dumps(data)
    totp = Authenticator.objects.get(user=judge, type="totp")
    assert totp.data["secret"] not in text
    assert judge.password not in text


# Closing an account --------------------------------------------------------------------


def close_with_reauthentication(client: Client, password: str = PASSWORD):
    """Post the closing form; allauth asks for the password again and then
    replays the post."""
    first = client.post("/privacy/close-account/", {"confirm": "on"})
    assert (first.status_code, first.url) == (302, "/accounts/reauthenticate/?next=%2Fprivacy%2Fclose-account%2F")
    return client.post(first.url, {"password": password})


def audit_text() -> str:
    return json.dumps(
        [
            [event.actor_repr, event.object_repr, event.note, event.before, event.after]
            for event in AuditEvent.objects.all()
        ]
    )


def test_closing_an_account_asks_for_the_password_again_and_erases_personal_data():
    *_, member, _assessment, responses, evidence, _judge, _card = programme()
    member_id = member.pk
    Invitation.objects.create(
        email=member.email,
        role=Role.ORGANISATION_MEMBER,
        organisation=member.memberships.get().organisation,
        organisation_role="contributor",
        token_hash="x" * 64,
        expires_at=member.date_joined,
    )
    audit.record(actor=member, action="password.changed", obj=member)
    audit.record(actor=None, action="invitation.sent", after={"email": member.email}, note="To Alex Morgan")
    OutboundEmail.objects.create(template="x", to=member.email, subject="Hello Alex Morgan", body_text="Hi")
    client = signed_in(member)

    page = client.get("/privacy/close-account/")
    closed = close_with_reauthentication(client)

    assert page.status_code == 200
    assert b"I understand that closing my account cannot be undone." in page.content
    assert closed.status_code == 200
    assert b"Your account is closed" in closed.content
    member = User.objects.get(pk=member_id)
    alias = f"closed-account-{member_id}@invalid"
    assert (member.email, member.full_name, member.is_active) == (alias, "", False)
    assert not member.has_usable_password()
    assert EmailAddress.objects.filter(user=member).count() == 0
    assert OutboundEmail.objects.filter(to__icontains="alex").count() == 0
    assert Membership.objects.active().filter(user=member).count() == 0
    assert list(Invitation.objects.values_list("email", flat=True)) == [alias]
    # What they wrote for the organisation stays with it, attributed to the pseudonym.
    assert Response.objects.get(pk=responses[0].pk).updated_by_id == member_id
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()
    # The audit trail keeps every entry but names only the pseudonym.
    text = audit_text()
    assert "alex.morgan@severn.example" not in text
    assert "Alex Morgan" not in text
    assert set(AuditEvent.objects.filter(actor_id=member_id).values_list("actor_repr", flat=True)) == {alias}
    assert AuditEvent.objects.filter(action="invitation.sent").get().note == f"To {alias}"
    closing = AuditEvent.objects.get(action="account.closed")
    assert (closing.actor_repr, closing.after) == (alias, {"email": alias})
    assert closing.before == {"roles": [], "organisations": ["Severn Valley Water"]}
    # Nobody can sign in with the old address and password.
    login = Client().post("/accounts/login/", {"login": "alex.morgan@severn.example", "password": PASSWORD})
    assert login.status_code == 200
    assert "_auth_user_id" not in login.client.session


def test_closing_a_judges_account_removes_two_factor_and_ends_every_session():
    *_, judge, scorecard = programme()
    judge_id = judge.pk
    elsewhere = signed_in(judge)
    assert elsewhere.get("/judge/").status_code == 200

    closed = close_with_reauthentication(signed_in(judge))

    assert closed.status_code == 200
    assert Authenticator.objects.filter(user_id=judge_id).count() == 0
    assert RoleGrant.objects.active().filter(user_id=judge_id).count() == 0
    assert elsewhere.get("/judge/").url == "/accounts/login/?next=/judge/"
    # The submitted scorecard stays with the results.
    assert Scorecard.objects.get(pk=scorecard.pk).status == "submitted"


def test_closing_refuses_a_wrong_password():
    member = make_member(email="m@example.org")
    client = signed_in(member)

    answer = close_with_reauthentication(client, password="not-my-password")

    assert answer.status_code == 200
    assert User.objects.get(pk=member.pk).is_active is True


def test_the_only_programme_lead_cannot_close_their_account():
    lead = make_lead(email="only.lead@example.org")
    client = signed_in(lead)

    page = client.get("/privacy/close-account/")
    with pytest.raises(ServiceError) as refused:
        privacy.close_account(user=lead)

    assert b"You are the only programme lead" in page.content
    assert b"Close my account</button>" not in page.content
    assert refused.value.message.startswith(
        "You are the only programme lead, and the programme cannot run without one."
    )
    assert User.objects.get(pk=lead.pk).is_active is True


def test_a_programme_lead_can_close_once_another_lead_exists():
    lead = make_lead(email="first.lead@example.org")
    make_lead(email="second.lead@example.org")

    alias = privacy.close_account(user=lead)

    lead.refresh_from_db()
    assert (lead.email, lead.is_staff, lead.is_active) == (alias, False, False)
    assert RoleGrant.objects.active().filter(role=Role.PROGRAMME_LEAD).count() == 1


def test_a_judge_on_a_panel_that_is_judging_is_refused_with_what_to_do():
    *_, judge, _card = programme(phase="judging")

    with pytest.raises(ServiceError) as refused:
        privacy.close_account(user=judge)

    assert refused.value.message == (
        "You are on the judging panel of cohort 3, which is judging now. "
        "Ask the programme lead to take you off the panel first, so that your finalists get another judge."
    )


# An organisation's data --------------------------------------------------------------


def test_lead_exports_an_organisations_data_as_a_zip_with_its_evidence(lead):
    _cohort, organisation, *_rest = programme()

    answer = signed_in(lead).get(f"/organisations/{organisation.pk}/export/")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert answer["Content-Disposition"].startswith('attachment; filename="pq-organisation-severn-valley-water-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["organisation"]["contact_email"] == "gwen.price@severn.example"
    assert [m["email"] for m in data["members"]] == ["alex.morgan@severn.example"]
    [enrolment] = data["enrolments"]
    first = enrolment["self_assessment"]["answers"][0]
    assert first["narrative"].startswith("Alex Morgan's team measures")
    [evidence] = first["evidence"]
    assert archive.read(evidence["path"]) == PDF
    assert AuditEvent.objects.filter(action="organisation.exported").count() == 1


def test_the_organisation_page_offers_export_and_erasure_to_the_lead_only(lead):
    _cohort, organisation, _enrolment, member, *_rest = programme()
    path = f"/organisations/{organisation.pk}/"

    for_lead = signed_in(lead).get(path).content.decode()
    for_member = signed_in(member).get(path).content.decode()

    links = [f'href="{path}export/"', f'href="{path}erase/"']
    assert [link in for_lead for link in links] == [True, True]
    assert [link in for_member for link in links] == [False, False]


def test_only_the_lead_exports_or_erases_an_organisations_data():
    _cohort, organisation, _enrolment, member, *_rest = programme()
    other = make_member(email="other@example.org")

    for path in (f"/organisations/{organisation.pk}/export/", f"/organisations/{organisation.pk}/erase/"):
        assert signed_in(member).get(path).status_code == 403
        assert signed_in(other).get(path).status_code == 404
        assert Client().get(path).url == f"/accounts/login/?next={path}"


def test_erasure_is_refused_while_the_organisation_is_being_judged(lead):
    _cohort, organisation, *_rest = programme(phase="judging")
    client = signed_in(lead)

    page = client.get(f"/organisations/{organisation.pk}/erase/")
    posted = client.post(
        f"/organisations/{organisation.pk}/erase/",
        {"confirm_name": "Severn Valley Water", "reason": "Their e-mail of 3 March"},
    )

    message = (
        "Severn Valley Water takes part in cohort 3, which is in judging: erasing its data now would take its "
        "self-assessment away from shortlisting, judging and the results. "
        "Withdraw it from cohort 3 first, or erase it once the cohort has closed."
    )
    assert message.encode() in page.content
    assert message.encode() in posted.content
    assert Organisation.objects.get(pk=organisation.pk).name == "Severn Valley Water"


def test_erasure_needs_the_name_typed_and_a_reason(lead):
    _cohort, organisation, *_rest = programme()

    answer = signed_in(lead).post(f"/organisations/{organisation.pk}/erase/", {"confirm_name": "Severn", "reason": ""})

    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "confirm_name": ["Type “Severn Valley Water” exactly, to show this is the right one."],
        "reason": ["This field is required."],
    }


def test_erasure_removes_names_contacts_narratives_and_files_but_keeps_what_was_awarded(
    lead, media, django_capture_on_commit_callbacks
):
    cohort, organisation, enrolment, member, _assessment, _responses, evidence, _judge, scorecard = programme()
    stored = media / evidence.file.name
    certificate = Certificate.objects.create(
        cohort=cohort,
        enrolment=enrolment,
        serial="PQ-C03-0001",
        organisation_name="Severn Valley Water",
        level="accredited",
        cohort_label=str(cohort),
        awarded_on=date(2027, 7, 15),
    )
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(lead).post(
            f"/organisations/{organisation.pk}/erase/",
            {"confirm_name": "severn valley water", "reason": "E-mail from the organisation's admin, 3 March 2028"},
        )

    assert answer.status_code == 302
    organisation.refresh_from_db()
    alias = f"Erased organisation {organisation.pk}"
    assert (organisation.name, organisation.contact_name, organisation.contact_email, organisation.contact_phone) == (
        alias,
        "",
        "",
        "",
    )
    assert organisation.website == ""
    assert set(Response.objects.filter(assessment__enrolment=enrolment).values_list("narrative", flat=True)) == {""}
    assert set(Response.objects.filter(assessment__enrolment=enrolment).values_list("level", flat=True)) == {3}
    assert EvidenceFile.objects.filter(pk=evidence.pk).count() == 0
    assert not stored.exists()
    assert Membership.objects.active().filter(organisation=organisation).count() == 0
    assert User.objects.get(pk=member.pk).is_active  # the member's own account is theirs to close
    assert set(ScoreEntry.objects.filter(scorecard=scorecard).values_list("score", flat=True)) == {7}
    certificate.refresh_from_db()
    assert (certificate.organisation_name, certificate.status) == ("Severn Valley Water", "valid")
    text = audit_text()
    assert "Gwen Price" not in text
    assert "Severn Valley Water" not in text
    erased = AuditEvent.objects.get(action="organisation.erased")
    assert erased.note == "E-mail from the organisation's admin, 3 March 2028"
    assert erased.after["evidence_files"] == 1
    assert AuditEvent.objects.filter(action="evidence.erased").count() == 1
    assert organisation_privacy.erasure_refusal(organisation) is None


def test_erasure_leaves_longer_names_that_contain_the_erased_one(lead):
    erased = OrganisationFactory(name="Anglian Water")
    other = OrganisationFactory(name="Anglian Water Services")
    audit.record(actor=lead, action="organisation.updated", obj=other, note="Anglian Water Services, not Anglian Water")

    organisation_privacy.erase_organisation(organisation=erased, actor=lead, reason="Their letter of 3 March")

    note = AuditEvent.objects.get(action="organisation.updated").note
    assert note == f"Anglian Water Services, not Erased organisation {erased.pk}"


def test_closing_leaves_other_peoples_longer_names_alone():
    member = make_member(email="jo@example.org", full_name="Jo Smith")
    make_member(email="jo.jones@example.org", full_name="Jo Smith Jones")
    audit.record(actor=None, action="membership.ended", note="Jo Smith Jones replaced Jo Smith")

    alias = privacy.close_account(user=member)

    assert AuditEvent.objects.get(action="membership.ended").note == f"Jo Smith Jones replaced {alias}"
