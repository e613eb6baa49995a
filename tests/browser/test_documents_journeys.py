"""Documents in a real browser: the lead finds the certificates made when
the results were finalised and revokes one; anyone checks a certificate on
the public page; a member downloads their organisation's certificate."""

import pytest
from django.db import transaction

from documents.models import Certificate
from results import services as results
from tests.browser.test_journeys import sign_in, sign_out, submit
from tests.browser.test_programme_journeys import sign_in_as_lead, success_messages, text
from tests.documents.helpers import judged_cohort
from tests.factories import PASSWORD, make_lead

pytestmark = pytest.mark.browser


def test_lead_revokes_a_certificate_the_public_sees_it_and_a_member_downloads_theirs(journey, tmp_path):
    page = journey.page
    lead = make_lead(email="lena.lead@example.org", full_name="Lena Lead")
    cohort, enrolments = judged_cohort(names=("Alpha Water", "Beta Water"), scores=(8, 6))
    with transaction.atomic():
        results.finalise(cohort=cohort, actor=lead)
    alpha = Certificate.objects.get(enrolment=enrolments["Alpha Water"])
    beta = Certificate.objects.get(enrolment=enrolments["Beta Water"])

    sign_in_as_lead(journey, "lena.lead@example.org", "lead")
    journey.goto("/cohorts/3/", "cohort")
    page.locator("main a[href='/cohorts/3/documents/']").click()
    page.wait_for_load_state("load")
    journey.shot("documents")
    rows = {text(row.locator("td").nth(0)): text(row) for row in page.locator("main table tbody tr").all()}
    assert set(rows) == {alpha.serial, beta.serial}
    assert "Accredited with distinction" in rows[alpha.serial] and "Valid" in rows[alpha.serial]
    assert page.locator("main a", has_text="Download PDF").count() == 5  # award report, 2 certificates, 2 feedback

    page.locator(f"main a[href='/cohorts/3/certificates/{beta.serial}/revoke/']").click()
    page.wait_for_load_state("load")
    page.fill("main form textarea[name=reason]", "The evidence was found to be copied.")
    journey.shot("revoke")
    submit(journey, "main form:has(textarea[name=reason])")
    journey.shot("revoked")
    assert success_messages(page) == [f"Certificate {beta.serial} is revoked; the verification page now says so."]
    sign_out(journey, "lead")

    # Anyone, without signing in: the form needs the number and the name.
    journey.goto("/verify/", "verify")
    page.fill("main form input[name=serial]", beta.serial)
    page.fill("main form input[name=organisation_name]", "beta water")
    submit(journey, "main form:has(input[name=serial])")
    journey.shot("verify-revoked")
    assert text(page.locator("main .alert h2")) == "Revoked"
    assert "Reason: The evidence was found to be copied." in text(page.locator("main .alert"))
    page.fill("main form input[name=serial]", alpha.serial)
    page.fill("main form input[name=organisation_name]", "Alpha Water")
    submit(journey, "main form:has(input[name=serial])")
    journey.shot("verify-valid")
    assert text(page.locator("main .alert h2")) == "Valid certificate"
    journey.goto(f"/v/{alpha.code}/", "verify-by-code")
    assert text(page.locator("main .alert h2")) == "Valid certificate"

    # A member of Alpha downloads the certificate.
    member = enrolments["Alpha Water"].organisation.memberships.get().user
    sign_in(journey, email=member.email, password=PASSWORD, step="member")
    page.locator("header a[href='/organisation/documents/']").click()
    page.wait_for_load_state("load")
    journey.shot("member-documents")
    with page.expect_download() as download:
        page.locator("main a", has_text="Download the certificate (PDF)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"pq-certificate-{alpha.serial.lower()}.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
