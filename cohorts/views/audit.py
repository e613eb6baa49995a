"""The lead's view of a cohort's audit trail, and reminders by hand."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from cohorts.models import Enrolment
from cohorts.services import reminders
from cohorts.views.programme import CohortMixin
from core import trail
from core.errors import ServiceError
from core.views_notifications import AuditTrailView


class CohortAuditTrailView(CohortMixin, AuditTrailView):
    """Every entry whose object is the cohort or belongs to it, filterable by
    kind, person and dates (days in the cohort's time zone), paginated, and
    as CSV."""

    permission_required = "cohorts.manage_cohorts"
    template_name = "cohorts/audit_trail.html"

    @property
    def time_zone(self) -> str:
        return self.cohort.time_zone

    def base_events(self):
        return trail.cohort_trail(self.cohort)

    def export_name(self) -> str:
        return f"cohort-{self.cohort.number}-audit-trail.csv"


class OrganisationReminderView(CohortMixin, View):
    """The lead reminds an organisation's members of their self-assessment."""

    def post(self, request, *args, **kwargs):
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("organisation"), pk=kwargs["pk"], cohort=self.cohort
        )
        try:
            sent = reminders.remind_organisation(enrolment=enrolment, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"We have reminded {len(sent)} member{'s' if len(sent) != 1 else ''} of "
                f"{enrolment.organisation} by e-mail.",
            )
        if request.POST.get("back") == "enrolment":
            return redirect(enrolment.get_absolute_url())
        return redirect("assessments:cohort_table", number=self.cohort.number)
