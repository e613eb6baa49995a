from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from accounts.forms import CloseAccountForm
from accounts.models import Invitation, Role, RoleGrant, User
from accounts.selectors import roles_of
from cohorts import selectors as cohort_selectors
from cohorts.models import Cohort, Phase, Reminder
from cohorts.services.reminders import last_reminded_of
from core import notifications, trail
from core.errors import ServiceError
from core.models import OutboundEmail
from judging.models import Scorecard
from judging.selectors import assignments_judged_by
from organisations.forms import (
    OrganisationEraseForm,
)
from organisations.models import Membership, Organisation
from organisations.views import OrganisationMixin
from portal import organisation_privacy, privacy
from portal.dashboards import cohort_cards, member_cards

DASHBOARDS = {
    Role.PROGRAMME_LEAD: "lead_dashboard",
    Role.JUDGE: "judge_dashboard",
    Role.ORGANISATION_MEMBER: "member_dashboard",
}


def home(request):
    """Send each person to their own dashboard; let people with several
    roles choose; tell people with none what they can do next."""
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    roles = [role for role in DASHBOARDS if role in roles_of(request.user)]
    if len(roles) == 1:
        return redirect(DASHBOARDS[roles[0]])
    if not roles:
        return render(request, "portal/welcome.html")
    choices = [(Role(role).label, DASHBOARDS[role]) for role in roles]
    return render(request, "portal/choose_role.html", {"choices": choices})


class LeadDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_lead_dashboard"
    template_name = "portal/lead_dashboard.html"

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
                cohort_selectors.with_timeline(Cohort.objects.exclude(phase=Phase.CLOSED))[:6], timezone.now()
            ),
        )
        return context


class JudgeDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_judge_dashboard"
    template_name = "portal/judge_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = cohort_cards(cohort_selectors.cohorts_judged_by(self.request.user), timezone.now())
        context["last_reminded"] = last_reminded_of(self.request.user, kind=Reminder.Kind.JUDGING)
        assignments = list(assignments_judged_by(self.request.user))
        submitted = sum(
            1 for a in assignments if getattr(a, "scorecard", None) and a.scorecard.status == Scorecard.Status.SUBMITTED
        )
        context["scorecards"] = {
            "total": len(assignments),
            "submitted": submitted,
            "started": sum(1 for a in assignments if a.scores_given) - submitted,
        }
        return context


class MemberDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_member_dashboard"
    template_name = "portal/member_dashboard.html"

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
    template_name = "portal/failed_emails.html"
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


class PrivacyNoticeView(TemplateView):
    template_name = "portal/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            privacy_email=settings.PRIVACY_CONTACT_EMAIL,
            security_email=settings.SECURITY_CONTACT_EMAIL,
            session_hours=settings.SESSION_COOKIE_AGE / 3600,
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class MyDataView(LoginRequiredMixin, View):
    """Everything the portal holds about the signed-in person, as a JSON download."""

    def get(self, request):
        data = privacy.personal_data(request.user)
        privacy.record_export(user=request.user)
        answer = HttpResponse(privacy.to_json(data), content_type="application/json; charset=utf-8")
        answer["Content-Disposition"] = f'attachment; filename="pq-my-data-{timezone.localdate():%Y%m%d}.json"'
        return answer


@method_decorator(never_cache, name="dispatch")
class CloseAccountView(LoginRequiredMixin, FormView):
    template_name = "portal/close_account.html"
    form_class = CloseAccountForm

    # Closing needs the password (or second factor) given again recently:
    # allauth asks for it, then replays this POST.
    @method_decorator(reauthentication_required)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(refusal=privacy.closing_refusal(self.request.user), **kwargs)

    def form_valid(self, form):
        try:
            privacy.close_account(user=self.request.user)
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        logout(self.request)
        return render(self.request, "portal/account_closed.html")


@method_decorator(never_cache, name="dispatch")
class OrganisationExportView(OrganisationMixin, View):
    """The lead downloads everything held about the organisation: a zip of
    data.json and its evidence files."""

    permission_required = "organisations.manage_organisations"

    def get(self, request, *args, **kwargs):
        archive = organisation_privacy.organisation_archive(organisation=self.organisation, actor=request.user)
        return FileResponse(
            archive,
            as_attachment=True,
            filename=organisation_privacy.archive_name(self.organisation),
            content_type="application/zip",
        )


class OrganisationEraseView(OrganisationMixin, FormView):
    """The lead erases the organisation's data at its request."""

    permission_required = "organisations.manage_organisations"
    template_name = "portal/organisation_erase.html"
    form_class = OrganisationEraseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.organisation}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            refusal=organisation_privacy.erasure_refusal(self.organisation), here="Erase data", **kwargs
        )

    def form_valid(self, form):
        try:
            counts = organisation_privacy.erase_organisation(
                organisation=self.organisation, actor=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        files = counts["evidence_files"]
        messages.success(
            self.request,
            f"The organisation's data was erased ({files} evidence file{'s' if files != 1 else ''} deleted). "
            f"It is now “{organisation_privacy.erased_name(self.organisation)}”.",
        )
        return redirect(self.organisation.get_absolute_url())
