import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cohorts import levels, timeline
from organisations.models import Organisation, Sector, Size


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value} is not a time zone we know, such as Europe/London.")


class Phase(models.TextChoices):
    DRAFT = "draft", "Draft"
    ENROLMENT = "enrolment", "Enrolment"
    SELF_ASSESSMENT = "self_assessment", "Self-assessment"
    SHORTLISTING = "shortlisting", "Shortlisting"
    JUDGING = "judging", "Judging"
    RESULTS = "results", "Results"
    CLOSED = "closed", "Closed"


PHASE_ORDER = list(Phase.values)


class Cohort(models.Model):
    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    name = models.CharField(max_length=200)
    sponsor = models.CharField(max_length=200, blank=True)
    signatory_name = models.CharField(
        "certificate signatory", max_length=120, blank=True, help_text="The person whose name signs the certificates."
    )
    signatory_title = models.CharField(
        "signatory's title", max_length=120, blank=True, help_text="For example: Programme Director."
    )
    retention_days = models.PositiveIntegerField(
        "keep evidence and drafts for (days)",
        default=730,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text="Evidence files and unsubmitted drafts are deleted this many days after the cohort closes.",
    )
    start_date = models.DateField()
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    framework = models.ForeignKey(
        "frameworks.Framework",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
        help_text="The version of the P&Q framework the cohort uses; it keeps it once self-assessment starts.",
    )
    judges_per_finalist = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    normalise_scores = models.BooleanField(
        "normalise judges' scores",
        default=False,
        help_text="Rescale each judge's scores to the cohort's mean and spread before averaging.",
    )
    pass_threshold = models.DecimalField(
        "accreditation threshold",
        max_digits=5,
        decimal_places=2,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Total out of 100 needed to be accredited.",
    )
    distinction_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=75,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Total out of 100 needed for accreditation with distinction.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set by the services that make the change (never read back from the
    # audit trail): the phase move into closed (cleared by a move back),
    # and judging's shortlist announcement.
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the cohort last moved into closed; retention counts from here."
    )
    shortlist_announced_at = models.DateTimeField(null=True, blank=True)
    shortlist_announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(distinction_threshold__gte=models.F("pass_threshold")),
                name="distinction_not_below_pass",
            )
        ]

    def __str__(self):
        return f"Cohort {self.number}: {self.name}"

    def get_absolute_url(self):
        return reverse("cohorts:cohort_detail", kwargs={"number": self.number})

    @property
    def code(self) -> str:
        return f"C{self.number:02d}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def milestone_date(self, kind: str) -> date | None:
        """The date of the first milestone of `kind` (uses prefetched
        milestones when they are loaded)."""
        for milestone in self.milestones.all():
            if milestone.kind == kind:
                return milestone.date
        return None

    @property
    def self_assessment_deadline(self) -> datetime | None:
        day = self.milestone_date(timeline.SELF_ASSESSMENT_DEADLINE)
        return timeline.deadline_at(day, self.time_zone) if day else None

    @property
    def judging_deadline(self) -> datetime | None:
        day = self.milestone_date(timeline.JUDGING_DEADLINE)
        return timeline.deadline_at(day, self.time_zone) if day else None


class Milestone(models.Model):
    class Kind(models.TextChoices):
        KICK_OFF = timeline.KICK_OFF, "Kick-off"
        WORKSHOP = timeline.WORKSHOP, "Workshop"
        SELF_ASSESSMENT_DEADLINE = timeline.SELF_ASSESSMENT_DEADLINE, "Self-assessment deadline"
        FINALISTS_ANNOUNCED = timeline.FINALISTS_ANNOUNCED, "Finalists announced"
        JUDGING = timeline.JUDGING, "Judging and on-site presentations"
        JUDGING_DEADLINE = timeline.JUDGING_DEADLINE, "Judging deadline"
        AWARD_CEREMONY = timeline.AWARD_CEREMONY, "Award ceremony"
        OTHER = timeline.OTHER, "Other"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    date = models.DateField()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "kind"],
                condition=Q(kind__in=sorted(timeline.DEADLINE_KINDS)),
                name="one_of_each_deadline_per_cohort",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d %b %Y})"

    @property
    def is_deadline(self) -> bool:
        return self.kind in timeline.DEADLINE_KINDS

    def moment(self, time_zone: str) -> datetime:
        return timeline.milestone_moment(self.kind, self.date, time_zone)


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    ENROLLED = "enrolled", "Enrolled"
    SUBMITTED = "submitted", "Submitted"
    FINALIST = "finalist", "Finalist"
    ACCREDITED_DISTINCTION = levels.DISTINCTION, "Accredited with distinction"
    ACCREDITED = levels.ACCREDITED, "Accredited"
    NOT_ACCREDITED = levels.NOT_ACCREDITED, "Not accredited"
    NOT_JUDGED = levels.NOT_JUDGED, "Not judged"
    NOT_SHORTLISTED = "not_shortlisted", "Not shortlisted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=EnrolmentStatus.WITHDRAWN)


class ShortlistNews(models.TextChoices):
    """What the last shortlist announcement told an organisation."""

    NONE = "", "Not told"
    FINALIST = "finalist", "Finalist"
    NOT_SHORTLISTED = "not_shortlisted", "Not shortlisted"


class Enrolment(models.Model):
    """An organisation in a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=32, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    enrolled_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    extension_until = models.DateField(
        null=True, blank=True, help_text="The organisation may submit until 23:59 on this day."
    )
    shortlist_news = models.CharField(
        max_length=16, choices=ShortlistNews.choices, blank=True, default=ShortlistNews.NONE
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "organisation"], name="one_enrolment_per_cohort")]

    def __str__(self):
        return f"{self.organisation} in cohort {self.cohort.number}"

    def get_absolute_url(self):
        return reverse("cohorts:enrolment_detail", kwargs={"number": self.cohort.number, "pk": self.pk})


class Application(models.Model):
    """A signed-up person asks to enrol their organisation in a cohort."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    organisation_name = models.CharField("organisation's name", max_length=200)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    size = models.CharField(max_length=16, choices=Size.choices)
    contact_phone = models.CharField("telephone", max_length=40, blank=True)
    website = models.URLField(blank=True)
    motivation = models.TextField("why you want to take part")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "applicant"], condition=Q(status="pending"), name="one_pending_application"
            )
        ]

    def __str__(self):
        return f"{self.organisation_name} for cohort {self.cohort.number}"


class Reminder(models.Model):
    """A reminder sent to one person about one deadline. Automatic reminders
    carry a key (such as "judging_deadline:7") that is unique per person and
    cohort, so that they are never sent twice; manual ones have none."""

    class Kind(models.TextChoices):
        SELF_ASSESSMENT = "self_assessment", "Self-assessment deadline"
        JUDGING = "judging", "Judging deadline"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=60, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "recipient", "key"], condition=~Q(key=""), name="automatic_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder to {self.recipient}"
