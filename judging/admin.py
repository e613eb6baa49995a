from django.contrib import admin

from core.admin import ReadOnlyAdmin
from judging.models import Assignment, CohortJudge, ConflictDeclaration, PanelInvitation, Scorecard, ScoreEntry


@admin.register(CohortJudge)
class CohortJudgeAdmin(ReadOnlyAdmin):
    list_display = ("judge", "cohort", "added_at", "removed_at")
    list_filter = ("cohort",)
    search_fields = ("judge__email", "judge__full_name")
    list_select_related = ("judge", "cohort")


@admin.register(PanelInvitation)
class PanelInvitationAdmin(ReadOnlyAdmin):
    list_display = ("invitation", "cohort", "invited_by", "created_at", "seat")
    list_filter = ("cohort",)
    search_fields = ("invitation__email",)
    list_select_related = ("invitation", "cohort", "invited_by", "seat__judge", "seat__cohort")


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


class ScoreEntryInline(admin.TabularInline):
    model = ScoreEntry
    extra = 0
    fields = ("criterion", "score", "comment")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "status", "submitted_at", "withdrawn_at")
    list_filter = ("status", "assignment__cohort")
    search_fields = ("assignment__judge__email", "assignment__enrolment__organisation__name")
    list_select_related = ("assignment__judge", "assignment__enrolment__organisation")
    inlines = [ScoreEntryInline]


@admin.register(ScoreEntry)
class ScoreEntryAdmin(ReadOnlyAdmin):
    list_display = ("criterion", "score", "scorecard")
    list_filter = ("score",)
    list_select_related = (
        "criterion",
        "scorecard__assignment__judge",
        "scorecard__assignment__enrolment__organisation",
    )
