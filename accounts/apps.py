from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        # Imported once the apps are loaded: apps.py may not import models at module level.
        from accounts import services, signals  # noqa: F401, PLC0415 - connects the audit receivers
        from core.notifications import register_reissuer  # noqa: PLC0415

        # A failed e-mail whose secret link is gone is answered with a fresh link.
        register_reissuer("invitation", services.reissue_invitation_email)
        register_reissuer("password_reset_key", services.reissue_password_reset_email)
