"""People in the admin, the lead's fallback. Nothing here can make anyone
more powerful or sign in as someone else:

- only a superuser grants staff or superuser status, groups or permissions;
- nobody sets a password or removes a second factor by hand: the actions
  e-mail the person a password-reset link, or reset their second factor and
  tell them by e-mail (accounts.services, audited);
- addresses change through the person's own (verified) account page.

Every change made here is audited (core.admin_site).
"""

from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect

from accounts import services
from accounts.models import Invitation, RoleGrant, User
from core.admin import ReadOnlyAdmin
from core.errors import ServiceError

# What only a superuser may change, on anyone.
POWER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "granted_at", "granted_by", "revoked_at", "revoked_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Roles change through the people page, which audits them.
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    inlines = [RoleGrantInline]
    # No password field: passwords are never set here (see send_password_reset).
    fieldsets = (
        (None, {"fields": ("email",)}),
        ("Personal details", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", *POWER_FIELDS)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    actions = ["send_password_reset", "reset_second_factor"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["email", "last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly += POWER_FIELDS
        return readonly

    def has_add_permission(self, request):
        # People join by invitation or sign-up; the first lead by `manage.py create_lead`.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        messages.error(
            request,
            "Passwords are not set in the admin. Choose the person in the list and send them a "
            "password-reset e-mail instead.",
        )
        return redirect("admin:accounts_user_changelist")

    def has_send_password_reset_permission(self, request):
        return request.user.has_perm("accounts.send_password_reset")

    def has_reset_second_factor_permission(self, request):
        return request.user.has_perm("accounts.reset_second_factor")

    @admin.action(description="Send a password-reset e-mail", permissions=["send_password_reset"])
    def send_password_reset(self, request, queryset):
        self._each(request, queryset, services.send_password_reset, "A password-reset link was e-mailed to {}.")

    @admin.action(
        description="Reset two-factor authentication (e-mails the person)", permissions=["reset_second_factor"]
    )
    def reset_second_factor(self, request, queryset):
        self._each(
            request,
            queryset,
            services.reset_second_factor,
            "{}'s two-factor authentication was reset; they were told by e-mail and set it up again at next sign-in.",
        )

    def _each(self, request, queryset, service, done: str) -> None:
        for user in queryset:
            try:
                service(user=user, actor=request.user)
            except ServiceError as error:
                self.message_user(request, str(error), level=messages.ERROR)
            else:
                self.message_user(request, done.format(user.email), level=messages.SUCCESS)


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "granted_at", "revoked_at")
    list_filter = ("role", "revoked_at")
    search_fields = ("user__email", "user__full_name")
    readonly_fields = ("user", "role", "granted_at", "granted_by", "revoked_at", "revoked_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "role", "organisation", "sent_at", "expires_at", "accepted_at", "cancelled_at")
    list_filter = ("role",)
    search_fields = ("email",)
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(BaseEmailAddressAdmin):
    """allauth's, with the address and its owner read-only: pointing
    someone's address at another mailbox would let a password reset in."""

    readonly_fields = ("user", "email")

    def has_add_permission(self, request):
        return False


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Second factors, read-only and without their secrets; a lost one is
    reset with the people admin's action, which tells the person."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    search_fields = ("user__email",)
    exclude = ("data",)
    list_select_related = ("user",)
