from django.contrib import admin
from django.db import models

from core.admin import ReadOnlyAdmin
from organisations.models import Membership, Organisation, OrganisationImport


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    fields = ("user", "role", "created_at", "ended_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "size", "contact_name", "contact_email")
    list_filter = ("sector", "size")
    search_fields = ("name", "contact_name", "contact_email")
    inlines = [MembershipInline]
    # As the site's own organisation form: an address typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "created_at", "ended_at")
    list_filter = ("role",)
    search_fields = ("user__email", "organisation__name")


@admin.register(OrganisationImport)
class OrganisationImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "uploaded_by", "uploaded_at", "imported_at", "imported_count")
    exclude = ("content",)
