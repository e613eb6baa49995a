"""The organisation's self-assessment pages: overview, one page per
criterion with autosave, review and submit, print, the maturity chart; and
the lead's reopen."""

from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView

from assessments import pending
from assessments.charts import maturity_profile
from assessments.index import self_assessment_index
from assessments.models import Response, SelfAssessment
from assessments.selectors import assessment_summaries, assessment_with_answers
from assessments.services import self_assessment as services
from cohorts.models import Enrolment, Phase
from cohorts.services import reminders
from cohorts.services.programme import submission_deadline
from cohorts.views.programme import CohortMixin
from core import autosave
from core.errors import ServiceError


def _assessment_for(request, pk: int, *, perm: str = "assessments.view_assessment") -> SelfAssessment:
    """The assessment, if the user may see it; 404 otherwise, so that other
    organisations' assessments do not reveal that they exist."""
    assessment = get_object_or_404(
        SelfAssessment.objects.select_related(
            "enrolment__cohort__framework", "enrolment__organisation", "submitted_by"
        ),
        pk=pk,
    )
    if not request.user.has_perm("assessments.view_assessment", assessment):
        raise Http404
    if perm != "assessments.view_assessment" and not request.user.has_perm(perm, assessment):
        raise Http404
    return assessment


class StartView(LoginRequiredMixin, View):
    """From a member's dashboard: open (creating if needed) the enrolment's self-assessment."""

    def get(self, request, enrolment_pk: int):
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("cohort__framework", "organisation"), pk=enrolment_pk
        )
        if not request.user.has_perm("organisations.view_organisation_page", enrolment.organisation):
            raise Http404
        try:
            assessment = services.ensure_assessment(enrolment=enrolment)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("home")
        return redirect("assessments:overview", pk=assessment.pk)


class AssessmentMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.assessment = _assessment_for(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def answers(self):
        return assessment_with_answers(self.assessment)

    def common_context(self, responses):
        assessment = self.assessment
        enrolment = assessment.enrolment
        deadline = submission_deadline(enrolment)
        return {
            "assessment": assessment,
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "organisation": enrolment.organisation,
            "responses": responses,
            "progress": services.completeness(responses),
            "refusal": services.edit_refusal(assessment),
            "can_edit": self.request.user.has_perm("assessments.edit_assessment", assessment)
            and services.edit_refusal(assessment) is None,
            "deadline": deadline.astimezone(enrolment.cohort.zone) if deadline else None,
            "reopened": assessment.reopened_at is not None and not assessment.is_locked,
        }


class OverviewView(AssessmentMixin, TemplateView):
    template_name = "assessments/overview.html"

    def get_context_data(self, **kwargs):
        responses = self.answers()
        return {**super().get_context_data(**kwargs), **self.common_context(responses)}


class CriterionView(AssessmentMixin, TemplateView):
    """One criterion: level against the descriptors, narrative, KPIs, evidence."""

    template_name = "assessments/criterion.html"

    def get(self, request, *args, **kwargs):
        for outcome in pending.apply_for(request, self.assessment):
            level = messages.SUCCESS if outcome.saved else messages.WARNING
            messages.add_message(request, level, outcome.message)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        responses = self.answers()
        by_code = {r.criterion.code: r for r in responses}
        code = self.kwargs["code"]
        if code not in by_code:
            raise Http404
        codes = list(by_code)
        index = codes.index(code)
        response = by_code[code]
        return {
            **super().get_context_data(**kwargs),
            **self.common_context(responses),
            "response": response,
            "criterion": response.criterion,
            "kpis": [(kpi, services.field_value(response, f"kpi_{kpi.pk}")) for kpi in response.criterion.kpis.all()],
            "position": index + 1,
            "previous_code": codes[index - 1] if index > 0 else None,
            "next_code": codes[index + 1] if index + 1 < len(codes) else None,
        }

    def post(self, request, *args, **kwargs):
        """Without JavaScript the whole criterion is saved at once."""
        if not request.user.has_perm("assessments.edit_assessment", self.assessment):
            # The lead (and a judge) may read the answers, never change them.
            messages.error(request, services.edit_refusal(self.assessment) or "You cannot change this self-assessment.")
            return redirect("assessments:criterion", pk=self.assessment.pk, code=kwargs["code"])
        response = self._response(kwargs["code"])
        fields = ["level", "narrative", *[f"kpi_{kpi.pk}" for kpi in response.criterion.kpis.all()]]
        problems = []
        for field in fields:
            if field not in request.POST:
                continue
            try:
                response = services.save_answer(
                    response=response,
                    field=field,
                    value=request.POST.get(field, ""),
                    base=request.POST.get(f"base_{field}", ""),
                    actor=request.user,
                )
            except services.SaveConflict as conflict:
                problems.append(conflict.message + " Your version is below the saved one; copy what you need.")
            except ServiceError as error:
                problems.append(error.message)
        for problem in problems:
            messages.error(request, problem)
        if not problems:
            messages.success(request, f"{response.criterion.code} was saved.")
            target = request.POST.get("next", "")
            if target not in set(self.assessment.responses.values_list("criterion__code", flat=True)):
                target = kwargs["code"]  # "next" names another criterion of this assessment, or nothing
            return redirect("assessments:criterion", pk=self.assessment.pk, code=target)
        return redirect("assessments:criterion", pk=self.assessment.pk, code=kwargs["code"])

    def _response(self, code: str) -> Response:
        return get_object_or_404(
            Response.objects.select_related("criterion").prefetch_related("criterion__kpis"),
            assessment=self.assessment,
            criterion__code=code,
        )


class AutosaveView(autosave.AutosaveView):
    """htmx: save one field of one answer as the member types (core.autosave)."""

    progress_template = "assessments/_progress.html"
    conflict_labels = {
        "theirs": "Their saved version",
        "mine": "Your version",
        "keep": "Keep my version",
        "load": "Load their version (copy anything you need from yours first)",
    }

    def get_code(self) -> str:
        return self.kwargs["code"]

    def page_url(self) -> str:
        return reverse("assessments:criterion", args=[self.kwargs["pk"], self.code])

    def stash(self) -> None:
        pending.stash(self.request, assessment_pk=self.kwargs["pk"], code=self.code, field=self.field)

    def load(self) -> None:
        self.assessment = _assessment_for(self.request, self.kwargs["pk"])
        self.response = get_object_or_404(
            Response.objects.select_related("criterion"), assessment=self.assessment, criterion__code=self.code
        )

    def refusal(self) -> str | None:
        if self.request.user.has_perm("assessments.edit_assessment", self.assessment):
            return None
        return services.edit_refusal(self.assessment) or "You cannot change this."

    def save(self, *, value: str, base: str, force: bool) -> Response:
        return services.save_answer(
            response=self.response, field=self.field, value=value, base=base, actor=self.request.user, force=force
        )

    def field_value(self, saved: Response) -> str:
        return services.field_value(saved, self.field)

    def progress(self):
        return services.completeness(assessment_with_answers(self.assessment))

    def get_context(self) -> dict:
        return {"assessment": self.assessment}

    def keep_sync(self) -> str:
        return f"#id_{self.field}:replace"

    def reload_url(self) -> str:
        return reverse("assessments:criterion", args=[self.assessment.pk, self.code])


class ReviewView(AssessmentMixin, TemplateView):
    template_name = "assessments/review.html"

    def get_context_data(self, **kwargs):
        responses = self.answers()
        return {
            **super().get_context_data(**kwargs),
            **self.common_context(responses),
            "missing": [r for r in responses if not r.is_complete],
        }


class SubmitView(AssessmentMixin, View):
    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("assessments.edit_assessment", self.assessment):
            messages.error(request, services.edit_refusal(self.assessment) or "You cannot submit this self-assessment.")
            return redirect("assessments:review", pk=self.assessment.pk)
        try:
            services.submit(assessment=self.assessment, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("assessments:review", pk=self.assessment.pk)
        messages.success(
            request, "Your self-assessment is submitted. Every member of your organisation gets a receipt by e-mail."
        )
        return redirect("assessments:overview", pk=self.assessment.pk)


class ReopenView(AssessmentMixin, View):
    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("assessments.reopen_assessment", self.assessment):
            raise Http404
        try:
            services.reopen(assessment=self.assessment, actor=request.user, reason=request.POST.get("reason", ""))
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The self-assessment is reopened; the organisation's members have been told.")
        return redirect("assessments:review", pk=self.assessment.pk)


class PrintView(AssessmentMixin, TemplateView):
    template_name = "assessments/print.html"

    def get_context_data(self, **kwargs):
        responses = self.answers()
        levels = {r.criterion.code: r.level for r in responses}
        weights = {r.criterion.code: float(r.criterion.weight) for r in responses}
        return {
            **super().get_context_data(**kwargs),
            **self.common_context(responses),
            "index": self_assessment_index(levels, weights),
        }


@method_decorator(csp_exempt(), name="dispatch")
class ProfileChartView(AssessmentMixin, View):
    """The maturity profile as SVG, shown with <img> on the pages."""

    def get(self, request, *args, **kwargs):
        responses = self.answers()
        svg = maturity_profile(
            [f"{r.criterion.code} {r.criterion.title}" for r in responses], [r.level for r in responses]
        )
        answer = HttpResponse(svg, content_type="image/svg+xml")
        answer["Cache-Control"] = "private, no-cache"
        return answer


def _index_key(row):
    enrolment, summary = row
    index = summary.index if summary else None
    return (index is None, -(index or 0), enrolment.organisation.name.lower())


def _completeness_key(row):
    enrolment, summary = row
    return (-(summary.percent if summary else -1), enrolment.organisation.name.lower())


class SelfAssessmentTableView(CohortMixin, TemplateView):
    """Every organisation's self-assessment: state, completeness and index,
    sortable, as the input for shortlisting."""

    template_name = "assessments/cohort_table.html"
    SORTS = {
        "index": _index_key,
        "completeness": _completeness_key,
        "organisation": lambda row: row[0].organisation.name.lower(),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summaries = assessment_summaries(self.cohort)
        enrolments = self.cohort.enrolments.active().select_related("organisation")
        rows = [(enrolment, summaries.get(enrolment.pk)) for enrolment in enrolments]
        sort = self.request.GET.get("sort", "index")
        if sort not in self.SORTS:
            sort = "index"
        rows.sort(key=self.SORTS[sort])
        context.update(
            rows=rows,
            sort=sort,
            last_reminded=reminders.last_reminded_by_organisation(self.cohort),
            can_remind=self.cohort.phase == Phase.SELF_ASSESSMENT,
        )
        return context
