from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.rules import needs_mfa

# Pages a user who must set up MFA can still reach: their account pages
# (log out, MFA set-up, e-mail, password), invitations and static files.
# /verify/ and /v/<code>/: the public certificate check, open to anyone.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/invitations/", "/static/", "/verify/", "/v/")
# The privacy notice (but not the data download, which holds cohort data).
MFA_EXEMPT_PATHS = frozenset({"/privacy/"})


class RequireMFAMiddleware:
    """Sends programme leads, judges, staff and superusers without TOTP to
    set it up before they see any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and request.path not in MFA_EXEMPT_PATHS
            and needs_mfa(user)
            and not is_mfa_enabled(user)
        ):
            messages.info(
                request,
                "Programme leads, judges and administrators protect their account with two-factor authentication. "
                "Set it up now to continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
