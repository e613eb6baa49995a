"""The lead's side of a cohort: settings, timeline, phase, enrolments."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from cohorts import selectors
from cohorts.forms import (
    CohortForm,
    EnrolForm,
    EnrolmentFilterForm,
    ExtensionForm,
    MilestoneForm,
    PhaseMoveForm,
    WithdrawForm,
)
from cohorts.models import Cohort, Enrolment, Milestone, Phase, Reminder
from cohorts.services import programme as services
from cohorts.services import reminders
from cohorts.timeline_view import timeline_rows
from core import trail
from core.errors import ServiceError
from organisations.models import Membership


class LeadMixin(PermissionRequiredMixin):
    permission_required = "cohorts.manage_cohorts"


class CohortMixin(LeadMixin):
    """Loads the cohort named in the URL (after the permission check)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.cohort = get_object_or_404(selectors.with_timeline(Cohort.objects.all()), number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(cohort=self.cohort, **kwargs)


class CohortListView(LeadMixin, ListView):
    template_name = "cohorts/cohort_list.html"
    context_object_name = "cohorts"
    paginate_by = 25

    def get_queryset(self):
        return selectors.with_timeline(Cohort.objects.all())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["rows"] = [(cohort, timeline_rows(cohort, now)) for cohort in context["cohorts"]]
        return context


class CohortCreateView(LeadMixin, FormView):
    template_name = "cohorts/cohort_form.html"
    form_class = CohortForm

    def get_initial(self):
        latest = Cohort.objects.order_by("-number").first()
        return {"number": latest.number + 1 if latest else 1}

    def form_valid(self, form):
        try:
            cohort = services.create_cohort(actor=self.request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error("number", error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{cohort} was created, with the default six-month timeline.")
        return redirect(cohort.get_absolute_url())


class CohortUpdateView(CohortMixin, FormView):
    template_name = "cohorts/cohort_form.html"
    form_class = CohortForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.cohort}

    def form_valid(self, form):
        try:
            cohort = services.update_cohort(
                cohort=Cohort.objects.get(pk=self.cohort.pk), actor=self.request.user, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error("number", error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{cohort} was saved.")
        return redirect(cohort.get_absolute_url())


class CohortDetailView(CohortMixin, TemplateView):
    """The lead's cohort dashboard."""

    template_name = "cohorts/cohort_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = self.cohort
        filters = EnrolmentFilterForm(self.request.GET or None)
        data = filters.cleaned_data if filters.is_valid() else {}
        enrolments = selectors.enrolment_table(
            cohort,
            sort=data.get("sort") or "organisation",
            status=data.get("status", ""),
            sector=data.get("sector", ""),
            search=data.get("q", ""),
        )
        page = Paginator(enrolments, 25).get_page(self.request.GET.get("page"))
        summaries = selectors.enrolment_summaries(cohort)
        page.object_list = list(page.object_list)
        for enrolment in page.object_list:
            enrolment.summary = summaries.get(enrolment.pk)
        query = self.request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context.update(
            moves=services.phase_moves(cohort),
            timeline=timeline_rows(cohort, timezone.now()),
            counts=selectors.status_counts(cohort),
            filter_form=filters,
            page_obj=page,
            enrolments=page.object_list,
            query_string=query.urlencode(),
            sort_query=sort_query.urlencode(),
            current_sort=data.get("sort") or "organisation",
            panel=selectors.panel_of(cohort),
            history=trail.for_listing(trail.cohort_trail(cohort))[:10],
            phases=Phase.choices,
            sort_columns=[
                ("organisation", "Organisation"),
                ("sector", "Sector"),
                ("status", "Status"),
                ("self_assessment", "Self-assessment"),
                ("enrolled", "Enrolled"),
            ],
        )
        return context


class PhaseMoveView(CohortMixin, View):
    def post(self, request, *args, **kwargs):
        form = PhaseMoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a phase to move to.")
            return redirect(self.cohort.get_absolute_url())
        try:
            cohort = services.move_phase(
                cohort=self.cohort, to=form.cleaned_data["to"], actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{cohort} is now in the {cohort.get_phase_display().lower()} phase.")
        return redirect(self.cohort.get_absolute_url())


class TimelineEditView(CohortMixin, FormView):
    template_name = "cohorts/timeline_edit.html"
    form_class = MilestoneForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(milestones=self.cohort.milestones.all(), **kwargs)

    def form_valid(self, form):
        try:
            services.save_milestone(cohort=self.cohort, actor=self.request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"“{form.cleaned_data['title']}” was added to the timeline.")
        return redirect("cohorts:timeline_edit", number=self.cohort.number)


class MilestoneEditView(CohortMixin, FormView):
    template_name = "cohorts/milestone_form.html"
    form_class = MilestoneForm

    def get_milestone(self):
        return get_object_or_404(Milestone, pk=self.kwargs["pk"], cohort=self.cohort)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_milestone()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(milestone=self.get_milestone(), **kwargs)

    def form_valid(self, form):
        milestone = Milestone.objects.get(pk=self.kwargs["pk"])
        try:
            services.save_milestone(
                cohort=self.cohort, actor=self.request.user, milestone=milestone, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"“{form.cleaned_data['title']}” was saved.")
        return redirect("cohorts:timeline_edit", number=self.cohort.number)


class MilestoneRemoveView(CohortMixin, View):
    def post(self, request, *args, **kwargs):
        milestone = get_object_or_404(Milestone, pk=kwargs["pk"], cohort=self.cohort)
        try:
            services.remove_milestone(milestone=milestone, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"“{milestone.title}” was removed from the timeline.")
        return redirect("cohorts:timeline_edit", number=self.cohort.number)


class TimelineResetView(CohortMixin, View):
    def post(self, request, *args, **kwargs):
        services.reset_timeline(cohort=self.cohort, actor=request.user)
        messages.success(request, "The timeline was laid out again from the start date.")
        return redirect("cohorts:timeline_edit", number=self.cohort.number)


class EnrolView(CohortMixin, FormView):
    template_name = "cohorts/enrol.html"
    form_class = EnrolForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cohort": self.cohort}

    def form_valid(self, form):
        try:
            created = services.enrol(
                cohort=self.cohort, organisations=list(form.cleaned_data["organisations"]), actor=self.request.user
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{len(created)} organisation{'s' if len(created) != 1 else ''} enrolled in {self.cohort}."
        )
        return redirect(self.cohort.get_absolute_url())


class EnrolmentMixin(CohortMixin):
    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.enrolment = get_object_or_404(
            Enrolment.objects.select_related("organisation", "cohort"), pk=kwargs["pk"], cohort__number=kwargs["number"]
        )
        return super().dispatch(request, *args, **kwargs)


class EnrolmentDetailView(EnrolmentMixin, TemplateView):
    template_name = "cohorts/enrolment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrolment = self.enrolment
        members = list(Membership.objects.active().filter(organisation=enrolment.organisation).select_related("user"))
        context.update(
            enrolment=enrolment,
            withdraw_form=WithdrawForm(),
            extension_form=ExtensionForm(initial={"until": enrolment.extension_until}),
            submission_deadline=services.submission_deadline(enrolment),
            submission_refusal=services.submission_refusal(enrolment),
            history=trail.object_trail(enrolment, getattr(enrolment, "assessment", None))[:20],
            members=members,
            last_reminded=reminders.last_reminded(
                cohort=self.cohort, kind=Reminder.Kind.SELF_ASSESSMENT, recipients=[m.user_id for m in members]
            ),
        )
        return context


class WithdrawView(EnrolmentMixin, View):
    def post(self, request, *args, **kwargs):
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a reason for the withdrawal.")
            return redirect(self.enrolment.get_absolute_url())
        try:
            services.withdraw(enrolment=self.enrolment, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{self.enrolment.organisation} has been withdrawn from {self.cohort}.")
        return redirect(self.enrolment.get_absolute_url())


class ExtensionView(EnrolmentMixin, View):
    def post(self, request, *args, **kwargs):
        form = ExtensionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Enter a valid date, such as 2027-05-31.")
            return redirect(self.enrolment.get_absolute_url())
        until = form.cleaned_data["until"]
        try:
            services.grant_extension(enrolment=self.enrolment, until=until, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{self.enrolment.organisation} may now submit until 23:59 on {until:%-d %B %Y}."
                if until
                else f"{self.enrolment.organisation}'s extension was taken away.",
            )
        return redirect(self.enrolment.get_absolute_url())
