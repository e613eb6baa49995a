"""Applications to enrol: the applicant's form, the lead's list and decision."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView
from rules.contrib.views import PermissionRequiredMixin

from cohorts.forms_applications import ApplicationFilterForm, ApplicationForm, DeclineForm
from cohorts.models import Application, Cohort, Phase
from cohorts.services import applications as services
from core import trail
from core.errors import ServiceError
from organisations.models import Organisation


class ApplyView(PermissionRequiredMixin, FormView):
    """A person with no role applies for their organisation. Without
    ?cohort=N they first choose among the cohorts open for enrolment."""

    permission_required = "cohorts.apply"
    template_name = "cohorts/applications/apply.html"
    form_class = ApplicationForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.open_cohorts = list(services.open_cohorts())
        self.cohort = self._chosen_cohort()
        if request.method == "GET" and self.cohort is not None:
            if self.cohort.phase != Phase.ENROLMENT:
                messages.error(request, services.not_open_message(self.cohort))
                return redirect("cohorts:apply")
            if Application.objects.filter(
                cohort=self.cohort, applicant=request.user, status=Application.Status.PENDING
            ).exists():
                messages.info(
                    request,
                    f"You have already applied to cohort {self.cohort.number}: "
                    "your application is waiting for a decision.",
                )
                return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def _chosen_cohort(self) -> Cohort | None:
        number = self.request.GET.get("cohort")
        if number is None:
            return self.open_cohorts[0] if len(self.open_cohorts) == 1 else None
        if not (number.isascii() and number.isdigit()):  # "²" is a digit to isdigit(), not to int()
            raise Http404("No such cohort.")
        return get_object_or_404(Cohort, number=int(number))

    def post(self, request, *args, **kwargs):
        if self.cohort is None:
            return redirect("cohorts:apply")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(cohort=self.cohort, open_cohorts=self.open_cohorts, **kwargs)

    def form_valid(self, form):
        try:
            application = services.apply(cohort=self.cohort, applicant=self.request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Thank you. Your application for {application.organisation_name} to join cohort "
            f"{self.cohort.number} is waiting for the programme lead's decision; we will e-mail you.",
        )
        return redirect("home")


class LeadMixin(PermissionRequiredMixin):
    permission_required = "cohorts.manage_cohorts"


class ApplicationListView(LeadMixin, ListView):
    template_name = "cohorts/applications/application_list.html"
    context_object_name = "applications"
    paginate_by = 25

    def get_queryset(self):
        filters = ApplicationFilterForm(self.request.GET or None)
        self.status = filters.cleaned_data["status"] if filters.is_valid() else ""
        return services.applications_for_lead(status=self.status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = services.application_counts()
        context.update(
            status=self.status,
            status_label=Application.Status(self.status).label if self.status else "",
            counts=counts,
            tabs=[("", "All", counts["all"])]
            + [(value, label, counts[value]) for value, label in Application.Status.choices],
            query_string=f"status={self.status}" if self.status else "",
        )
        return context


def _render_detail(request, application: Application, *, decline_form=None, status: int = 200):
    can_decide = request.user.has_perm("cohorts.manage_cohorts")
    context = {"application": application, "can_decide": can_decide}
    if can_decide:
        pending = application.status == Application.Status.PENDING
        context.update(
            decline_form=decline_form or DeclineForm(),
            name_taken=pending and Organisation.objects.filter(name__iexact=application.organisation_name).first(),
            cohort_open=application.cohort.phase == Phase.ENROLMENT,
            enrolment=application.organisation
            and application.organisation.enrolments.filter(cohort=application.cohort).first(),
            history=trail.history(application, limit=20),
        )
    return render(request, "cohorts/applications/application_detail.html", context, status=status)


class ApplicationDetailView(LoginRequiredMixin, View):
    """The lead sees any application and decides it; an applicant sees
    their own (anyone else's is not found)."""

    def get(self, request, *args, pk: int, **kwargs):
        application = get_object_or_404(services.applications_visible_to(request.user), pk=pk)
        return _render_detail(request, application)


class DecisionMixin(LeadMixin):
    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.application = get_object_or_404(
            Application.objects.select_related("cohort", "applicant", "organisation"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def detail_url(self) -> str:
        return reverse("cohorts:application_detail", kwargs={"pk": self.application.pk})


class AcceptView(DecisionMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            application = services.accept_application(application=self.application, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(self.detail_url())
        messages.success(
            request,
            f"{application.organisation_name} is now on the portal and enrolled in cohort {application.cohort.number}; "
            f"{application.applicant.get_full_name()} is its organisation admin and has been told by e-mail.",
        )
        return redirect("cohorts:application_list")


class DeclineView(DecisionMixin, View):
    def post(self, request, *args, **kwargs):
        form = DeclineForm(request.POST)
        if not form.is_valid():
            return _render_detail(request, self.application, decline_form=form)
        try:
            application = services.decline_application(
                application=self.application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(self.detail_url())
        messages.success(
            request,
            f"The application from {application.organisation_name} was declined; "
            f"{application.applicant.get_full_name()} has been told why by e-mail.",
        )
        return redirect("cohorts:application_list")
