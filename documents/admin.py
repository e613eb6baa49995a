"""The lead's fallback. Certificates are issued, reissued and revoked, and
documents made and retried, on the site's own pages (which audit them), so
everything here is read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from documents.models import Certificate, Document, DocumentBatch


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("serial", "organisation_name", "cohort", "level", "status", "issued_at")
    list_filter = ("status", "level", "cohort")
    search_fields = ("serial", "organisation_name")
    list_select_related = ("cohort",)


@admin.register(DocumentBatch)
class DocumentBatchAdmin(ReadOnlyAdmin):
    list_display = ("title", "cohort", "requested_by", "created_at")
    list_filter = ("cohort",)
    list_select_related = ("cohort", "requested_by")


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("key", "kind", "cohort", "status", "attempts", "finished_at")
    list_filter = ("kind", "status", "cohort")
    search_fields = ("key",)
    list_select_related = ("cohort",)
    exclude = ("file",)  # downloads go through the site's permission-checked view
