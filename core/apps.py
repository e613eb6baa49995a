from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True  # this module has two configurations: "core" is this one
    name = "core"
    verbose_name = "Audit trail and notifications"


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site whose every change is audited (core.admin_site)."""

    default = False
    default_site = "core.admin_site.PortalAdminSite"
