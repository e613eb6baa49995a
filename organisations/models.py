from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Sector(models.TextChoices):
    WATER = "water", "Water"
    ENERGY = "energy", "Energy"
    RETAIL = "retail", "Retail"
    TRAVEL = "travel", "Travel"
    FINANCE = "finance", "Finance"
    TELECOMS = "telecoms", "Telecoms"
    PUBLIC_SECTOR = "public_sector", "Public sector"
    BPO = "bpo", "BPO"
    OTHER = "other", "Other"


class Size(models.TextChoices):
    SMALL = "small", "Up to 50 people"
    MEDIUM = "medium", "51 to 250 people"
    LARGE = "large", "251 to 1,000 people"
    VERY_LARGE = "very_large", "More than 1,000 people"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    size = models.CharField(max_length=16, choices=Size.choices, blank=True)
    contact_name = models.CharField("main contact", max_length=200, blank=True)
    contact_email = models.EmailField("main contact's e-mail address", blank=True)
    contact_phone = models.CharField("telephone", max_length=40, blank=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisations:organisation_detail", kwargs={"pk": self.pk})


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """Ties a user to an organisation. Ending it keeps the row for the record."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Organisation admin"
        CONTRIBUTOR = "contributor", "Contributor"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CONTRIBUTOR)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], condition=Q(ended_at__isnull=True), name="one_active_membership"
            )
        ]

    def __str__(self):
        return f"{self.user} at {self.organisation} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class OrganisationImport(models.Model):
    """An uploaded CSV of organisations, kept between preview and import."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%d %b %Y %H:%M})"
