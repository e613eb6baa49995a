"""Certificates and document jobs (DESIGN.md, "Documents").

Certificates follow the final results: each accredited finalist holds one
valid certificate at its level. Reissuing (a corrected name, say) supersedes
the old certificate; revoking ends it with a reason. Documents are asked for
here and made by documents.tasks.render_document, one Celery job each,
queued only once the surrounding transaction commits.
"""

from __future__ import annotations

import unicodedata

from celery import group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from documents.models import STALE_AFTER, Certificate, Document, DocumentBatch
from documents.tasks import render_document
from organisations.models import Membership
from results.models import ResultSnapshot

ACCREDITED_LEVELS = {
    EnrolmentStatus.ACCREDITED: Certificate.Level.ACCREDITED,
    EnrolmentStatus.ACCREDITED_DISTINCTION: Certificate.Level.DISTINCTION,
}
# A job still "running" this long after it started belongs to a worker that
# died without handing it back: it may be taken over.


# ---------------------------------------------------------------- certificates


def final_snapshot(cohort: Cohort) -> ResultSnapshot | None:
    return cohort.result_snapshots.filter(status=ResultSnapshot.Status.FINAL).first()


def _require_final(cohort: Cohort) -> ResultSnapshot:
    snapshot = final_snapshot(cohort)
    phase = Cohort.objects.filter(pk=cohort.pk).values_list("phase", flat=True).first()
    if snapshot is None or phase not in (Phase.RESULTS, Phase.CLOSED):
        raise ServiceError(
            f"Cohort {cohort.number}'s results are not final yet: certificates and reports are made "
            "once the results are finalised."
        )
    return snapshot


def _next_serial(cohort: Cohort) -> str:
    # Called with the cohort row locked, so two issues cannot take one number.
    count = Certificate.objects.filter(cohort=cohort).count()
    return f"PQ-{cohort.number:02d}-{count + 1:04d}"


def _new_certificate(*, cohort, enrolment, snapshot, level, actor, organisation_name=None) -> Certificate:
    return Certificate.objects.create(
        cohort=cohort,
        enrolment=enrolment,
        snapshot=snapshot,
        serial=_next_serial(cohort),
        organisation_name=organisation_name or enrolment.organisation.name,
        level=level,
        cohort_label=f"Cohort {cohort.number}: {cohort.name}",
        sponsor=cohort.sponsor,
        signatory_name=cohort.signatory_name,
        signatory_title=cohort.signatory_title,
        awarded_on=timezone.localdate(snapshot.finalised_at),
        issued_by=actor,
    )


def _end(certificate: Certificate, *, status, actor, reason: str):
    certificate.status = status
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = _user(actor)
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])


def _point(old: Certificate, *, to: Certificate) -> None:
    """Link a superseded certificate to its replacement (once the
    replacement exists: only one certificate per organisation is valid)."""
    old.replaced_by = to
    old.save(update_fields=["replaced_by"])


def _certificate_state(certificate: Certificate) -> dict:
    return {
        "serial": certificate.serial,
        "organisation": certificate.organisation_name,
        "level": certificate.level,
        "status": certificate.status,
    }


def _tell_members(certificate: Certificate, template: str, **context) -> None:
    recipients = list(
        Membership.objects.active()
        .filter(organisation_id=certificate.enrolment.organisation_id)
        .values_list("user__email", flat=True)
    )
    if recipients:
        send_templated_email(
            to=recipients,
            template=template,
            context={
                "certificate": certificate,
                "cohort": certificate.cohort,
                "url": absolute_url(reverse("documents:my_documents")),
                "verify_url": absolute_url(certificate.get_absolute_url()),
                **context,
            },
        )


