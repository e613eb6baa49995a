"""What the documents pages show, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, EnrolmentStatus
from documents.models import STALE_AFTER, Certificate, Document, DocumentBatch
from documents.services import ACCREDITED_LEVELS, final_snapshot
from results.models import ResultSnapshot


@dataclass
class BatchProgress:
    batch: DocumentBatch
    total: int
    finished: int
    failed: int

    @property
    def pending(self) -> int:
        return self.total - self.finished

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


@dataclass
class CertificateRow:
    certificate: Certificate
    document: Document | None


@dataclass
class Panel:
    cohort: Cohort
    snapshot: ResultSnapshot | None
    award_report: Document | None = None
    feedback: list[Document] = field(default_factory=list)
    certificates: list[CertificateRow] = field(default_factory=list)
    without_certificate: list[Enrolment] = field(default_factory=list)
    batch: BatchProgress | None = None
    stuck_ids: set[int] = field(default_factory=set)

    @property
    def pending(self) -> bool:
        documents = [self.award_report, *self.feedback, *(row.document for row in self.certificates)]
        return any(d is not None and d.is_pending for d in documents)

    @property
    def missing(self) -> int:
        """Documents not made yet nor on their way (failed or never asked for)."""
        count = sum(1 for row in self.certificates if row.certificate.is_valid and row.document is None)
        documents = [self.award_report, *self.feedback, *(row.document for row in self.certificates)]
        count += sum(1 for d in documents if d is not None and d.status == Document.Status.FAILED)
        if self.award_report is None:
            count += 1
        return count


def cohort_panel(cohort: Cohort) -> Panel:
    snapshot = final_snapshot(cohort)
    panel = Panel(cohort=cohort, snapshot=snapshot)
    if snapshot is None:
        return panel
    documents = list(
        Document.objects.filter(cohort=cohort)
        .filter(Q(snapshot=snapshot) | Q(kind=Document.Kind.CERTIFICATE))
        .select_related("cohort", "enrolment__organisation", "certificate")
        .order_by("pk")
    )
    by_certificate = {}
    for document in documents:
        if document.kind == Document.Kind.AWARD_REPORT:
            panel.award_report = document
        elif document.kind == Document.Kind.FEEDBACK_REPORT:
            panel.feedback.append(document)
        else:
            by_certificate[document.certificate_id] = document
    panel.feedback.sort(key=lambda d: d.enrolment.organisation.name.casefold())
    certificates = (
        Certificate.objects.filter(cohort=cohort)
        .select_related("replaced_by")
        .order_by("organisation_name", "-issued_at")
    )
    panel.certificates = [CertificateRow(c, by_certificate.get(c.pk)) for c in certificates]
    holders = {row.certificate.enrolment_id for row in panel.certificates if row.certificate.is_valid}
    panel.without_certificate = list(
        cohort.enrolments.filter(status__in=list(ACCREDITED_LEVELS))
        .exclude(pk__in=holders)
        .select_related("organisation")
    )
    stale_before = timezone.now() - STALE_AFTER
    panel.stuck_ids = {
        d.pk for d in documents if d.status == Document.Status.RUNNING and d.started_at and d.started_at < stale_before
    }
    batch = (
        DocumentBatch.objects.filter(cohort=cohort)
        .annotate(
            total=Count("documents"),
            finished=Count("documents", filter=Q(documents__status__in=[Document.Status.DONE, Document.Status.FAILED])),
            failed=Count("documents", filter=Q(documents__status=Document.Status.FAILED)),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if batch is not None and batch.total:
        panel.batch = BatchProgress(batch, batch.total, batch.finished, batch.failed)
    return panel


@dataclass
class OrganisationDocuments:
    enrolment: Enrolment
    certificates: list[tuple[Certificate, Document | None]]
    feedback: Document | None


def member_documents(organisation_ids: list[int]) -> list[OrganisationDocuments]:
    """Per enrolment of the user's organisations with final results: its
    certificates (current and past) and its feedback report."""
    enrolments = list(
        Enrolment.objects.filter(
            organisation_id__in=organisation_ids, cohort__result_snapshots__status=ResultSnapshot.Status.FINAL
        )
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("cohort", "organisation")
        .order_by("-cohort__number", "organisation__name")
        .distinct()
    )
    ids = [e.pk for e in enrolments]
    certificates: dict[int, list] = {}
    documents = {
        d.certificate_id: d
        for d in Document.objects.filter(certificate__enrolment_id__in=ids, kind=Document.Kind.CERTIFICATE)
    }
    for certificate in Certificate.objects.filter(enrolment_id__in=ids).order_by("-issued_at"):
        certificates.setdefault(certificate.enrolment_id, []).append((certificate, documents.get(certificate.pk)))
    feedback = {
        d.enrolment_id: d
        for d in Document.objects.filter(
            enrolment_id__in=ids,
            kind=Document.Kind.FEEDBACK_REPORT,
            snapshot__status=ResultSnapshot.Status.FINAL,
        )
    }
    return [OrganisationDocuments(e, certificates.get(e.pk, []), feedback.get(e.pk)) for e in enrolments]
