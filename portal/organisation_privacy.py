"""An organisation's data (UK GDPR): the lead's export and erasure when an
organisation asks. What erasure keeps, and why, is in `erase_organisation`."""

import tempfile
import zipfile
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Invitation, User
from assessments.models import EvidenceFile, Response, SelfAssessment
from cohorts.models import Application, Enrolment, EnrolmentStatus, Phase
from core import audit, trail
from core.audit import names_containing, pseudonymise_audit_trail
from core.errors import ServiceError
from core.models import OutboundEmail
from documents.models import Certificate
from organisations.models import Membership, Organisation
from portal.privacy import audit_entry, to_json

ERASED = "[erased]"


def _organisation_entries(organisation: Organisation):
    """Audit entries about the organisation, its enrolments and their self-assessments, oldest first."""
    enrolments = Enrolment.objects.filter(organisation=organisation)
    return trail.oldest_first(organisation, enrolments, SelfAssessment.objects.filter(enrolment__in=enrolments))


def _answers(assessment: SelfAssessment, folder: str, files: list[tuple[str, EvidenceFile]]) -> list[dict]:
    """The assessment's answers; its evidence files go into `files` with
    their path in the archive (under `folder`)."""
    answers = []
    for response in (
        assessment.responses.select_related("criterion", "updated_by")
        .prefetch_related("kpi_values__kpi", "evidence")
        .order_by("criterion__position", "criterion__code")
    ):
        evidence = []
        for item in response.evidence.all():
            path = f"{folder}/{response.criterion.code}/{item.pk}-{item.original_name}"
            files.append((path, item))
            evidence.append({"file": item.original_name, "size": item.size, "uploaded": item.uploaded_at, "path": path})
        answers.append(
            {
                "criterion": response.criterion.code,
                "title": response.criterion.title,
                "level": response.level,
                "narrative": response.narrative,
                "kpis": [
                    {"name": value.kpi.name, "unit": value.kpi.unit, "value": value.value}
                    for value in response.kpi_values.all()
                ],
                "evidence": evidence,
                "saved": response.updated_at,
                "saved_by": response.updated_by.email if response.updated_by else None,
            }
        )
    return answers


def organisation_data(organisation: Organisation) -> tuple[dict, list[tuple[str, EvidenceFile]]]:
    """The organisation's data as plain values, and its evidence files with
    the path each takes in the archive."""
    files: list[tuple[str, EvidenceFile]] = []
    enrolments = []
    for enrolment in (
        Enrolment.objects.filter(organisation=organisation)
        .select_related("cohort", "assessment")
        .order_by("cohort__number")
    ):
        assessment = getattr(enrolment, "assessment", None)
        enrolments.append(
            {
                "cohort": enrolment.cohort.number,
                "cohort_name": enrolment.cohort.name,
                "status": enrolment.get_status_display(),
                "enrolled": enrolment.enrolled_at,
                "withdrawn": enrolment.withdrawn_at,
                "withdrawal_reason": enrolment.withdrawal_reason,
                "self_assessment": None
                if assessment is None
                else {
                    "status": assessment.get_status_display(),
                    "submitted": assessment.submitted_at,
                    "answers": _answers(assessment, f"evidence/cohort-{enrolment.cohort.number}", files),
                },
            }
        )

    data = {
        "exported_at": timezone.now(),
        "organisation": {
            "id": organisation.pk,
            "name": organisation.name,
            "sector": organisation.get_sector_display(),
            "size": organisation.get_size_display(),
            "contact_name": organisation.contact_name,
            "contact_email": organisation.contact_email,
            "telephone": organisation.contact_phone,
            "website": organisation.website,
            "created": organisation.created_at,
        },
        "members": [
            {
                "name": membership.user.full_name,
                "email": membership.user.email,
                "role": membership.get_role_display(),
                "joined": membership.created_at,
                "ended": membership.ended_at,
            }
            for membership in organisation.memberships.select_related("user").order_by("created_at")
        ],
        "invitations": [
            {"email": invitation.email, "sent": invitation.sent_at, "status": invitation.get_status_display()}
            for invitation in Invitation.objects.filter(organisation=organisation).order_by("created_at")
        ],
        "applications": [
            {
                "cohort": application.cohort.number,
                "organisation_name": application.organisation_name,
                "telephone": application.contact_phone,
                "website": application.website,
                "why_you_want_to_take_part": application.motivation,
                "status": application.get_status_display(),
                "applied": application.created_at,
            }
            for application in Application.objects.filter(organisation=organisation)
            .select_related("cohort")
            .order_by("created_at")
        ],
        "enrolments": enrolments,
        "certificates": [
            {
                "serial": certificate.serial,
                "level": certificate.get_level_display(),
                "status": certificate.get_status_display(),
                "awarded_on": certificate.awarded_on,
                "issued": certificate.issued_at,
            }
            for certificate in Certificate.objects.filter(enrolment__organisation=organisation).order_by("issued_at")
        ],
        "audit_trail": [audit_entry(event) for event in _organisation_entries(organisation)],
    }
    return data, files


def organisation_archive(*, organisation: Organisation, actor) -> IO[bytes]:
    """A zip archive of the organisation's data: data.json and every evidence
    file, in a temporary file (rewound) for the caller to send.

    Side effects: an audit entry "organisation.exported".
    """
    data, files = organisation_data(organisation)
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    missing = []
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path, evidence in files:
            try:
                with evidence.file.open("rb") as stored:
                    bundle.writestr(path, stored.read())
            except FileNotFoundError:
                missing.append(path)
        data["missing_from_storage"] = missing
        bundle.writestr("data.json", to_json(data))
    archive.seek(0)
    audit.record(actor=actor, action="organisation.exported", obj=organisation, after={"evidence_files": len(files)})
    return archive


