"""Applications to enrol in a cohort."""

from django.urls import path

from cohorts.views import applications

urlpatterns = [
    path("apply/", applications.ApplyView.as_view(), name="apply"),
    path("applications/", applications.ApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", applications.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/accept/", applications.AcceptView.as_view(), name="application_accept"),
    path("applications/<int:pk>/decline/", applications.DeclineView.as_view(), name="application_decline"),
]
