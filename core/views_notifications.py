"""Each person's notifications and e-mail preferences, and the lead's
site-wide audit trail."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.generic import FormView, ListView
from rules.contrib.views import PermissionRequiredMixin

from core import email_kinds, preferences, trail
from core.models import Notification


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "core/notifications.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self):
        notifications = Notification.objects.filter(user=self.request.user)
        if self.request.GET.get("show") == "unread":
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    def get_context_data(self, **kwargs):
        show_unread = self.request.GET.get("show") == "unread"
        return super().get_context_data(
            show_unread=show_unread, query_string="show=unread" if show_unread else "", **kwargs
        )


class NotificationOpenView(LoginRequiredMixin, View):
    """Follow a notification's link, marking it read on the way."""

    def get(self, request, pk: int):
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
        link = notification.link
        if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None) and link.startswith("/"):
            return redirect(link)
        return redirect("notifications")


def _back_to_list(request):
    """Back to the page of the list the person was on."""
    query = {key: request.POST[key] for key in ("show", "page") if request.POST.get(key, "").isalnum()}
    return redirect(f"{reverse('notifications')}?{urlencode(query)}" if query else reverse("notifications"))


class NotificationReadView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        Notification.objects.filter(pk=pk, user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return _back_to_list(request)


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        if count:
            messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
        return _back_to_list(request)


class PreferencesForm(forms.Form):
    """One checkbox per optional kind of e-mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in email_kinds.CATEGORIES:
            if not category.mandatory:
                self.fields[category.code] = forms.BooleanField(
                    label=category.label, help_text=category.description, required=False
                )


class PreferencesView(LoginRequiredMixin, FormView):
    template_name = "core/preferences.html"
    form_class = PreferencesForm

    def get_initial(self):
        opted_out = preferences.opted_out_of(self.request.user)
        return {code: code not in opted_out for code in email_kinds.OPTIONAL_CODES}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            mandatory=[category for category in email_kinds.CATEGORIES if category.mandatory], **kwargs
        )

    def form_valid(self, form):
        wanted = {code for code in email_kinds.OPTIONAL_CODES if form.cleaned_data.get(code)}
        preferences.set_email_preferences(user=self.request.user, wanted=wanted)
        messages.success(self.request, "Your e-mail preferences are saved.")
        return redirect("notification_preferences")


class AuditTrailView(PermissionRequiredMixin, ListView):
    """Every audit entry of the site, for the lead: roles, invitations,
    accounts and frameworks as well as the cohorts' own entries."""

    permission_required = "core.view_auditevent"
    template_name = "core/audit_trail.html"
    context_object_name = "events"
    paginate_by = 50
    time_zone = "Europe/London"

    def base_events(self):
        return trail.everything()

    def get_form(self):
        return trail.TrailFilterForm(self.request.GET or None, people=trail.people_in(self.base_events()))

    def get(self, request, *args, **kwargs):
        self.form = self.get_form()
        if kwargs.get("export"):
            events = trail.filtered(self.base_events(), self.form, time_zone=self.time_zone)
            return trail.csv_export(trail.for_listing(events), time_zone=self.time_zone, filename=self.export_name())
        return super().get(request, *args, **kwargs)

    def export_name(self) -> str:
        return f"audit-trail-{timezone.localdate():%Y-%m-%d}.csv"

    def get_queryset(self):
        return trail.for_listing(trail.filtered(self.base_events(), self.form, time_zone=self.time_zone))

    def get_context_data(self, **kwargs):
        query = {key: value for key, value in self.request.GET.items() if key != "page" and value}
        return super().get_context_data(
            form=self.form, query_string=urlencode(query), time_zone=self.time_zone, **kwargs
        )
