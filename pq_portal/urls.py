from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import views as portal_views

# The admin is the lead's fallback; it sits behind allauth's log-in (and MFA).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "P&Q portal administration"
admin.site.site_title = "P&Q portal admin"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("lead/", portal_views.LeadDashboardView.as_view(), name="lead_dashboard"),
    path("lead/emails/", portal_views.OutboundEmailListView.as_view(), name="failed_emails"),
    path("lead/emails/<int:pk>/resend/", portal_views.ResendEmailView.as_view(), name="resend_email"),
    path("judge/", portal_views.JudgeDashboardView.as_view(), name="judge_dashboard"),
    path("organisation/", portal_views.MemberDashboardView.as_view(), name="member_dashboard"),
    path("", include("core.urls")),
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("organisations.urls")),
    path("", include("frameworks.urls")),
    path("", include("cohorts.urls")),
    path("", include("assessments.urls")),
    path("", include("judging.urls")),
    path("", include("results.urls")),
    path("", include("documents.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
