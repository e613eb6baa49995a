from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from accounts.models import Invitation, Role, RoleGrant, User
from accounts.selectors import roles_of
from cohorts import selectors as cohort_selectors
from cohorts.dashboards import cohort_cards, member_cards
from cohorts.models import Cohort, Reminder
from cohorts.services.reminders import last_reminded_of
from core import notifications, trail
from core.errors import ServiceError
from core.models import OutboundEmail
from judging.selectors import assignments_judged_by
from organisations.models import Membership, Organisation

DASHBOARDS = {
    Role.PROGRAMME_LEAD: "lead_dashboard",
    Role.JUDGE: "judge_dashboard",
    Role.ORGANISATION_MEMBER: "member_dashboard",
}


def home(request):
    """Send each person to their own dashboard; let people with several
    roles choose; tell people with none what they can do next."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    roles = [role for role in DASHBOARDS if role in roles_of(request.user)]
    if len(roles) == 1:
        return redirect(DASHBOARDS[roles[0]])
    if not roles:
        return render(request, "core/welcome.html")
    choices = [(Role(role).label, DASHBOARDS[role]) for role in roles]
    return render(request, "core/choose_role.html", {"choices": choices})


class LeadDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_lead_dashboard"
    template_name = "core/lead_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grants = RoleGrant.objects.active()
        context.update(
            people_count=User.objects.count(),
            lead_count=grants.filter(role=Role.PROGRAMME_LEAD).count(),
            judge_count=grants.filter(role=Role.JUDGE).count(),
            member_count=Membership.objects.active().values("user").distinct().count(),
            organisation_count=Organisation.objects.count(),
            pending_invitations=Invitation.objects.pending().count(),
            failed_emails=OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).count(),
            recent_events=trail.recent(limit=10),
            cohorts=cohort_cards(
                cohort_selectors.with_timeline(Cohort.objects.exclude(phase="closed"))[:6], timezone.now()
            ),
        )
        return context


class JudgeDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_judge_dashboard"
    template_name = "core/judge_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = cohort_cards(cohort_selectors.cohorts_judged_by(self.request.user), timezone.now())
        context["last_reminded"] = last_reminded_of(self.request.user, kind=Reminder.Kind.JUDGING)
        assignments = list(assignments_judged_by(self.request.user))
        submitted = sum(1 for a in assignments if getattr(a, "scorecard", None) and a.scorecard.status == "submitted")
        context["scorecards"] = {
            "total": len(assignments),
            "submitted": submitted,
            "started": sum(1 for a in assignments if a.scores_given) - submitted,
        }
        return context


class MemberDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_member_dashboard"
    template_name = "core/member_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = (
            Membership.objects.active().filter(user=self.request.user).select_related("organisation")
        )
        context["cards"] = member_cards(cohort_selectors.enrolments_of_member(self.request.user), timezone.now())
        context["last_reminded"] = last_reminded_of(self.request.user, kind=Reminder.Kind.SELF_ASSESSMENT)
        return context


class OutboundEmailListView(PermissionRequiredMixin, ListView):
    """E-mails that could not be delivered, for the lead to resend."""

    permission_required = "core.view_outbound_emails"
    template_name = "core/failed_emails.html"
    context_object_name = "emails"
    paginate_by = 50

    def get_queryset(self):
        return OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).defer(
            "body_text", "body_html", "sealed_body"
        )


class ResendEmailView(PermissionRequiredMixin, View):
    permission_required = "core.resend_email"

    def post(self, request, pk: int):
        email = get_object_or_404(OutboundEmail, pk=pk, status=OutboundEmail.Status.FAILED)
        try:
            done = notifications.resend(email=email, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return redirect("failed_emails")


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
