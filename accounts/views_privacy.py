"""Privacy: the notice, a person's download of their data, and closing an
account. The work is done by `core.privacy`."""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.forms import CloseAccountForm
from core import privacy
from core.errors import ServiceError


class PrivacyNoticeView(TemplateView):
    template_name = "core/privacy.html"

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
    template_name = "accounts/close_account.html"
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
        return render(self.request, "accounts/account_closed.html")
