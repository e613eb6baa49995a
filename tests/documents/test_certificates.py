"""Certificates: issued with the final results, rendered to PDF by a job,
reissued and revoked, and checked in public by code or by serial and name."""

import pytest
import zxingcpp
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from core.errors import ServiceError
from core.models import AuditEvent
from documents import jobs, services
from documents.models import STALE_AFTER, Certificate, Document
from documents.tasks import render_document
from judging.models import ScoreEntry
from results import services as results
from tests import pdfs
from tests.documents.helpers import finalise, judged_cohort
from tests.factories import make_cohort, make_judge

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalised(lead, django_capture_on_commit_callbacks):
    cohort, enrolments = judged_cohort()
    mail.outbox.clear()
    finalise(cohort, lead, django_capture_on_commit_callbacks)
    return cohort, enrolments


def certificate_of(enrolment) -> Certificate:
    return Certificate.objects.get(enrolment=enrolment, status="valid")


def test_finalising_issues_one_certificate_per_accredited_organisation_at_its_level(finalised):
    _cohort, enrolments = finalised
    issued = {c.organisation_name: (c.level, c.serial, c.status) for c in Certificate.objects.all()}
    assert issued == {
        "Alpha Water": ("accredited_distinction", "PQ-03-0001", "valid"),
        "Beta Water": ("accredited", "PQ-03-0002", "valid"),
    }
    alpha = certificate_of(enrolments["Alpha Water"])
    assert (alpha.cohort_label, alpha.sponsor, alpha.signatory_name) == (
        "Cohort 3: Cohort 3 name",
        "Clarity Analytics",
        "Dr Helen Price",
    )
    assert len(alpha.code) == 12 and alpha.code.isalnum()
    assert AuditEvent.objects.filter(action="certificate.issued").count() == 2
    certificate_mails = [m for m in mail.outbox if "certificate" in m.subject.lower()]
    assert sorted(m.to[0] for m in certificate_mails) == ["member-0-3@example.org", "member-1-3@example.org"]
    alpha_mail = next(m for m in certificate_mails if m.to == ["member-0-3@example.org"])
    assert "PQ-03-0001" in alpha_mail.body and "Accredited with distinction" in alpha_mail.body
    assert f"/v/{alpha.code}/" in alpha_mail.body


def test_the_certificate_pdf_shows_name_serial_level_and_embeds_its_fonts(finalised):
    _, enrolments = finalised
    document = certificate_of(enrolments["Alpha Water"]).document
    assert document.status == "done"
    text = pdfs.text(document.file.path)
    for expected in (
        "Alpha Water",
        "PQ-03-0001",
        "Accredited with distinction",
        "Cohort 3: Cohort 3 name",
        "Dr Helen Price",
        "Clarity Analytics",
    ):
        assert expected in text
    assert pdfs.pages(document.file.path) == 1
    fonts = pdfs.fonts(document.file.path)
    assert fonts and all(fonts.values()), fonts  # every font embedded


def test_the_qr_code_opens_the_verification_page(finalised, settings):
    _, enrolments = finalised
    certificate = certificate_of(enrolments["Beta Water"])
    [barcode] = zxingcpp.read_barcodes(pdfs.page_image(certificate.document.file.path, dpi=150))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == f"{settings.SITE_URL}/v/{certificate.code}/"


@pytest.mark.parametrize(
    "name",
    [
        "Dŵr Cymru Gwasanaethau Cwsmeriaid Cyf",
        "Łódzkie Wodociągi Spółka z o.o.",
        "北京客户服务中心有限公司",
        "Ελληνική Εξυπηρέτηση Πελατών and Служба поддержки клиентов",
        "Happy Customers 😀 Ltd",
        ("Very Long Organisation Name Customer Service Excellence Centre " * 4)[:200],
    ],
)
def test_any_name_renders_every_character_on_one_page(lead, django_capture_on_commit_callbacks, name):
    cohort, _enrolments = judged_cohort(names=(name,), scores=(7,))
    finalise(cohort, lead, django_capture_on_commit_callbacks)
    document = Certificate.objects.get().document
    assert document.status == "done"
    assert pdfs.pages(document.file.path) == 1
    text = " ".join(pdfs.text(document.file.path).split())
    expected = " ".join(name.replace("😀", "").split())
    for word in expected.split():
        assert word in text


