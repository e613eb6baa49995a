from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def for_object(self, obj):
        return self.filter(object_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)).select_related(
            "actor"
        )


class AuditEvent(models.Model):
    """Who did what to which object, when, with the before and after values.

    Append-only: written by `core.audit.record` and never changed or deleted.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_repr = models.CharField("actor", max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    # The cohort the object belongs to, when it belongs to one, so that a
    # cohort's whole trail is one indexed filter (set by core.audit.record).
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["cohort", "-created_at"], name="audit_cohort_trail"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr or 'system'} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")


class OutboundEmail(models.Model):
    """One e-mail, rendered when it was queued, and what became of it.

    An e-mail that carries a secret link (`has_secret`) keeps only a redacted
    copy in `body_text` and `body_html`; the real bodies are in `sealed_body`,
    encrypted with EMAIL_SECRET_KEY (core.sealed), until it is sent or has
    failed for good, when that copy is deleted.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # A failed e-mail whose secret link was gone, answered by a fresh e-mail with a new link.
        REPLACED = "replaced", "Replaced by a new e-mail"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    template = models.CharField(max_length=100)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    has_secret = models.BooleanField(default=False, editable=False)
    sealed_body = models.TextField(blank=True, default="", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbound e-mail"

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.get_status_display()})"


class Notification(models.Model):
    """What a person was told, shown on the site as well as e-mailed: every
    e-mail to a user of the site leaves one (also when they chose not to get
    that kind by e-mail)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=300)
    link = models.CharField(max_length=500, blank=True, help_text="A path on this site.")
    template = models.CharField(max_length=100, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.title} → {self.user}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailOptOut(models.Model):
    """A person does not want the optional e-mails of one category (see
    core.email_kinds). No row: they get them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs")
    category = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="one_opt_out_per_category")]

    def __str__(self):
        return f"{self.user} opted out of {self.category}"
