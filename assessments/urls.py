from django.urls import path

from assessments.urls_evidence import urlpatterns as evidence_urls
from assessments.views import self_assessment as views

app_name = "assessments"

urlpatterns = [
    path("cohorts/<int:number>/self-assessments/", views.SelfAssessmentTableView.as_view(), name="cohort_table"),
    path("assessments/start/<int:enrolment_pk>/", views.StartView.as_view(), name="start"),
    path("assessments/<int:pk>/", views.OverviewView.as_view(), name="overview"),
    path("assessments/<int:pk>/criteria/<str:code>/", views.CriterionView.as_view(), name="criterion"),
    path("assessments/<int:pk>/criteria/<str:code>/save/", views.AutosaveView.as_view(), name="autosave"),
    path("assessments/<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("assessments/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("assessments/<int:pk>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path("assessments/<int:pk>/print/", views.PrintView.as_view(), name="print"),
    path("assessments/<int:pk>/profile.svg", views.ProfileChartView.as_view(), name="profile_chart"),
    *evidence_urls,
]
