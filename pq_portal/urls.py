from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from portal import views as portal_views

# The admin is the lead's fallback; it sits behind allauth's log-in (and MFA).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "P&Q portal administration"
admin.site.site_title = "P&Q portal admin"

# Admin pages of models that moved to their own app (DESIGN.md, "Architecture")
# answer at their old address with a permanent redirect.
MOVED_ADMIN_MODELS = {
    ("cohorts", "organisation"): "organisations",
    ("cohorts", "membership"): "organisations",
    ("cohorts", "organisationimport"): "organisations",
    ("cohorts", "cohortjudge"): "judging",
    ("cohorts", "conflictdeclaration"): "judging",
    ("cohorts", "assignment"): "judging",
    ("cohorts", "resultsnapshot"): "results",
    ("assessments", "framework"): "frameworks",
    ("assessments", "criterion"): "frameworks",
    ("assessments", "kpi"): "frameworks",
    ("assessments", "scorecard"): "judging",
    ("assessments", "scoreentry"): "judging",
}

moved_admin_urls = [
    re_path(
        rf"^admin/{app}/{model}/(?P<rest>.*)$",
        RedirectView.as_view(url=f"/admin/{new_app}/{model}/%(rest)s", permanent=True, query_string=True),
        name=f"{app}_{model}",
    )
    for (app, model), new_app in MOVED_ADMIN_MODELS.items()
]

urlpatterns = [
    path("", include((moved_admin_urls, "moved_admin"))),
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
