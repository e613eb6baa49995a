"""Organisations: the lead's list, each organisation's page with its members
and enrolments, member management, and the CSV import."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from accounts.models import Invitation
from accounts.rules import is_organisation_member, is_programme_lead
from accounts.views import PeopleActionView
from core import trail
from core.errors import ServiceError
from organisations import csv_import, selectors, services
from organisations import imports as import_services
from organisations.forms import (
    ImportUploadForm,
    MemberInviteForm,
    MemberRoleForm,
    OrganisationCreateForm,
    OrganisationFilterForm,
    OrganisationForm,
)
from organisations.models import Membership, Organisation, OrganisationImport, Sector, Size

# Changing an organisation's details is for the same people as managing its
# members: the lead and the organisation's admins.
EDIT_PERMISSION = "organisations.manage_members"


class LeadMixin(PermissionRequiredMixin):
    permission_required = "organisations.manage_organisations"


class OrganisationListView(LeadMixin, ListView):
    template_name = "organisations/list.html"
    context_object_name = "organisations"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = OrganisationFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.organisations_for_lead(search=filters.get("q", ""), sector=filters.get("sector", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=self.filter_form, query_string=query.urlencode(), filtered=bool(query))
        return context


class OrganisationCreateView(LeadMixin, FormView):
    template_name = "organisations/form.html"
    form_class = OrganisationCreateForm

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        invite_contact = data.pop("invite_contact")
        try:
            organisation = services.create_organisation(actor=self.request.user, invite_contact=invite_contact, **data)
        except ServiceError as error:
            form.add_error("name", error.message)
            return self.form_invalid(form)
        message = f"{organisation} was created."
        if invite_contact:
            message += f" {organisation.contact_email} was invited to be its organisation admin."
        messages.success(self.request, message)
        return redirect(organisation.get_absolute_url())


class OrganisationMixin(PermissionRequiredMixin):
    """Loads the organisation in the URL.

    A person with no way of seeing any organisation's page (a judge, someone
    with no role) gets 403 before anything is looked up. A member of another
    organisation gets 404, so that the page does not reveal that this
    organisation exists. Then `permission_required` (on the organisation)
    decides: 403 when it fails.
    """

    permission_required = "organisations.view_organisation_page"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not (is_programme_lead(user) or is_organisation_member(user)):
            return self.handle_no_permission()
        self.organisation = get_object_or_404(Organisation, pk=kwargs["pk"])
        if not user.has_perm("organisations.view_organisation_page", self.organisation):
            raise Http404("No such organisation.")
        if not self.has_permission():
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.organisation

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisation=self.organisation, is_lead=is_programme_lead(self.request.user), **kwargs
        )


class OrganisationDetailView(OrganisationMixin, TemplateView):
    template_name = "organisations/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.organisation
        user = self.request.user
        can_manage = user.has_perm("organisations.manage_members", organisation)
        memberships = (
            organisation.memberships.active()
            .select_related("user")
            .annotate(
                admin_first=Case(
                    When(role=Membership.Role.ADMIN, then=Value(0)), default=Value(1), output_field=IntegerField()
                )
            )
            .order_by("admin_first", "user__full_name", "user__email")
        )
        context.update(
            can_manage=can_manage,
            memberships=memberships,
            role_choices=Membership.Role.choices,
            enrolments=organisation.enrolments.select_related("cohort").order_by("-cohort__number"),
            invitations=(
                Invitation.objects.pending().filter(organisation=organisation).order_by("email")
                if can_manage
                else Invitation.objects.none()
            ),
            history=self._history(organisation)[:15] if context["is_lead"] else [],
        )
        return context

    def _history(self, organisation):
        """The organisation's own entries and its memberships' (joined, role
        changed, ended), in one query."""
        return trail.history(organisation, organisation.memberships.all(), limit=None)


class OrganisationEditView(OrganisationMixin, FormView):
    permission_required = EDIT_PERMISSION
    template_name = "organisations/form.html"
    form_class = OrganisationForm

    def get_initial(self):
        return {field: getattr(self.organisation, field) for field in services.ORGANISATION_FIELDS}

    def form_valid(self, form):
        try:
            organisation = services.update_organisation(
                organisation=self.organisation, actor=self.request.user, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error("name", error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{organisation}'s details were saved.")
        return redirect(organisation.get_absolute_url())


class MemberInviteView(OrganisationMixin, FormView):
    permission_required = "organisations.manage_members"
    template_name = "organisations/invite.html"
    form_class = MemberInviteForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation_days=settings.INVITATION_VALID_DAYS, **kwargs)

    def form_valid(self, form):
        try:
            invitation = services.invite_member(
                organisation=self.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=self.request.user,
            )
        except ServiceError as error:
            form.add_error("email", error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {invitation.email}.")
        return redirect(self.organisation.get_absolute_url())


class MemberActionView(OrganisationMixin, View):
    """A POST on one member of the organisation: call the service, report
    the outcome, go back to the organisation's page."""

    permission_required = "organisations.manage_members"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(
            Membership.objects.active().select_related("user", "organisation"),
            pk=kwargs["membership_pk"],
            organisation=self.organisation,
        )
        try:
            message = self.act(membership)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
            if membership.user_id == request.user.pk and not is_programme_lead(request.user):
                return redirect(self.where_next_for_self(membership))
        return redirect(self.organisation.get_absolute_url())

    def act(self, membership: Membership) -> str:
        raise NotImplementedError

    def where_next_for_self(self, membership: Membership) -> str:
        return self.organisation.get_absolute_url()


