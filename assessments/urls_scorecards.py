"""Judges' scorecards: the judge's list, the scorecard with autosave,
review and submit; the lead's unlock."""

from django.urls import path

from assessments.views import scorecards as views

urlpatterns = [
    path("judging/", views.ScorecardListView.as_view(), name="scorecard_list"),
    path("judging/<int:assignment_pk>/", views.ScorecardView.as_view(), name="scorecard"),
    path("judging/<int:assignment_pk>/save/", views.AutosaveView.as_view(), name="scorecard_autosave"),
    path("judging/<int:assignment_pk>/review/", views.ReviewView.as_view(), name="scorecard_review"),
    path("judging/<int:assignment_pk>/submit/", views.SubmitView.as_view(), name="scorecard_submit"),
    path("judging/<int:assignment_pk>/unlock/", views.UnlockView.as_view(), name="scorecard_unlock"),
]
