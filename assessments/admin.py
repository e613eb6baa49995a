"""The lead's fallback. Frameworks are edited on the site (which refuses
changes to versions in use, and audits them); answers are the
organisations' own. So everything here is read-only."""

from django.contrib import admin

from assessments.models import EvidenceFile, KPIValue, Response, SelfAssessment
from core.admin import ReadOnlyAdmin


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "status", "submitted_at")
    list_filter = ("status", "enrolment__cohort")
    search_fields = ("enrolment__organisation__name",)
    list_select_related = ("enrolment__organisation", "enrolment__cohort")


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("criterion", "assessment", "level", "updated_at")
    list_filter = ("level", "criterion__pillar")
    search_fields = ("assessment__enrolment__organisation__name", "criterion__code")
    list_select_related = ("criterion", "assessment__enrolment__organisation", "assessment__enrolment__cohort")


@admin.register(KPIValue)
class KPIValueAdmin(ReadOnlyAdmin):
    list_display = ("kpi", "value", "response")
    search_fields = ("kpi__name",)
    list_select_related = ("kpi", "response__criterion")


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "content_type", "size", "uploaded_at", "uploaded_by")
    list_filter = ("content_type",)
    search_fields = ("original_name",)
    exclude = ("file",)  # downloads go through the site's permission-checked view