@transaction.atomic
def issue_for_results(*, snapshot: ResultSnapshot, actor) -> list[Certificate]:
    """Bring the cohort's certificates in line with its final results.

    An accredited finalist without a valid certificate gets one; a valid
    certificate whose level changed is superseded by a new one at the new
    level; one whose organisation is no longer accredited is revoked.
    Side effects: certificates, audit entries, e-mails to the members, and
    the cohort's documents queued (see request_documents).
    """
    cohort = Cohort.objects.select_for_update().get(pk=snapshot.cohort_id)
    levels = {
        entry["enrolment"]: ACCREDITED_LEVELS.get(entry["level"])
        for entry in snapshot.data["finalists"]
        if entry["level"] in ACCREDITED_LEVELS
    }
    valid = {
        c.enrolment_id: c
        for c in Certificate.objects.filter(cohort=cohort, status=Certificate.Status.VALID).select_related(
            "enrolment__organisation"
        )
    }
    issued = []
    for certificate in valid.values():
        if certificate.enrolment_id not in levels:
            _end(
                certificate,
                status=Certificate.Status.REVOKED,
                actor=actor,
                reason=f"The results were finalised again (results {snapshot.number}) "
                "and the organisation is no longer accredited.",
            )
            audit.record(
                actor=actor,
                action="certificate.revoked",
                obj=certificate,
                before={"status": Certificate.Status.VALID},
                after={"status": certificate.status},
                note=certificate.revocation_reason,
            )
            _tell_members(certificate, "certificate_revoked")
    enrolments = Enrolment.objects.filter(pk__in=levels).select_related("organisation")
    for enrolment in enrolments:
        level = levels[enrolment.pk]
        old = valid.get(enrolment.pk)
        if old is not None and old.level == level:
            continue
        if old is not None:
            _end(
                old,
                status=Certificate.Status.SUPERSEDED,
                actor=actor,
                reason=f"The results were finalised again (results {snapshot.number}) with a different level.",
            )
        certificate = _new_certificate(cohort=cohort, enrolment=enrolment, snapshot=snapshot, level=level, actor=actor)
        if old is not None:
            _point(old, to=certificate)
            audit.record(
                actor=actor,
                action="certificate.reissued",
                obj=certificate,
                before=_certificate_state(old),
                after=_certificate_state(certificate),
                note=old.revocation_reason,
            )
            _tell_members(certificate, "certificate_reissued", old=old)
        else:
            audit.record(
                actor=actor, action="certificate.issued", obj=certificate, after=_certificate_state(certificate)
            )
            _tell_members(certificate, "certificate_issued")
        issued.append(certificate)
    request_documents(cohort=cohort, actor=actor)
    return issued


@transaction.atomic
def issue(*, enrolment: Enrolment, actor) -> Certificate:
    """Issue a certificate on demand to an accredited organisation that holds
    no valid one (after a revocation made in error, say)."""
    cohort = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
    snapshot = _require_final(cohort)
    enrolment = Enrolment.objects.select_related("organisation").get(pk=enrolment.pk)
    level = ACCREDITED_LEVELS.get(enrolment.status)
    if level is None:
        raise ServiceError(f"{enrolment.organisation.name} is not accredited in this cohort.")
    if Certificate.objects.filter(enrolment=enrolment, status=Certificate.Status.VALID).exists():
        raise ServiceError(f"{enrolment.organisation.name} already holds a valid certificate.")
    certificate = _new_certificate(cohort=cohort, enrolment=enrolment, snapshot=snapshot, level=level, actor=actor)
    audit.record(actor=actor, action="certificate.issued", obj=certificate, after=_certificate_state(certificate))
    _tell_members(certificate, "certificate_issued")
    request_documents(cohort=cohort, actor=actor, certificates=[certificate], reports=False)
    return certificate


def _locked_valid(certificate: Certificate) -> Certificate:
    certificate = (
        Certificate.objects.select_for_update(of=("self",)).select_related("cohort", "enrolment").get(pk=certificate.pk)
    )
    if certificate.status != Certificate.Status.VALID:
        raise ServiceError(
            f"Certificate {certificate.serial} is {certificate.get_status_display().lower()}: it cannot be changed."
        )
    return certificate


@transaction.atomic
def reissue(*, certificate: Certificate, actor, reason: str, organisation_name: str = "") -> Certificate:
    """A new certificate replacing `certificate` (a corrected name, a lost
    copy); the old one is marked superseded and says so when checked."""
    reason, organisation_name = reason.strip(), " ".join(organisation_name.split())
    if not reason:
        raise ServiceError("Give a reason for reissuing the certificate.")
    Cohort.objects.select_for_update().filter(pk=certificate.cohort_id).first()
    old = _locked_valid(certificate)
    snapshot = _require_final(old.cohort)
    _end(old, status=Certificate.Status.SUPERSEDED, actor=actor, reason=reason)
    new = _new_certificate(
        cohort=old.cohort,
        enrolment=old.enrolment,
        snapshot=snapshot,
        level=old.level,
        actor=actor,
        organisation_name=organisation_name or old.organisation_name,
    )
    _point(old, to=new)
    audit.record(
        actor=actor,
        action="certificate.reissued",
        obj=new,
        before=_certificate_state(old),
        after=_certificate_state(new),
        note=reason,
    )
    _tell_members(new, "certificate_reissued", old=old)
    request_documents(cohort=old.cohort, actor=actor, certificates=[new], reports=False)
    return new


