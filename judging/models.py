from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from frameworks.models import Criterion
from organisations.models import Organisation


class PanelInvitation(models.Model):
    """A person invited by e-mail (through an accounts.Invitation to the
    judge role) to sit on a cohort's panel; `seat` is the seat they took on
    accepting (judging.receivers)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="panel_invitations")
    invitation = models.ForeignKey("accounts.Invitation", on_delete=models.CASCADE, related_name="panel_invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    seat = models.OneToOneField(
        "judging.CohortJudge", on_delete=models.SET_NULL, null=True, blank=True, related_name="panel_invitation"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "invitation"], name="one_panel_invitation_per_invitation")
        ]

    def __str__(self):
        return f"{self.invitation.email} invited to cohort {self.cohort.number}'s panel"


class CohortJudge(models.Model):
    """A judge on a cohort's judging panel. Removing keeps the row."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="panel")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panels")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["judge__full_name", "judge__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "judge"], condition=Q(removed_at__isnull=True), name="one_active_panel_seat"
            )
        ]

    def __str__(self):
        return f"{self.judge} on cohort {self.cohort.number}'s panel"


class Relationship(models.TextChoices):
    CLIENT = "client", "Client"
    SUPPLIER = "supplier", "Supplier"
    FORMER_EMPLOYER = "former_employer", "Former employer"
    COMPETITOR = "competitor", "Competitor"
    OTHER = "other", "Other"


class ConflictDeclaration(models.Model):
    """A judge's conflict of interest with an organisation in a cohort.
    (Membership of the organisation is a conflict by itself, without a row.)"""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="conflicts")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="conflicts")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    note = models.TextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "judge", "organisation"], name="one_declaration_per_pair")
        ]

    def __str__(self):
        return f"{self.judge} – {self.organisation} ({self.get_relationship_display()})"


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class Assignment(models.Model):
    """A judge scores a finalist."""

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "By hand"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="assignments")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.AUTOMATIC)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["enrolment__organisation__name", "judge__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["judge", "enrolment"], condition=Q(removed_at__isnull=True), name="one_active_assignment"
            )
        ]

    def __str__(self):
        return f"{self.judge} judges {self.enrolment.organisation}"


class Scorecard(models.Model):
    """A judge's scores for one finalist (one per assignment).

    Draft → submitted (locked) → unlocked by the lead (draft again, counts
    only once resubmitted). Withdrawn when the judge declares a conflict
    with the finalist or is removed from the panel: it never counts."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    assignment = models.OneToOneField("judging.Assignment", on_delete=models.CASCADE, related_name="scorecard")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    strengths = models.TextField(blank=True)
    improvements = models.TextField("areas to improve", blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assignment__enrolment__organisation__name"]

    def __str__(self):
        return f"Scorecard of {self.assignment.judge} for {self.assignment.enrolment.organisation}"

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT


class ScoreEntry(models.Model):
    """A judge's whole-number score (0–10) and comment on one criterion."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criterion__position", "criterion__code"]
        verbose_name_plural = "score entries"
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="one_entry_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10), name="score_between_0_and_10"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.score}"