def test_running_the_job_twice_stores_one_document(finalised, settings):
    _, enrolments = finalised
    document = certificate_of(enrolments["Alpha Water"]).document
    first = document.file.path
    assert render_document.apply(kwargs={"document_id": document.pk}).get() == "skipped"  # already done
    Document.objects.filter(pk=document.pk).update(status="queued")
    assert render_document.apply(kwargs={"document_id": document.pk}).get() == "done"
    assert render_document.apply(kwargs={"document_id": document.pk}).get() == "skipped"
    document.refresh_from_db()
    assert document.file.path == first
    assert Document.objects.filter(certificate__enrolment=enrolments["Alpha Water"]).count() == 1
    folder = settings.MEDIA_ROOT / "documents" / "cohort-3"
    assert sorted(p.name for p in folder.glob("certificate-*")) == [
        "certificate-PQ-03-0001.pdf",
        "certificate-PQ-03-0002.pdf",
    ]


def test_asking_for_the_documents_twice_queues_nothing_new(finalised, lead):
    cohort, _ = finalised
    count = Document.objects.count()
    assert services.request_documents(cohort=cohort, actor=lead) is None  # failed ones aside, nothing to do
    assert Document.objects.count() == count


def test_a_redelivered_job_takes_over_its_own_document_but_not_another_live_one(finalised):
    _, enrolments = finalised
    document = certificate_of(enrolments["Alpha Water"]).document
    Document.objects.filter(pk=document.pk).update(status="running", task_id="dead-worker", started_at=timezone.now())
    assert render_document.apply(kwargs={"document_id": document.pk}, task_id="another").get() == "skipped"
    # The worker died: the broker hands the same message (same task id) to another worker.
    assert render_document.apply(kwargs={"document_id": document.pk}, task_id="dead-worker").get() == "done"
    # A job stuck past the time limit may be taken over by any worker.
    Document.objects.filter(pk=document.pk).update(
        status="running", task_id="stuck", started_at=timezone.now() - STALE_AFTER * 2
    )
    assert render_document.apply(kwargs={"document_id": document.pk}, task_id="rescuer").get() == "done"


def test_a_failing_document_is_recorded_with_its_reason_and_can_be_retried(
    finalised, lead, monkeypatch, django_capture_on_commit_callbacks
):
    _, enrolments = finalised
    document = certificate_of(enrolments["Beta Water"]).document
    Document.objects.filter(pk=document.pk).update(status="queued")
    monkeypatch.setattr(jobs, "build", lambda d: (_ for _ in ()).throw(ValueError("the template is broken")))
    assert render_document.apply(kwargs={"document_id": document.pk}).get() == "failed"
    document.refresh_from_db()
    assert (document.status, document.error) == ("failed", "ValueError: the template is broken")
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(document=document, actor=lead)
    document.refresh_from_db()
    assert document.status == "done"
    with pytest.raises(ServiceError):
        services.retry(document=document, actor=lead)


