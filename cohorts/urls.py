from django.urls import path

from cohorts.urls_applications import urlpatterns as application_urls
from cohorts.urls_audit import urlpatterns as audit_urls
from cohorts.views import programme

app_name = "cohorts"

urlpatterns = [
    path("cohorts/", programme.CohortListView.as_view(), name="cohort_list"),
    path("cohorts/new/", programme.CohortCreateView.as_view(), name="cohort_create"),
    path("cohorts/<int:number>/", programme.CohortDetailView.as_view(), name="cohort_detail"),
    path("cohorts/<int:number>/edit/", programme.CohortUpdateView.as_view(), name="cohort_edit"),
    path("cohorts/<int:number>/phase/", programme.PhaseMoveView.as_view(), name="phase_move"),
    path("cohorts/<int:number>/timeline/", programme.TimelineEditView.as_view(), name="timeline_edit"),
    path("cohorts/<int:number>/timeline/reset/", programme.TimelineResetView.as_view(), name="timeline_reset"),
    path("cohorts/<int:number>/timeline/<int:pk>/edit/", programme.MilestoneEditView.as_view(), name="milestone_edit"),
    path(
        "cohorts/<int:number>/timeline/<int:pk>/remove/",
        programme.MilestoneRemoveView.as_view(),
        name="milestone_remove",
    ),
    path("cohorts/<int:number>/enrol/", programme.EnrolView.as_view(), name="enrol"),
    path(
        "cohorts/<int:number>/enrolments/<int:pk>/",
        programme.EnrolmentDetailView.as_view(),
        name="enrolment_detail",
    ),
    path(
        "cohorts/<int:number>/enrolments/<int:pk>/withdraw/",
        programme.WithdrawView.as_view(),
        name="enrolment_withdraw",
    ),
    path(
        "cohorts/<int:number>/enrolments/<int:pk>/extension/",
        programme.ExtensionView.as_view(),
        name="enrolment_extension",
    ),
    *application_urls,
    *audit_urls,
]
