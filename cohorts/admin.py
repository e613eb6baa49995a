from django.contrib import admin

from .models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "size", "contact_email")
    list_filter = ("sector", "size")
    search_fields = ("name", "contact_name", "contact_email")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at", "ended_at")
    list_filter = ("role",)
    search_fields = ("user__email", "organisation__name")
    autocomplete_fields = ("user", "organisation")
