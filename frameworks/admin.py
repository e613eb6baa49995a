from django.contrib import admin

from core.admin import ReadOnlyAdmin
from frameworks.models import KPI, Criterion, Framework


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("code", "title", "pillar", "weight", "judging_only")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ("version", "name", "based_on", "created_at")
    search_fields = ("name",)
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "framework", "pillar", "weight", "judging_only")
    list_filter = ("framework", "pillar", "judging_only")
    search_fields = ("code", "title")


@admin.register(KPI)
class KPIAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "direction", "criterion")
    list_filter = ("direction", "criterion__framework")
    search_fields = ("name", "criterion__code")
