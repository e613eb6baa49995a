from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from core.notifications import register_reissuer

        from . import services, signals  # noqa: F401 - connects the audit receivers

        # A failed e-mail whose secret link is gone is answered with a fresh link.
        register_reissuer("invitation", services.reissue_invitation_email)
        register_reissuer("password_reset_key", services.reissue_password_reset_email)
