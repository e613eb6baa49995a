"""The lead's fallback. State changes that must be audited (phase moves,
enrolment, withdrawal, decisions) happen on the site's own pages, so most
of these are read-only here."""

from django.contrib import admin
from django.db import models

from core.admin import ReadOnlyAdmin

from .models import (
    Application,
    Assignment,
    Cohort,
    CohortJudge,
    ConflictDeclaration,
    Enrolment,
    Membership,
    Milestone,
    Organisation,
    OrganisationImport,
    Reminder,
    ResultSnapshot,
)


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


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("date", "title", "kind")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "sponsor", "start_date", "phase")
    list_filter = ("phase",)
    search_fields = ("name", "sponsor")
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("cohort", "date", "title", "kind")
    list_filter = ("kind", "cohort")
    search_fields = ("title",)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "cohort", "status", "enrolled_at", "extension_until")
    list_filter = ("status", "cohort", "organisation__sector")
    search_fields = ("organisation__name",)
    list_select_related = ("organisation", "cohort")


@admin.register(CohortJudge)
class CohortJudgeAdmin(ReadOnlyAdmin):
    list_display = ("judge", "cohort", "added_at", "removed_at")
    list_filter = ("cohort",)
    search_fields = ("judge__email", "judge__full_name")
    list_select_related = ("judge", "cohort")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("organisation_name", "cohort", "applicant", "status", "created_at")
    list_filter = ("status", "cohort", "sector")
    search_fields = ("organisation_name", "applicant__email")
    list_select_related = ("cohort", "applicant")


@admin.register(OrganisationImport)
class OrganisationImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "uploaded_by", "uploaded_at", "imported_at", "imported_count")
    exclude = ("content",)


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("judge", "organisation", "cohort", "relationship", "declared_at")
    list_filter = ("relationship", "cohort")
    search_fields = ("judge__email", "judge__full_name", "organisation__name")
    list_select_related = ("judge", "organisation", "cohort")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("judge", "enrolment", "cohort", "method", "created_at", "removed_at")
    list_filter = ("method", "cohort")
    search_fields = ("judge__email", "judge__full_name", "enrolment__organisation__name")
    list_select_related = ("judge", "enrolment__organisation", "enrolment__cohort", "cohort")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "cohort", "kind", "key", "sent_at", "sent_by")
    list_filter = ("kind", "cohort")
    search_fields = ("recipient__email", "recipient__full_name")
    list_select_related = ("recipient", "cohort", "sent_by")


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("cohort", "number", "status", "finalised_at", "finalised_by", "superseded_at")
    list_filter = ("status", "cohort")
    exclude = ("data",)
