from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views import View
from django.views.generic import FormView, ListView
from rules.contrib.views import PermissionRequiredMixin

from accounts import services
from accounts.forms import InvitationSignupForm, InviteForm, PeopleFilterForm
from accounts.models import Invitation, RoleGrant, User
from accounts.selectors import people_for_lead
from core import trail
from core.errors import ServiceError


class InvitationAcceptView(View):
    """The link in an invitation e-mail. New people set a password here;
    people with an account sign in first and then accept."""

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, *args, token: str, **kwargs):
        self.token = token
        self.invitation = services.find_invitation(token)
        if self.invitation is None:
            return self.problem("We could not find this invitation. Check that the whole link was copied.", 404)
        try:
            services.check_invitation_usable(self.invitation)
        except ServiceError as error:
            return self.problem(error.message, 410)
        user = request.user
        if user.is_authenticated and user.email.lower() != self.invitation.email:
            return self.problem(
                f"This invitation is for {self.invitation.email}, but you are signed in as {user.email}. "
                "Sign out, then open the link again.",
                403,
                show_logout=True,
            )
        self.existing_account = User.objects.filter(email__iexact=self.invitation.email).exists()
        return super().dispatch(request, *args, **kwargs)

    def problem(self, message: str, status: int, show_logout: bool = False):
        return render(
            self.request,
            "accounts/invitation_problem.html",
            {"message": message, "show_logout": show_logout},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(InvitationSignupForm(email=self.invitation.email))

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            try:
                services.accept_invitation(invitation=self.invitation, user=request.user)
            except ServiceError as error:
                return self.problem(error.message, 409)
            messages.success(request, f"Welcome: you are now {self.invitation.role_phrase}.")
            return redirect("home")
        if self.existing_account:
            return self.render_page(None)
        form = InvitationSignupForm(request.POST, email=self.invitation.email)
        if not form.is_valid():
            return self.render_page(form)
        try:
            user = services.register_from_invitation(
                invitation=self.invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ServiceError as error:
            return self.problem(error.message, 409)
        messages.success(request, f"Welcome, {user.get_short_name()}: you are now {self.invitation.role_phrase}.")
        # Through allauth, so that the session counts as freshly authenticated
        # (MFA set-up then needs no second password prompt).
        record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
        return perform_login(request, user, email_verification="none", redirect_url=reverse("home"))

    def render_page(self, form):
        login_url = f"{reverse('account_login')}?next={self.request.path}"
        return render(
            self.request,
            self.template_name,
            {
                "invitation": self.invitation,
                "form": form,
                "existing_account": self.existing_account,
                "login_url": login_url,
                "role_phrase": self.invitation.role_phrase,
            },
        )


class PeopleView(PermissionRequiredMixin, ListView):
    """The lead's people page: everyone with their roles, and invitations."""

    permission_required = "accounts.manage_people"
    template_name = "accounts/people.html"
    context_object_name = "people"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = PeopleFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return people_for_lead(search=filters.get("q", ""), role=filters.get("role", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["invitations"] = (
            Invitation.objects.filter(accepted_at__isnull=True, cancelled_at__isnull=True)
            .select_related("organisation", "invited_by")
            .order_by("-sent_at")[:100]
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["history"] = trail.recent(prefixes=("role.", "invitation."), limit=15)
        return context


class InviteView(PermissionRequiredMixin, FormView):
    permission_required = "accounts.manage_people"
    template_name = "accounts/invite.html"
    form_class = InviteForm
    success_url = reverse_lazy("accounts:people")
    extra_context = {"invitation_days": settings.INVITATION_VALID_DAYS}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            invitation, _token = services.invite(
                email=data["email"],
                role=data["role"],
                invited_by=self.request.user,
                organisation=data.get("organisation"),
                organisation_role=data.get("organisation_role", ""),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {invitation.email}.")
        return super().form_valid(form)


class PeopleActionView(PermissionRequiredMixin, View):
    """A POST-only action on the people page: find the object, call the
    service, report the outcome, go back to the people page."""

    permission_required = "accounts.manage_people"
    model = None
    queryset = None

    def post(self, request, pk: int):
        obj = get_object_or_404(self.queryset if self.queryset is not None else self.model.objects.all(), pk=pk)
        try:
            message = self.act(obj)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect("accounts:people")

    def act(self, obj) -> str:
        raise NotImplementedError


class RevokeRoleView(PeopleActionView):
    queryset = RoleGrant.objects.select_related("user")

    def act(self, grant):
        services.revoke_role(grant=grant, actor=self.request.user)
        return f"{grant.user} is no longer a {grant.get_role_display().lower()}."


class ResendInvitationView(PeopleActionView):
    model = Invitation

    def act(self, invitation):
        services.resend_invitation(invitation=invitation, actor=self.request.user)
        return f"A new invitation link was sent to {invitation.email}."


class CancelInvitationView(PeopleActionView):
    model = Invitation

    def act(self, invitation):
        services.cancel_invitation(invitation=invitation, actor=self.request.user)
        return f"The invitation to {invitation.email} was cancelled."
