import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from frameworks.models import KPI, Criterion


class SelfAssessment(models.Model):
    """One per enrolment: the organisation's answers for every criterion
    that is not judging-only."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    enrolment = models.OneToOneField("cohorts.Enrolment", on_delete=models.CASCADE, related_name="assessment")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The last reopening by the lead (set by services.reopen).
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["enrolment__organisation__name"]

    def __str__(self):
        return f"Self-assessment of {self.enrolment.organisation} (cohort {self.enrolment.cohort.number})"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Response(models.Model):
    """The organisation's answer for one criterion. `version` goes up with
    every save, so that a save based on an older version is detected as a
    conflict instead of overwriting a colleague's work."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    narrative = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["criterion__position", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="one_response_per_criterion"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5), name="level_between_1_and_5"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code} of {self.assessment}"

    @property
    def is_complete(self) -> bool:
        return self.level is not None and bool(self.narrative.strip())


class KPIValue(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="kpi_values")
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "kpi"], name="one_value_per_kpi")]

    def __str__(self):
        return f"{self.kpi}: {self.value}"


def evidence_path(instance, filename):
    # A random name outside static files; the original name is kept in the row.
    return f"evidence/{instance.response.assessment_id}/{uuid.uuid4().hex}"


class EvidenceFile(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
