from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Pillar(models.TextChoices):
    PEOPLE = "P", "People performance (P)"
    QUALITY = "Q", "Service quality (Q)"


MATURITY_LEVELS = {
    1: "Reacting",
    2: "Developing",
    3: "Established",
    4: "Advanced",
    5: "Leading",
}


class Framework(models.Model):
    """One version of the P&Q framework. A cohort keeps the version it
    started with; a version used by a cohort past enrolment is frozen."""

    version = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    def get_absolute_url(self):
        return reverse("frameworks:framework_detail", kwargs={"version": self.version})


class Criterion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    pillar = models.CharField(max_length=1, choices=Pillar.choices)
    code = models.CharField(max_length=10, help_text="P1, Q3…")
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    judging_only = models.BooleanField(
        default=False, help_text="Scored by the judges only (such as the on-site presentation); not self-assessed."
    )
    level_1 = models.TextField("level 1: Reacting")
    level_2 = models.TextField("level 2: Developing")
    level_3 = models.TextField("level 3: Established")
    level_4 = models.TextField("level 4: Advanced")
    level_5 = models.TextField("level 5: Leading")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="criterion_code_unique_in_framework"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]
        verbose_name_plural = "criteria"

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def levels(self) -> list[tuple[int, str, str]]:
        """(level, name, descriptor) from 1 Reacting to 5 Leading."""
        return [(n, MATURITY_LEVELS[n], getattr(self, f"level_{n}")) for n in range(1, 6)]


class KPI(models.Model):
    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True, help_text="%, seconds, score…")
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["criterion", "position", "id"]
        verbose_name = "KPI"

    def __str__(self):
        return f"{self.name} ({self.unit})" if self.unit else self.name
