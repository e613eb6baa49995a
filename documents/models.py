"""Certificates and generated documents (DESIGN.md, "Documents").

A Certificate is the authority on what was awarded: its serial, its public
code and its status (valid, revoked, superseded by a reissue). A Document is
one generated PDF: a certificate's, a cohort's award report or an
organisation's feedback report. Each Document has a unique key, so asking
for the same document twice finds the same row, and the Celery job that
renders it overwrites the one file it owns.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cohorts import levels
from cohorts.models import Cohort, Enrolment
from results.models import ResultSnapshot

# Crockford's base 32 without I, L, O, U: easy to read aloud and to type.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# A running job not heard of for longer than a task may run is taken to be
# lost (its worker died): it may be claimed again.
STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"
        SUPERSEDED = "superseded", "Superseded by a reissue"

    class Level(models.TextChoices):
        ACCREDITED = levels.ACCREDITED, "Accredited"
        DISTINCTION = levels.DISTINCTION, "Accredited with distinction"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificates")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="certificates")
    snapshot = models.ForeignKey(
        ResultSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="certificates"
    )
    serial = models.CharField(max_length=20, unique=True)
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code, editable=False)
    # What the certificate shows, as printed: later edits elsewhere do not change it.
    organisation_name = models.CharField(max_length=200)
    level = models.CharField(max_length=32, choices=Level.choices)
    cohort_label = models.CharField(max_length=260)
    sponsor = models.CharField(max_length=200, blank=True)
    signatory_name = models.CharField(max_length=120, blank=True)
    signatory_title = models.CharField(max_length=120, blank=True)
    awarded_on = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ["cohort", "organisation_name", "-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="valid"), name="one_valid_certificate_per_enrolment"
            )
        ]

    def __str__(self):
        return f"Certificate {self.serial} ({self.organisation_name})"

    def get_absolute_url(self):
        return reverse("documents:verify_code", kwargs={"code": self.code})

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID


class DocumentBatch(models.Model):
    """Documents asked for together (a cohort's set); its progress is how
    many of its documents are done or failed."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="document_batches")
    title = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Document(models.Model):
    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", "Certificate"
        AWARD_REPORT = "award_report", "Award report"
        FEEDBACK_REPORT = "feedback_report", "Feedback report"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    PENDING = (Status.QUEUED, Status.RUNNING)

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="documents")
    snapshot = models.ForeignKey(
        ResultSnapshot, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, null=True, blank=True, related_name="document"
    )
    batch = models.ForeignKey(DocumentBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="documents/", blank=True, max_length=255)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        if self.kind == self.Kind.CERTIFICATE and self.certificate_id:
            return f"Certificate {self.certificate.serial}"
        if self.kind == self.Kind.FEEDBACK_REPORT and self.enrolment_id:
            return f"Feedback report for {self.enrolment.organisation.name}"
        return f"Award report for cohort {self.cohort.number}"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @property
    def download_name(self) -> str:
        if self.kind == self.Kind.CERTIFICATE and self.certificate_id:
            return f"pq-certificate-{self.certificate.serial.lower()}.pdf"
        if self.kind == self.Kind.FEEDBACK_REPORT and self.enrolment_id:
            name = slugify(self.enrolment.organisation.name)[:60] or "organisation"
            return f"pq-feedback-cohort-{self.cohort.number}-{name}.pdf"
        return f"pq-award-report-cohort-{self.cohort.number}.pdf"

    def get_download_url(self):
        return reverse("documents:download", kwargs={"pk": self.pk})
