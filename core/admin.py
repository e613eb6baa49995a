from django.contrib import admin

from core.models import AuditEvent, EmailOptOut, Notification, OutboundEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through the site's own pages, which
    check the rules and audit the change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ("created_at", "actor_repr", "action", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_repr", "object_repr", "action", "note")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """An e-mail that carried a secret link shows its redacted copy only;
    the sealed one (encrypted, and gone once delivered) is never shown."""

    list_display = ("created_at", "to", "subject", "status", "attempts", "has_secret")
    list_filter = ("status", "template", "has_secret")
    search_fields = ("to", "subject")
    exclude = ("sealed_body",)
    readonly_fields = [f.name for f in OutboundEmail._meta.fields if f.name != "sealed_body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "title", "read_at")
    list_filter = ("template",)
    search_fields = ("user__email", "title")
    list_select_related = ("user",)


@admin.register(EmailOptOut)
class EmailOptOutAdmin(ReadOnlyAdmin):
    list_display = ("user", "category", "created_at")
    list_filter = ("category",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