def archive_name(organisation: Organisation) -> str:
    return f"pq-organisation-{slugify(organisation.name)[:60] or organisation.pk}-{timezone.localdate():%Y%m%d}.zip"


# Phases in which the organisation's self-assessment is still in use.
IN_USE_PHASES = (Phase.ENROLMENT, Phase.SELF_ASSESSMENT, Phase.SHORTLISTING, Phase.JUDGING, Phase.RESULTS)


def erasure_refusal(organisation: Organisation) -> str | None:
    """Why the organisation's data cannot be erased now, or None."""
    enrolment = (
        Enrolment.objects.filter(organisation=organisation, cohort__phase__in=IN_USE_PHASES)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("cohort")
        .order_by("cohort__number")
        .first()
    )
    if enrolment is None:
        return None
    cohort = enrolment.cohort
    what_next = (
        f"Erase it once cohort {cohort.number} has closed."
        if cohort.phase == Phase.RESULTS
        else f"Withdraw it from cohort {cohort.number} first, or erase it once the cohort has closed."
    )
    return (
        f"{organisation.name} takes part in cohort {cohort.number}, which is in "
        f"{Phase(cohort.phase).label.lower()}: erasing its data now would take its self-assessment away from "
        f"shortlisting, judging and the results. {what_next}"
    )


def erased_name(organisation: Organisation) -> str:
    return f"Erased organisation {organisation.pk}"


@transaction.atomic
def erase_organisation(*, organisation: Organisation, actor, reason: str) -> dict:
    """Erase an organisation's data at its request (`reason`: the request).

    Refused (ServiceError) while it takes part in a cohort between
    enrolment and results (see `erasure_refusal`).

    Erased: its name (everywhere but the certificates already issued and the
    frozen results), contact name, e-mail address, telephone and website;
    its self-assessment narratives; every evidence file (rows now, stored
    files after commit); the free text of its applications; invitations to
    it (pending ones cancelled, addresses replaced); its members' active
    memberships (their own accounts stay theirs to close); e-mails to its
    contact address when no account uses it; its names and contact details
    in the audit trail.

    Kept, so that what was awarded stays true and checkable: maturity levels
    and KPI values (numbers that fed the shortlist and the results), the
    judges' scores and comments, result snapshots, certificates (a printed
    certificate still verifies) and generated documents.

    Side effects: the above; an audit entry "evidence.erased" per file and
    one "organisation.erased" with the counts. Returns the counts.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say whose request this is and when it was made, for the audit trail.")
    refusal = erasure_refusal(organisation)
    if refusal:
        raise ServiceError(refusal)
    now = timezone.now()
    before = {
        "name": organisation.name,
        "contact_name": organisation.contact_name,
        "contact_email": organisation.contact_email,
        "contact_phone": organisation.contact_phone,
    }
    alias = erased_name(organisation)

    evidence = list(
        EvidenceFile.objects.filter(response__assessment__enrolment__organisation=organisation).select_related(
            "response__criterion", "response__assessment"
        )
    )
    stored = [(item.file.storage, item.file.name) for item in evidence]
    for item in evidence:
        audit.record(
            actor=actor,
            action="evidence.erased",
            obj=item.response.assessment,
            before={"criterion": item.response.criterion.code, "file": item.original_name, "size": item.size},
            note=reason,
        )
    EvidenceFile.objects.filter(pk__in=[item.pk for item in evidence]).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])

    narratives = (
        Response.objects.filter(assessment__enrolment__organisation=organisation)
        .exclude(narrative="")
        .update(narrative="")
    )
    applications = Application.objects.filter(organisation=organisation).update(
        organisation_name=alias, contact_phone="", website="", motivation=""
    )
    Invitation.objects.pending().filter(organisation=organisation).update(cancelled_at=now)
    invitations = 0
    for invitation in Invitation.objects.filter(organisation=organisation).exclude(email__endswith="@invalid"):
        Invitation.objects.filter(pk=invitation.pk).update(email=f"erased-invitation-{invitation.pk}@invalid")
        invitations += 1
    memberships = Membership.objects.active().filter(organisation=organisation).update(ended_at=now, ended_by=actor)
    emails = 0
    if organisation.contact_email and not User.objects.filter(email__iexact=organisation.contact_email).exists():
        emails, _ = OutboundEmail.objects.filter(to__iexact=organisation.contact_email).delete()

    organisation.name = alias
    organisation.contact_name = ""
    organisation.contact_email = ""
    organisation.contact_phone = ""
    organisation.website = ""
    organisation.save(update_fields=["name", "contact_name", "contact_email", "contact_phone", "website"])

    replacements = {before["name"]: alias}
    for field in ("contact_name", "contact_email", "contact_phone"):
        if before[field]:
            replacements[before[field]] = ERASED
    # Other organisations and people whose names contain these stay as they are.
    others = [
        *Organisation.objects.exclude(pk=organisation.pk).values_list("name", flat=True),
        *User.objects.exclude(full_name="").values_list("full_name", flat=True),
    ]
    keep = [name for text in replacements for name in names_containing(text, others)]
    pseudonymise_audit_trail(replacements=replacements, keep=keep)
    counts = {
        "evidence_files": len(evidence),
        "narratives": narratives,
        "applications": applications,
        "invitations": invitations,
        "memberships_ended": memberships,
        "emails": emails,
    }
    audit.record(actor=actor, action="organisation.erased", obj=organisation, after=counts, note=reason)
    return counts
