"""The lead's shortlist: finalists chosen among the organisations that
submitted, one by one or the top N, and the announcement."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from assessments.selectors import assessment_summaries
from cohorts.models import Enrolment
from cohorts.views.programme import CohortMixin
from core.errors import ServiceError
from judging.forms import TopForm
from judging.services import shortlisting as services


class ShortlistView(CohortMixin, TemplateView):
    template_name = "judging/shortlisting/shortlist.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = self.cohort
        enrolments = list(cohort.enrolments.active().select_related("organisation"))
        summaries = assessment_summaries(cohort)
        rows = services.ranked_submissions(cohort, enrolments, summaries)
        ranked_ids = {row.enrolment.pk for row in rows}
        finalists = sum(1 for row in rows if row.is_finalist)
        refusal = services.change_refusal(cohort)
        context.update(
            rows=rows,
            not_submitted=[(e, summaries.get(e.pk)) for e in enrolments if e.pk not in ranked_ids],
            finalist_count=finalists,
            refusal=refusal,
            editable=refusal is None,
            plan=services.announcement_plan(cohort, enrolments),
            top_form=TopForm(initial={"n": finalists or None}),
        )
        return context


class ShortlistActionView(CohortMixin, View):
    def back(self):
        return redirect("judging:shortlist", number=self.cohort.number)


class EnrolmentActionView(ShortlistActionView):
    def post(self, request, *args, **kwargs):
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("organisation", "cohort"), pk=kwargs["pk"], cohort=self.cohort
        )
        try:
            self.act(enrolment)
        except ServiceError as error:
            messages.error(request, error.message)
        return self.back()


class SelectView(EnrolmentActionView):
    def act(self, enrolment):
        services.select_finalist(enrolment=enrolment, actor=self.request.user)
        messages.success(self.request, f"{enrolment.organisation.name} is now a finalist.")


class UnselectView(EnrolmentActionView):
    def act(self, enrolment):
        services.unselect_finalist(enrolment=enrolment, actor=self.request.user)
        messages.success(self.request, f"{enrolment.organisation.name} was taken off the shortlist.")


class TopView(ShortlistActionView):
    def post(self, request, *args, **kwargs):
        form = TopForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["n"]))
            return self.back()
        try:
            selection = services.select_top(cohort=self.cohort, n=form.cleaned_data["n"], actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, selection.message)
        return self.back()


class AnnounceView(ShortlistActionView):
    def post(self, request, *args, **kwargs):
        try:
            announcement = services.announce_shortlist(cohort=self.cohort, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            finalists, others = len(announcement.finalists_told), len(announcement.not_shortlisted_told)
            messages.success(
                request,
                f"The shortlist was announced: {announcement.emails} e-mail{'s' if announcement.emails != 1 else ''} "
                f"to the members of {finalists} finalist{'s' if finalists != 1 else ''} "
                f"and {others} other organisation{'s' if others != 1 else ''}.",
            )
        return self.back()
