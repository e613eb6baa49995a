"""The lead's framework pages: versions, a version's criteria and KPIs,
copying a version and editing one that no cohort past enrolment uses."""

from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from core import trail
from core.errors import ServiceError
from frameworks import services
from frameworks.forms import CopyFrameworkForm, CriterionForm, FrameworkForm, KPIForm
from frameworks.models import KPI, Criterion, Framework, Pillar


def weight_label(weight: Decimal) -> str:
    """1.50 → "1.5", 2.00 → "2", 10.00 → "10"."""
    text = f"{weight:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class LeadMixin(PermissionRequiredMixin):
    permission_required = "frameworks.manage_frameworks"


class FrameworkMixin(LeadMixin):
    """Loads the version named in the URL (after the permission check)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.framework = self.load_framework(kwargs["version"])
        return self.refusal() or super().dispatch(request, *args, **kwargs)

    def load_framework(self, version: int) -> Framework:
        return get_object_or_404(Framework, version=version)

    def refusal(self):
        return None

    def get_context_data(self, **kwargs):
        return super().get_context_data(framework=self.framework, **kwargs)


class EditableFrameworkMixin(FrameworkMixin):
    """Sends the lead back to the version's page, saying why, when it is
    frozen. The services refuse as well: this only saves a wasted form."""

    def refusal(self):
        if not services.is_frozen(self.framework):
            return None
        # The version's page says why, in full.
        messages.error(self.request, f"Nothing was changed: version {self.framework.version} is frozen.")
        return redirect(self.framework.get_absolute_url())

    def refused(self, form, error: ServiceError):
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error.message)
        return self.form_invalid(form)


class FrameworkListView(LeadMixin, ListView):
    template_name = "frameworks/list.html"
    context_object_name = "frameworks"
    paginate_by = 25

    def get_queryset(self):
        return services.frameworks_for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            (framework, services.cohorts_past_enrolment(framework)) for framework in context["frameworks"]
        ]
        return context


class FrameworkDetailView(FrameworkMixin, TemplateView):
    template_name = "frameworks/detail.html"

    def load_framework(self, version: int) -> Framework:
        try:
            return services.framework_for_page(version)
        except Framework.DoesNotExist as error:
            raise Http404("No such framework version.") from error

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        framework = self.framework
        criteria = list(framework.criteria.all())
        total = sum((c.weight for c in criteria), Decimal(0))
        for criterion in criteria:
            criterion.weight_text = weight_label(criterion.weight)
            criterion.share = round(100 * criterion.weight / total, 1) if total else 0
        pillars = []
        for pillar in services.PILLAR_ORDER:
            own = [c for c in criteria if c.pillar == pillar]
            weight = sum((c.weight for c in own), Decimal(0))
            pillars.append(
                {
                    "code": pillar,
                    "label": Pillar(pillar).label,
                    "criteria": own,
                    "weight": weight_label(weight),
                    "share": round(100 * weight / total) if total else 0,
                }
            )
        newest = Framework.objects.aggregate(newest=Max("version"))["newest"]
        context.update(
            criteria_count=len(criteria),
            pillars=pillars,
            total_weight=weight_label(total),
            cohorts=list(framework.cohorts.all()),
            frozen=services.is_frozen(framework),
            frozen_message=services.framework_in_use_message(framework),
            copy_form=kwargs.get("copy_form") or CopyFrameworkForm(),
            next_version=newest + 1,
            history=trail.history(framework, limit=10),
        )
        return context


class FrameworkCopyView(FrameworkMixin, FormView):
    """A form on the version's page; its own page shows the form again when
    the name is missing."""

    template_name = "frameworks/copy.html"
    form_class = CopyFrameworkForm

    def get_context_data(self, **kwargs):
        newest = Framework.objects.aggregate(newest=Max("version"))["newest"]
        return super().get_context_data(next_version=newest + 1, **kwargs)

    def form_valid(self, form):
        try:
            copy = services.copy_framework(source=self.framework, actor=self.request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error("name" if getattr(error, "field", None) == "name" else None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Version {copy.version} was made as a copy of version {self.framework.version}. "
            "You can change it until a cohort using it starts self-assessment.",
        )
        return redirect(copy.get_absolute_url())


class FrameworkEditView(EditableFrameworkMixin, FormView):
    template_name = "frameworks/framework_form.html"
    form_class = FrameworkForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Framework.objects.get(pk=self.framework.pk)}

    def form_valid(self, form):
        try:
            services.update_framework(framework=self.framework, actor=self.request.user, **form.cleaned_data)
        except ServiceError as error:
            return self.refused(form, error)
        messages.success(self.request, f"Version {self.framework.version} was saved.")
        return redirect(self.framework.get_absolute_url())


class CriterionCreateView(EditableFrameworkMixin, FormView):
    template_name = "frameworks/criterion_form.html"
    form_class = CriterionForm

    def get_initial(self):
        pillar = self.request.GET.get("pillar")
        return {"pillar": pillar if pillar in Pillar.values else None, "weight": 1}

    def form_valid(self, form):
        try:
            criterion = services.save_criterion(framework=self.framework, actor=self.request.user, **form.cleaned_data)
        except ServiceError as error:
            return self.refused(form, error)
        messages.success(self.request, f"{criterion.code} “{criterion.title}” was added.")
        return redirect(f"{self.framework.get_absolute_url()}#criterion-{criterion.pk}")


class CriterionMixin(EditableFrameworkMixin):
    @cached_property
    def criterion(self) -> Criterion:
        return self.get_criterion()

    def get_criterion(self) -> Criterion:
        return get_object_or_404(
            Criterion.objects.prefetch_related("kpis"), pk=self.kwargs["pk"], framework=self.framework
        )


class CriterionEditView(CriterionMixin, FormView):
    template_name = "frameworks/criterion_form.html"
    form_class = CriterionForm

    def get_form_kwargs(self):
        # The form gets its own copy: a rejected input must not show in the heading.
        return {**super().get_form_kwargs(), "instance": self.get_criterion()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(criterion=self.criterion, **kwargs)

    def form_valid(self, form):
        try:
            criterion = services.save_criterion(
                framework=self.framework, actor=self.request.user, criterion=self.criterion, **form.cleaned_data
            )
        except ServiceError as error:
            return self.refused(form, error)
        messages.success(self.request, f"{criterion.code} “{criterion.title}” was saved.")
        return redirect(f"{self.framework.get_absolute_url()}#criterion-{criterion.pk}")


class CriterionRemoveView(CriterionMixin, View):
    def post(self, request, *args, **kwargs):
        criterion = self.criterion
        try:
            services.remove_criterion(criterion=criterion, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("frameworks:criterion_edit", version=self.framework.version, pk=criterion.pk)
        messages.success(request, f"{criterion.code} “{criterion.title}” was removed.")
        return redirect(self.framework.get_absolute_url())


class KPICreateView(CriterionMixin, FormView):
    template_name = "frameworks/kpi_form.html"
    form_class = KPIForm

    def get_initial(self):
        return {"direction": KPI.Direction.HIGHER}

    def get_context_data(self, **kwargs):
        return super().get_context_data(criterion=self.criterion, **kwargs)

    def form_valid(self, form):
        try:
            kpi = services.save_kpi(criterion=self.criterion, actor=self.request.user, **form.cleaned_data)
        except ServiceError as error:
            return self.refused(form, error)
        messages.success(self.request, f"The KPI “{kpi.name}” was added to {self.criterion.code}.")
        return redirect(f"{self.framework.get_absolute_url()}#criterion-{self.criterion.pk}")


class KPIMixin(EditableFrameworkMixin):
    @cached_property
    def kpi(self) -> KPI:
        return self.get_kpi()

    def get_kpi(self) -> KPI:
        return get_object_or_404(
            KPI.objects.select_related("criterion"), pk=self.kwargs["pk"], criterion__framework=self.framework
        )


class KPIEditView(KPIMixin, FormView):
    template_name = "frameworks/kpi_form.html"
    form_class = KPIForm

    def get_form_kwargs(self):
        # The form gets its own copy: a rejected input must not show in the heading.
        return {**super().get_form_kwargs(), "instance": self.get_kpi()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(criterion=self.kpi.criterion, kpi=self.kpi, **kwargs)

    def form_valid(self, form):
        try:
            kpi = services.save_kpi(
                criterion=self.kpi.criterion, actor=self.request.user, kpi=self.kpi, **form.cleaned_data
            )
        except ServiceError as error:
            return self.refused(form, error)
        messages.success(self.request, f"The KPI “{kpi.name}” was saved.")
        return redirect(f"{self.framework.get_absolute_url()}#criterion-{kpi.criterion_id}")


class KPIRemoveView(KPIMixin, View):
    def post(self, request, *args, **kwargs):
        kpi = self.kpi
        try:
            services.remove_kpi(kpi=kpi, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("frameworks:kpi_edit", version=self.framework.version, pk=kpi.pk)
        messages.success(request, f"The KPI “{kpi.name}” was removed from {kpi.criterion.code}.")
        return redirect(f"{self.framework.get_absolute_url()}#criterion-{kpi.criterion_id}")
