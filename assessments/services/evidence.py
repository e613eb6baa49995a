"""Writes for evidence files: adding one to a response and removing it.
Each one checks the rules that do not depend on who asks (the lock, the
deadline, the limits, the file's type), then audits itself; who may ask is
the views' business (assessments.rules)."""

from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum

from assessments import evidence as checks
from assessments.models import EvidenceFile, Response, SelfAssessment
from cohorts.services.programme import submission_refusal
from core import audit
from core.errors import ServiceError

LOCKED = (
    "This self-assessment has been submitted, so its evidence files can no longer change. "
    "The programme lead can reopen it if something must change."
)


def closed_reason(assessment: SelfAssessment, *, now: datetime | None = None) -> str | None:
    """Why files cannot be added to or removed from the assessment now, or
    None when they can: after submission, and whenever the organisation
    could not submit (after the deadline without an extension, outside the
    self-assessment phase, after a withdrawal)."""
    if assessment.is_locked:
        return LOCKED
    refusal = submission_refusal(assessment.enrolment, now=now)
    if refusal:
        return f"{refusal} Evidence files can no longer be added or removed."
    return None


def stored_bytes(assessment: SelfAssessment) -> int:
    """The size of all the evidence files of the assessment together."""
    return EvidenceFile.objects.filter(response__assessment=assessment).aggregate(total=Sum("size"))["total"] or 0


def _locked_assessment(assessment_id: int, now: datetime | None) -> SelfAssessment:
    # The row lock makes concurrent uploads to one assessment take turns, so
    # that two of them cannot both fit under the total limit and together exceed it.
    assessment = (
        SelfAssessment.objects.select_for_update(of=("self",)).select_related("enrolment__cohort").get(pk=assessment_id)
    )
    reason = closed_reason(assessment, now=now)
    if reason:
        raise ServiceError(reason)
    return assessment


def _facts(evidence: EvidenceFile, response: Response) -> dict:
    return {
        "criterion": response.criterion.code,
        "file": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
    }


@transaction.atomic
def add_evidence(*, response: Response, upload: UploadedFile, actor, now: datetime | None = None) -> EvidenceFile:
    """Attach an uploaded file to the organisation's response for one criterion.

    Refuses (ServiceError, or its subclass EvidenceRejected for the file
    itself) when the assessment is submitted or past its deadline, the file
    is empty, over EVIDENCE_MAX_FILE_BYTES, would take the assessment over
    EVIDENCE_MAX_ASSESSMENT_BYTES, or is not an accepted type judged from
    its content and name.

    Side effects: the file stored under a random name in
    evidence/<assessment id>/ (the original name kept in the row); an
    EvidenceFile row; an audit entry "evidence.added" on the assessment.
    """
    assessment = _locked_assessment(response.assessment_id, now)
    name = checks.clean_name(upload.name or "")
    checks.check_size(
        upload.size,
        stored=stored_bytes(assessment),
        max_file=checks.max_file_bytes(),
        max_total=checks.max_assessment_bytes(),
    )
    upload.seek(0)
    _kind, content_type = checks.identify(upload.read(checks.HEAD_BYTES), name, file=upload)
    upload.seek(0)

    evidence = EvidenceFile(
        response=response, original_name=name, content_type=content_type, size=upload.size, uploaded_by=actor
    )
    evidence.file.save(name, upload, save=False)  # evidence_path chooses the random name
    try:
        evidence.save()
        audit.record(actor=actor, action="evidence.added", obj=assessment, after=_facts(evidence, response))
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def remove_evidence(*, evidence: EvidenceFile, actor, now: datetime | None = None) -> None:
    """Remove an evidence file, under the same rules as adding one.

    Side effects: the EvidenceFile row deleted; an audit entry
    "evidence.removed" on the assessment; the stored file deleted once the
    transaction commits (a rolled-back removal keeps it).
    """
    response = Response.objects.select_related("criterion").get(pk=evidence.response_id)
    assessment = _locked_assessment(response.assessment_id, now)
    evidence = EvidenceFile.objects.filter(pk=evidence.pk).first()
    if evidence is None:
        raise ServiceError("This file has already been removed.")
    audit.record(actor=actor, action="evidence.removed", obj=assessment, before=_facts(evidence, response))
    storage, stored_name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))