class MemberRoleView(MemberActionView):
    def act(self, membership):
        form = MemberRoleForm(self.request.POST)
        if not form.is_valid():
            raise ServiceError("Choose organisation admin or contributor.")
        role = form.cleaned_data["role"]
        if membership.role == role:
            return f"{membership.user} is already {Membership.Role(role).label.lower()}."
        services.change_member_role(membership=membership, role=role, actor=self.request.user)
        return f"{membership.user} is now {_with_article(Membership.Role(role).label.lower())}."


class MemberRemoveView(MemberActionView):
    def act(self, membership):
        services.remove_member(membership=membership, actor=self.request.user)
        if membership.user_id == self.request.user.pk:
            return f"You are no longer a member of {self.organisation}."
        return f"{membership.user} is no longer a member of {self.organisation}."

    def where_next_for_self(self, membership):
        # Their page is no longer theirs to see.
        return reverse("home")


# An organisation's data, at its request (UK GDPR) ----------------------------------


def _with_article(phrase: str) -> str:
    return f"{'an' if phrase[:1] in 'aeiou' else 'a'} {phrase}"


# The CSV import ---------------------------------------------------------------


class ImportUploadView(LeadMixin, FormView):
    template_name = "organisations/imports/upload.html"
    form_class = ImportUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=csv_import.COLUMNS,
            optional_columns=csv_import.OPTIONAL_COLUMNS,
            sectors=Sector.choices,
            sizes=Size.choices,
            max_rows=f"{import_services.max_rows():,}",
            recent_imports=OrganisationImport.objects.defer("content").select_related("cohort", "uploaded_by")[:10],
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            organisation_import = import_services.upload(
                data=upload.read(import_services.MAX_FILE_BYTES + 1),
                file_name=upload.name,
                cohort=form.cleaned_data["cohort"],
                actor=self.request.user,
            )
        except ServiceError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        return redirect("organisations:organisation_import_preview", pk=organisation_import.pk)


class ImportPreviewView(LeadMixin, TemplateView):
    """Every row with its errors; the Import button only when there are none.
    POST imports the file."""

    template_name = "organisations/imports/preview.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.organisation_import = get_object_or_404(
            OrganisationImport.objects.select_related("cohort", "uploaded_by"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(organisation_import=self.organisation_import, **kwargs)
        if self.organisation_import.imported_at is not None:
            return context
        try:
            parsed = import_services.preview(self.organisation_import)
        except ServiceError as error:
            context["file_problem"] = error.message
            return context
        only_errors = self.request.GET.get("errors") == "1"
        context.update(
            parsed=parsed,
            rows=parsed.rows_with_errors if only_errors else parsed.rows,
            only_errors=only_errors,
            error_count=len(parsed.rows_with_errors),
        )
        return context

    def post(self, request, *args, **kwargs):
        organisation_import = self.organisation_import
        try:
            organisations = import_services.confirm(organisation_import=organisation_import, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("organisations:organisation_import_preview", pk=organisation_import.pk)
        count = len(organisations)
        message = (
            f"{count} organisation{'s were' if count != 1 else ' was'} imported from {organisation_import.file_name}, "
            f"and {'their main contacts were' if count != 1 else 'its main contact was'} invited as organisation admin."
        )
        if organisation_import.cohort:
            message += f" {'They are' if count != 1 else 'It is'} enrolled in {organisation_import.cohort}."
        messages.success(request, message)
        return redirect("organisations:organisation_list")


class EndMembershipView(PeopleActionView):
    """The lead ends a membership from the people page (which lists
    memberships beside the site roles)."""

    queryset = Membership.objects.select_related("user", "organisation")

    def act(self, membership):
        services.remove_member(membership=membership, actor=self.request.user)
        return f"{membership.user} is no longer a member of {membership.organisation}."
