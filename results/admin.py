from django.contrib import admin

from core.admin import ReadOnlyAdmin
from results.models import ResultSnapshot


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("cohort", "number", "status", "finalised_at", "finalised_by", "superseded_at")
    list_filter = ("status", "cohort")
    exclude = ("data",)
