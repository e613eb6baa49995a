"""Personal data: the privacy notice, a person's download of their data and
closing an account; an organisation's export and erasure. The home page and
the dashboards are at the site's root (pq_portal/urls.py)."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("privacy/", views.PrivacyNoticeView.as_view(), name="privacy"),
    path("privacy/your-data/", views.MyDataView.as_view(), name="my_data"),
    path("privacy/close-account/", views.CloseAccountView.as_view(), name="close_account"),
    path("organisations/<int:pk>/export/", views.OrganisationExportView.as_view(), name="organisation_export"),
    path("organisations/<int:pk>/erase/", views.OrganisationEraseView.as_view(), name="organisation_erase"),
]
