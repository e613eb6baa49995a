"""Judging: the lead's panel, assignments and dashboard; a judge's conflicts."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from accounts.models import Invitation, User
from cohorts.models import Cohort
from cohorts.views.programme import CohortMixin
from core import trail
from core.errors import ServiceError
from judging import selectors as judging_selectors
from judging.forms import AddJudgeForm, ConflictForm, InviteJudgeForm, ManualAssignmentForm, RemoveJudgeForm
from judging.models import Assignment, CohortJudge
from judging.services import panel as services
from organisations.models import Membership


class JudgingMixin(CohortMixin):
    """A lead's page about one cohort's judging."""

    permission_required = "judging.manage_judging"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# The panel -------------------------------------------------------------------


class PanelView(JudgingMixin, TemplateView):
    template_name = "judging/panel.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = self.cohort
        context.setdefault("add_form", AddJudgeForm(cohort=cohort))
        context.setdefault("invite_form", InviteJudgeForm())
        context.update(
            seats=judging_selectors.panel_seats(cohort),
            removed=cohort.panel.filter(removed_at__isnull=False).select_related("judge", "removed_by"),
            invited=judging_selectors.invited_to_panel(cohort),
            remove_form=RemoveJudgeForm(),
            is_frozen=cohort.phase in services.FROZEN_PHASES,
            history=trail.history(
                cohort.panel.all(),
                cohort,
                actions=("panel.judge_added", "panel.judge_removed", "panel.judge_invited"),
                limit=15,
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = AddJudgeForm(request.POST, cohort=self.cohort)
        if form.is_valid():
            judge = form.cleaned_data["judge"]
            try:
                services.add_judge(cohort=self.cohort, judge=judge, actor=request.user)
            except ServiceError as error:
                form.add_error("judge", error.message)
            else:
                messages.success(
                    request, f"{judge} is now on the judging panel. We have asked them to declare their conflicts."
                )
                return redirect("judging:panel", number=self.cohort.number)
        return self.render_to_response(self.get_context_data(add_form=form))


class PanelInviteView(PanelView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = InviteJudgeForm(request.POST)
        if form.is_valid():
            try:
                result = services.invite_judge(cohort=self.cohort, email=form.cleaned_data["email"], actor=request.user)
            except ServiceError as error:
                form.add_error("email", error.message)
            else:
                if isinstance(result, Invitation):
                    messages.success(
                        request,
                        f"We have invited {result.email} to be a judge. They join this panel when they accept.",
                    )
                else:
                    messages.success(request, f"{result.judge} already judges on the portal and is now on this panel.")
                return redirect("judging:panel", number=self.cohort.number)
        return self.render_to_response(self.get_context_data(invite_form=form))


class PanelRemoveView(JudgingMixin, View):
    def post(self, request, *args, **kwargs):
        seat = get_object_or_404(CohortJudge.objects.select_related("judge"), pk=kwargs["pk"], cohort=self.cohort)
        form = RemoveJudgeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a reason for removing the judge.")
        else:
            try:
                services.remove_judge(seat=seat, reason=form.cleaned_data["reason"], actor=request.user)
            except ServiceError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    f"{seat.judge} has left the panel. Their open scorecards were withdrawn and their "
                    "assignments ended: run automatic assignment to fill the places.",
                )
        return redirect("judging:panel", number=self.cohort.number)


# Conflicts (a judge's own page) ---------------------------------------------------


class ConflictsView(PermissionRequiredMixin, TemplateView):
    """A judge on the panel declares conflicts of interest with the
    cohort's organisations and sees their declarations."""

    permission_required = "judging.declare_conflict"
    template_name = "judging/conflicts.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.cohort = get_object_or_404(Cohort, number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.cohort

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort, judge = self.cohort, self.request.user
        declarations = list(cohort.conflicts.filter(judge=judge).select_related("organisation"))
        enrolled = cohort.enrolments.active().values("organisation_id")
        memberships = list(
            Membership.objects.active()
            .filter(user=judge, organisation_id__in=enrolled)
            .select_related("organisation")
            .order_by("organisation__name")
        )
        exclude = [d.organisation_id for d in declarations] + [m.organisation_id for m in memberships]
        context.setdefault("form", ConflictForm(cohort=cohort, exclude_ids=exclude))
        context.update(
            cohort=cohort,
            declarations=declarations,
            memberships=memberships,
            assigned=list(
                Assignment.objects.active()
                .filter(cohort=cohort, judge=judge)
                .select_related("enrolment__organisation")
                .order_by("enrolment__organisation__name")
            ),
            is_frozen=cohort.phase in services.FROZEN_PHASES,
        )
        return context

    def post(self, request, *args, **kwargs):
        context = self.get_context_data()
        form = ConflictForm(
            request.POST, cohort=self.cohort, exclude_ids=[d.organisation_id for d in context["declarations"]]
        )
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            was_assigned = any(a.enrolment.organisation_id == organisation.pk for a in context["assigned"])
            try:
                services.declare_conflict(
                    cohort=self.cohort,
                    judge=request.user,
                    organisation=organisation,
                    relationship=form.cleaned_data["relationship"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as error:
                form.add_error("organisation", error.message)
            else:
                message = f"Your conflict of interest with {organisation} is recorded."
                if was_assigned:
                    message += (
                        " You no longer judge it: your scorecard was withdrawn and the programme lead can see why."
                    )
                messages.success(request, message)
                return redirect("judging:conflicts", number=self.cohort.number)
        return self.render_to_response(self.get_context_data(form=form))


# Assignments --------------------------------------------------------------------


class AssignmentsView(JudgingMixin, TemplateView):
    template_name = "judging/assignments.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, seats, load = judging_selectors.assignment_overview(self.cohort)
        context.setdefault(
            "assign_form",
            ManualAssignmentForm(
                cohort=self.cohort, judges=[seat.judge for seat in seats], finalists=[row.enrolment for row in rows]
            ),
        )
        context.update(
            rows=rows,
            loads=[(seat.judge, load.get(seat.judge_id, 0)) for seat in seats],
            complete=bool(rows) and all(not row.short_by for row in rows),
            short_count=sum(1 for row in rows if row.short_by),
            is_frozen=self.cohort.phase in services.FROZEN_PHASES,
        )
        return context


class AssignmentRunView(JudgingMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            run = services.assign_automatically(cohort=self.cohort, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            if run.added or run.ended:
                summary = f"Automatic assignment made {_plural(len(run.added), 'new assignment')}"
                if run.ended:
                    summary += f" and ended {len(run.ended)}"
                summary += f"; {_plural(len(run.notified), 'judge')} told their finalists by e-mail."
            else:
                summary = "Automatic assignment changed nothing: every finalist already has the judges it can get."
            messages.success(request, summary)
            for shortfall in run.shortfalls:
                messages.warning(request, f"{shortfall.enrolment.organisation} is short of judges: {shortfall.reason}.")
        return redirect("judging:assignments", number=self.cohort.number)


class AssignmentAddView(AssignmentsView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        seats = judging_selectors.panel_seats(self.cohort)
        form = ManualAssignmentForm(
            request.POST,
            cohort=self.cohort,
            judges=[seat.judge for seat in seats],
            finalists=judging_selectors.finalists_of(self.cohort).order_by("organisation__name"),
        )
        if form.is_valid():
            judge, enrolment = form.cleaned_data["judge"], form.cleaned_data["enrolment"]
            try:
                services.assign_by_hand(cohort=self.cohort, judge=judge, enrolment=enrolment, actor=request.user)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{judge} now judges {enrolment.organisation}; we have told them by e-mail.")
                return redirect("judging:assignments", number=self.cohort.number)
        return self.render_to_response(self.get_context_data(assign_form=form))


class AssignmentRemoveView(JudgingMixin, View):
    def post(self, request, *args, **kwargs):
        assignment = get_object_or_404(
            Assignment.objects.select_related("judge", "enrolment__organisation"), pk=kwargs["pk"], cohort=self.cohort
        )
        try:
            services.unassign(assignment=assignment, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{assignment.judge} no longer judges {assignment.enrolment.organisation}"
                " (any scorecard they had started was withdrawn).",
            )
        return redirect("judging:assignments", number=self.cohort.number)


# The lead's judging dashboard ---------------------------------------------------


class JudgingDashboardView(JudgingMixin, TemplateView):
    template_name = "judging/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = judging_selectors.judging_dashboard(self.cohort, page_number=self.request.GET.get("page"))
        context.update(
            dashboard=dashboard,
            page_obj=dashboard.page,
            cell_labels=judging_selectors.CELL_LABELS,
            deadline=self.cohort.judging_deadline,
        )
        return context


class ReminderView(JudgingMixin, View):
    def post(self, request, *args, **kwargs):
        judge = get_object_or_404(User, pk=kwargs["judge_pk"])
        try:
            services.remind_judge(cohort=self.cohort, judge=judge, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"We have reminded {judge} of their open scorecards by e-mail.")
        url = reverse("judging:dashboard", kwargs={"number": self.cohort.number})
        page = request.POST.get("page", "")
        return redirect(f"{url}?page={page}" if page.isdigit() else url)
