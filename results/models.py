from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cohorts.models import Cohort


class ResultSnapshot(models.Model):
    """The results as finalised: totals, ranks, levels, awards and every
    score they came from, frozen. Never recomputed: reopening marks it
    superseded and finalising again makes a new one."""

    class Status(models.TextChoices):
        FINAL = "final", "Final"
        SUPERSEDED = "superseded", "Superseded"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="result_snapshots")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FINAL)
    finalised_at = models.DateTimeField(default=timezone.now)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)
    settings = models.JSONField(help_text="The cohort's mode and thresholds when it was finalised.")
    missing_scorecards = models.JSONField(default=list, blank=True)
    data = models.JSONField(help_text="Per finalist results, awards and the scores used.")

    class Meta:
        ordering = ["cohort", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="snapshot_number_unique"),
            models.UniqueConstraint(fields=["cohort"], condition=Q(status="final"), name="one_final_snapshot"),
        ]

    def __str__(self):
        return f"Results {self.number} of cohort {self.cohort.number} ({self.get_status_display().lower()})"
