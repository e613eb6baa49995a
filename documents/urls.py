from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("cohorts/<int:number>/documents/", views.DocumentsView.as_view(), name="cohort_documents"),
    path("cohorts/<int:number>/documents/generate/", views.GenerateView.as_view(), name="generate"),
    path("cohorts/<int:number>/documents/<int:pk>/retry/", views.RetryView.as_view(), name="retry"),
    path(
        "cohorts/<int:number>/certificates/issue/<int:enrolment>/", views.IssueView.as_view(), name="issue_certificate"
    ),
    path(
        "cohorts/<int:number>/certificates/<str:serial>/reissue/",
        views.ReissueView.as_view(),
        name="reissue_certificate",
    ),
    path(
        "cohorts/<int:number>/certificates/<str:serial>/revoke/", views.RevokeView.as_view(), name="revoke_certificate"
    ),
    path("documents/<int:pk>/download/", views.DownloadView.as_view(), name="download"),
    path("organisation/documents/", views.MyDocumentsView.as_view(), name="my_documents"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("v/<str:code>/", views.verify_code, name="verify_code"),
]