def test_a_transient_failure_in_process_is_recorded_after_one_try(finalised, monkeypatch):
    _, enrolments = finalised
    document = certificate_of(enrolments["Beta Water"]).document
    Document.objects.filter(pk=document.pk).update(status="queued")
    monkeypatch.setattr(jobs, "build", lambda d: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    assert render_document.apply(kwargs={"document_id": document.pk}).get() == "failed"
    document.refresh_from_db()
    assert document.error.startswith("Could not be made after 1 tries: OSError")


# ---------------------------------------------------------------- verification


def test_the_code_link_shows_what_the_certificate_shows_and_nothing_more(client, finalised):
    _, enrolments = finalised
    certificate = certificate_of(enrolments["Alpha Water"])
    response = client.get(f"/v/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("Valid certificate", "Alpha Water", "Accredited with distinction", "PQ-03-0001", "Dr Helen Price"):
        assert shown in page
    for hidden in ("80.0", "Judge 1", "member-0-3@example.org", "Comment from"):
        assert hidden not in page


def test_codes_are_case_insensitive_and_unknown_or_malformed_ones_get_a_clear_404(client, finalised):
    _, enrolments = finalised
    certificate = certificate_of(enrolments["Alpha Water"])
    assert client.get(f"/v/{certificate.code.lower()}/").status_code == 200
    for code in ("ZZZZZZZZZZZZ", "%3Cscript%3E", "x" * 300, "PQ-03-0001"):
        response = client.get(f"/v/{code}/")
        assert response.status_code == 404
        assert "does not match any certificate" in response.content.decode()


def test_revocation_shows_on_the_verification_page_with_date_and_reason(
    client, finalised, lead, django_capture_on_commit_callbacks
):
    _, enrolments = finalised
    certificate = certificate_of(enrolments["Beta Water"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke(certificate=certificate, actor=lead, reason="Evidence found to be copied.")
    page = client.get(f"/v/{certificate.code}/").content.decode()
    assert "Revoked" in page and "Evidence found to be copied." in page
    certificate.refresh_from_db()
    assert f"{certificate.revoked_at:%-d %B %Y}" in page
    assert [m.to for m in mail.outbox] == [["member-1-3@example.org"]]
    assert "revoked" in mail.outbox[0].subject
    event = AuditEvent.objects.get(action="certificate.revoked")
    assert (event.actor, event.before, event.after, event.note) == (
        lead,
        {"status": "valid"},
        {"status": "revoked"},
        "Evidence found to be copied.",
    )


def test_reissue_with_a_corrected_name_supersedes_the_old_certificate(
    client, finalised, lead, django_capture_on_commit_callbacks
):
    _, enrolments = finalised
    old = certificate_of(enrolments["Beta Water"])
    with django_capture_on_commit_callbacks(execute=True):
        new = services.reissue(
            certificate=old, actor=lead, reason="Name misspelt.", organisation_name="  Beta   Water plc "
        )
    old.refresh_from_db()
    assert (old.status, old.replaced_by, new.organisation_name, new.serial) == (
        "superseded",
        new,
        "Beta Water plc",
        "PQ-03-0003",
    )
    page = client.get(f"/v/{old.code}/").content.decode()
    assert "Superseded by a reissue" in page and "PQ-03-0003" in page
    document = Document.objects.get(certificate=new)
    assert document.status == "done" and "Beta Water plc" in pdfs.text(document.file.path)
    with pytest.raises(ServiceError, match="superseded"):
        services.revoke(certificate=old, actor=lead, reason="again")


def test_the_form_needs_the_serial_together_with_the_name(client, finalised):
    url = reverse("documents:verify")
    ok = client.post(url, {"serial": " pq-03-0001 ", "organisation_name": "alpha   WATER"})
    assert ok.status_code == 200 and "Valid certificate" in ok.content.decode()
    wrong_name = client.post(url, {"serial": "PQ-03-0001", "organisation_name": "Beta Water"})
    unknown = client.post(url, {"serial": "PQ-03-9999", "organisation_name": "Alpha Water"})
    assert wrong_name.status_code == unknown.status_code == 404
    assert "Alpha Water" not in wrong_name.content.decode().split("No certificate found")[1].split("<form")[0]
    empty = client.post(url, {"serial": "", "organisation_name": ""})
    assert empty.status_code == 422 and "This field is required" in empty.content.decode()


def test_the_public_check_is_rate_limited_by_client_address(client, finalised, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "verify_certificate": "3/m/ip"}
    url = reverse("documents:verify")
    data = {"serial": "PQ-03-0001", "organisation_name": "Alpha Water"}
    codes = [client.post(url, data, REMOTE_ADDR="203.0.113.5").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.post(url, data, REMOTE_ADDR="203.0.113.6").status_code == 200
    assert client.get("/v/ZZZZZZZZZZZZ/", REMOTE_ADDR="203.0.113.5").status_code == 429


# ---------------------------------------------------------------- results change


def test_finalising_again_with_a_new_level_reissues_and_a_lost_accreditation_revokes(
    finalised, lead, django_capture_on_commit_callbacks
):
    cohort, enrolments = finalised
    alpha, beta = certificate_of(enrolments["Alpha Water"]), certificate_of(enrolments["Beta Water"])
    results.reopen(cohort=cohort, actor=lead, reason="A judge's scores were mis-keyed.")
    ScoreEntry.objects.filter(scorecard__assignment__enrolment=enrolments["Alpha Water"]).update(score=7)
    ScoreEntry.objects.filter(scorecard__assignment__enrolment=enrolments["Beta Water"]).update(score=5)
    cohort.refresh_from_db()
    finalise(cohort, lead, django_capture_on_commit_callbacks)
    alpha.refresh_from_db()
    beta.refresh_from_db()
    assert (alpha.status, alpha.replaced_by.level, alpha.replaced_by.status) == ("superseded", "accredited", "valid")
    assert beta.status == "revoked" and "no longer accredited" in beta.revocation_reason
    assert Enrolment.objects.get(pk=enrolments["Beta Water"].pk).status == "not_accredited"


def test_documents_are_refused_before_results_are_final(lead, lead_client):
    cohort = make_cohort(number=4, phase="judging")
    with pytest.raises(ServiceError, match="not final"):
        services.request_documents(cohort=cohort, actor=lead)
    page = lead_client.get(reverse("documents:cohort_documents", args=[4]))
    assert page.status_code == 200 and "once the results of cohort 4 are finalised" in page.content.decode()
    response = lead_client.post(reverse("documents:generate", args=[4]), follow=True)
    assert "not final yet" in response.content.decode()
    assert Document.objects.count() == 0


# ---------------------------------------------------------------- pages and downloads


def test_downloads_go_to_those_allowed_as_attachments(client, finalised, lead):
    _, enrolments = finalised
    alpha_document = certificate_of(enrolments["Alpha Water"]).document
    url = alpha_document.get_download_url()
    assert client.get(url).status_code == 302  # to log in
    alpha_member = enrolments["Alpha Water"].organisation.memberships.get().user
    client.force_login(alpha_member)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pq-certificate-pq-03-0001.pdf"'
    assert response.content.startswith(b"%PDF")
    award = Document.objects.get(kind="award_report")
    assert client.get(award.get_download_url()).status_code == 404  # the award report is the lead's
    beta_member = enrolments["Beta Water"].organisation.memberships.get().user
    client.force_login(beta_member)
    assert client.get(url).status_code == 404  # another organisation's: no sign it exists
    client.force_login(make_judge(email="other-judge@example.org"))
    assert client.get(url).status_code == 403
    client.force_login(lead)
    assert client.get(url).status_code == 200


def test_a_revoked_certificate_is_no_longer_downloadable_by_members(client, finalised, lead):
    _, enrolments = finalised
    certificate = certificate_of(enrolments["Alpha Water"])
    services.revoke(certificate=certificate, actor=lead, reason="Issued in error.")
    client.force_login(enrolments["Alpha Water"].organisation.memberships.get().user)
    assert client.get(certificate.document.get_download_url()).status_code == 404


def test_revoking_through_the_page_needs_a_reason_and_a_revoked_one_stays_revoked(lead_client, finalised):
    _, enrolments = finalised
    certificate = certificate_of(enrolments["Beta Water"])
    url = reverse("documents:revoke_certificate", args=[3, certificate.serial])
    page = lead_client.get(url)
    assert page.status_code == 200
    history = page.content.decode().split("History of this certificate")[1]
    assert "</strong> issued Certificate PQ-03-0002 (Beta Water)" in history
    assert lead_client.post(url, {"reason": "  "}).status_code == 200  # the form again, with the error
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert lead_client.post(url, {"reason": "Withdrew consent."}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    again = lead_client.post(url, {"reason": "Again."}, follow=True)
    assert "is revoked: it cannot be changed" in again.content.decode()
    assert (
        lead_client.post(
            reverse("documents:reissue_certificate", args=[3, certificate.serial]),
            {"reason": "x", "organisation_name": "Beta"},
        ).status_code
        == 302
    )
    assert Certificate.objects.filter(enrolment=enrolments["Beta Water"]).count() == 1


def test_issue_on_demand_after_a_revocation(lead_client, finalised, lead, django_capture_on_commit_callbacks):
    _, enrolments = finalised
    services.revoke(certificate=certificate_of(enrolments["Beta Water"]), actor=lead, reason="Made in error.")
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            reverse("documents:issue_certificate", args=[3, enrolments["Beta Water"].pk]), follow=True
        )
    assert "Certificate PQ-03-0003 was issued to Beta Water" in response.content.decode()
    assert certificate_of(enrolments["Beta Water"]).document.status == "done"
    again = lead_client.post(
        reverse("documents:issue_certificate", args=[3, enrolments["Gamma Water"].pk]), follow=True
    )
    assert "is not accredited" in again.content.decode()


def test_members_and_judges_cannot_use_the_lead_pages(client, finalised, member):
    client.force_login(member)
    assert client.get(reverse("documents:cohort_documents", args=[3])).status_code == 403
    assert client.post(reverse("documents:generate", args=[3])).status_code == 403


def test_the_documents_page_runs_the_same_queries_for_more_certificates(
    lead, lead_client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    counts = []
    for number, names in ((3, ("A1", "A2")), (4, ("B1", "B2", "B3", "B4", "B5"))):
        cohort, _ = judged_cohort(names=names, scores=(7,) * len(names), number=number)
        finalise(cohort, lead, django_capture_on_commit_callbacks)
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(reverse("documents:cohort_documents", args=[number])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_members_see_their_certificates_and_feedback_reports(client, finalised):
    _, enrolments = finalised
    client.force_login(enrolments["Alpha Water"].organisation.memberships.get().user)
    page = client.get(reverse("documents:my_documents")).content.decode()
    assert "PQ-03-0001" in page and "Download the certificate (PDF)" in page
    assert "PQ-03-0002" not in page


def test_the_documents_page_lists_every_document_with_its_state(lead_client, finalised):
    page = lead_client.get(reverse("documents:cohort_documents", args=[3])).content.decode()
    assert "PQ-03-0001" in page and "PQ-03-0002" in page
    assert "Award report" in page and "Feedback report for Alpha Water" in page
    assert page.count("Download PDF") >= 2
