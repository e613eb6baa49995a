"""Who may make, change and download documents."""

import rules

from accounts.rules import is_programme_lead
from documents.models import Certificate, Document
from organisations.rules import is_member_of


@rules.predicate
def is_own_organisation_document(user, document) -> bool:
    """A member may download their organisation's feedback report and its
    valid certificates; never the award report, which names the judges."""
    if document is None or document.enrolment_id is None or document.kind == Document.Kind.AWARD_REPORT:
        return False
    if document.kind == Document.Kind.CERTIFICATE and document.certificate.status != Certificate.Status.VALID:
        return False
    return is_member_of(user, document.enrolment.organisation)


rules.add_perm("documents.manage_documents", is_programme_lead)
rules.add_perm("documents.download_document", is_programme_lead | is_own_organisation_document)

# The Django admin is the lead's fallback (read-only here).
for perm in ("view_certificate", "view_documentbatch", "view_document"):
    rules.add_perm(f"documents.{perm}", is_programme_lead)
rules.add_perm("documents", is_programme_lead)  # the app's section of the admin
