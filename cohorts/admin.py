"""The lead's fallback. State changes that must be audited (phase moves,
enrolment, withdrawal, decisions) happen on the site's own pages, so most
of these are read-only here."""

from django.contrib import admin

from cohorts.models import Application, Cohort, Enrolment, Milestone, Reminder
from core.admin import ReadOnlyAdmin


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


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("organisation_name", "cohort", "applicant", "status", "created_at")
    list_filter = ("status", "cohort", "sector")
    search_fields = ("organisation_name", "applicant__email")
    list_select_related = ("cohort", "applicant")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "cohort", "kind", "key", "sent_at", "sent_by")
    list_filter = ("kind", "cohort")
    search_fields = ("recipient__email", "recipient__full_name")
    list_select_related = ("recipient", "cohort", "sent_by")
