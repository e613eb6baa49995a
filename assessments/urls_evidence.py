"""Evidence files: upload, download, remove."""

from django.urls import path

from assessments.views import evidence as views

urlpatterns = [
    path(
        "assessments/<int:assessment_pk>/criteria/<str:code>/evidence/",
        views.EvidenceUploadView.as_view(),
        name="evidence_upload",
    ),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("evidence/<int:pk>/remove/", views.EvidenceRemoveView.as_view(), name="evidence_remove"),
]