@transaction.atomic
def revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """End a certificate: the verification page shows it revoked, with the
    date and the reason."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give a reason for revoking the certificate: the verification page shows it.")
    certificate = _locked_valid(certificate)
    _end(certificate, status=Certificate.Status.REVOKED, actor=actor, reason=reason)
    audit.record(
        actor=actor,
        action="certificate.revoked",
        obj=certificate,
        before={"status": Certificate.Status.VALID},
        after={"status": certificate.status},
        note=reason,
    )
    _tell_members(certificate, "certificate_revoked")
    return certificate


# ---------------------------------------------------------------- verification


def _normalised_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def normalised_serial(serial: str) -> str:
    return "".join(serial.split()).upper()


def find_by_serial_and_name(serial: str, organisation_name: str) -> Certificate | None:
    """The certificate with this serial, only if the name matches what it
    shows (ignoring case and spacing): a serial alone reveals nothing."""
    certificate = Certificate.objects.filter(serial=normalised_serial(serial)).first()
    if certificate is None or _normalised_name(certificate.organisation_name) != _normalised_name(organisation_name):
        return None
    return certificate


def find_by_code(code: str) -> Certificate | None:
    code = code.strip().upper()
    if not code.isalnum() or len(code) > 20:
        return None
    return Certificate.objects.filter(code=code).select_related("replaced_by").first()


# ---------------------------------------------------------------- documents


def request_documents(
    *,
    cohort: Cohort,
    actor,
    certificates: list[Certificate] | None = None,
    reports: bool = True,
    again: bool = False,
) -> DocumentBatch | None:
    """Queue the cohort's documents for its final results: each valid
    certificate's PDF, the award report and a feedback report per judged
    finalist (or only `certificates`, when given, and no reports).

    A document already made is left alone unless `again`; a failed one is
    queued again. Returns the batch of what was queued, or None when
    everything is already made. Side effects: Document rows, a
    DocumentBatch, one Celery job per document after commit.
    """
    snapshot = _require_final(cohort)
    if certificates is None:
        certificates = list(Certificate.objects.filter(cohort=cohort, status=Certificate.Status.VALID))
    wanted: list[tuple[str, dict]] = [
        (
            f"certificate:{c.serial}",
            {"kind": Document.Kind.CERTIFICATE, "certificate": c, "enrolment_id": c.enrolment_id},
        )
        for c in certificates
    ]
    if reports:
        wanted.append((f"award_report:{snapshot.pk}", {"kind": Document.Kind.AWARD_REPORT}))
        wanted += [
            (
                f"feedback_report:{snapshot.pk}:{entry['enrolment']}",
                {"kind": Document.Kind.FEEDBACK_REPORT, "enrolment_id": entry["enrolment"]},
            )
            for entry in snapshot.data["finalists"]
            if entry["judged"]
        ]
    existing = {d.key: d for d in Document.objects.filter(key__in=[key for key, _ in wanted])}
    to_queue = []
    for key, fields in wanted:
        document = existing.get(key)
        if document is None:
            document = Document.objects.create(
                key=key, cohort=cohort, snapshot=snapshot, requested_by=_user(actor), **fields
            )
            to_queue.append(document)
        elif document.status == Document.Status.FAILED or (again and document.status == Document.Status.DONE):
            to_queue.append(document)
    if not to_queue:
        return None
    batch = DocumentBatch.objects.create(
        cohort=cohort,
        title=_batch_title(to_queue),
        requested_by=_user(actor),
    )
    now = timezone.now()
    Document.objects.filter(pk__in=[d.pk for d in to_queue]).update(
        batch=batch, status=Document.Status.QUEUED, error="", queued_at=now, task_id=""
    )
    audit.record(
        actor=actor,
        action="documents.requested",
        obj=cohort,
        after={"documents": len(to_queue), "batch": batch.title},
    )
    _queue([d.pk for d in to_queue])
    return batch


def _batch_title(documents: list[Document]) -> str:
    counts = {}
    for d in documents:
        counts[d.kind] = counts.get(d.kind, 0) + 1
    words = {
        Document.Kind.CERTIFICATE: ("certificate", "certificates"),
        Document.Kind.AWARD_REPORT: ("award report", "award reports"),
        Document.Kind.FEEDBACK_REPORT: ("feedback report", "feedback reports"),
    }
    parts = [f"{n} {words[kind][0 if n == 1 else 1]}" for kind, n in counts.items()]
    return ", ".join(parts)


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def retry(*, document: Document, actor) -> Document:
    """Queue a failed (or stuck) document again: the lead's retry button."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    stuck = document.status == Document.Status.RUNNING and document.started_at < timezone.now() - STALE_AFTER
    if document.status != Document.Status.FAILED and not stuck:
        raise ServiceError(f"{document.title} is {document.get_status_display().lower()}: there is nothing to retry.")
    document.status = Document.Status.QUEUED
    document.error = ""
    document.task_id = ""
    document.queued_at = timezone.now()
    document.save(update_fields=["status", "error", "task_id", "queued_at"])
    audit.record(actor=actor, action="document.retried", obj=document.cohort, after={"document": document.title})
    _queue([document.pk])
    return document


def _queue(document_ids: list[int]) -> None:
    def send():
        if len(document_ids) == 1:
            render_document.delay(document_id=document_ids[0])
        else:
            group(render_document.si(document_id=pk) for pk in document_ids).apply_async()

    transaction.on_commit(send)
