from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse

from core.notifications import absolute_url, secrets_in, send_rendered_email


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails (verification, password reset, security notices) go
    through the portal's e-mail core: stored, sent after commit, retried, and
    listed for the lead when they fail. Their secret links (reset and
    confirmation keys) are stored encrypted until delivery, then removed."""

    # The page people land on says who they are; a banner saying so again is noise.
    QUIET_MESSAGES = frozenset({"account/messages/logged_in.txt"})

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        if message_template in self.QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_reset_password_from_key_url(self, key: str) -> str:
        # Sent outside a request (a command, a lead's resend), the link is built on PQ_SITE_URL.
        if self.request is not None:
            return super().get_reset_password_from_key_url(key)
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        site = (
            get_current_site(request)
            if request is not None
            else SimpleNamespace(name="P&Q portal", domain=urlsplit(settings.SITE_URL).netloc)
        )
        message = self.render_mail(
            template_prefix, email, {"request": request, "email": email, "current_site": site, **context}
        )
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        text = message.body
        if message.content_subtype == "html":
            text, html = "", message.body
        send_rendered_email(
            to=message.to,
            template=template_prefix.rsplit("/", 1)[-1],
            subject=message.subject,
            text=text,
            html=html,
            secrets=secrets_in(context),
        )
