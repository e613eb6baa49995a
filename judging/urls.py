"""Judging: the shortlist, the lead's panel, assignments and dashboard, a
judge's conflicts, and the judges' scorecards."""

from django.urls import path

from judging.views import panel, scorecards, shortlisting

app_name = "judging"

urlpatterns = [
    path("cohorts/<int:number>/shortlist/", shortlisting.ShortlistView.as_view(), name="shortlist"),
    path("cohorts/<int:number>/shortlist/top/", shortlisting.TopView.as_view(), name="shortlist_top"),
    path("cohorts/<int:number>/shortlist/announce/", shortlisting.AnnounceView.as_view(), name="shortlist_announce"),
    path(
        "cohorts/<int:number>/shortlist/<int:pk>/select/",
        shortlisting.SelectView.as_view(),
        name="shortlist_select",
    ),
    path(
        "cohorts/<int:number>/shortlist/<int:pk>/unselect/",
        shortlisting.UnselectView.as_view(),
        name="shortlist_unselect",
    ),
    path("cohorts/<int:number>/panel/", panel.PanelView.as_view(), name="panel"),
    path("cohorts/<int:number>/panel/invite/", panel.PanelInviteView.as_view(), name="panel_invite"),
    path("cohorts/<int:number>/panel/<int:pk>/remove/", panel.PanelRemoveView.as_view(), name="panel_remove"),
    path("cohorts/<int:number>/conflicts/", panel.ConflictsView.as_view(), name="conflicts"),
    path("cohorts/<int:number>/assignments/", panel.AssignmentsView.as_view(), name="assignments"),
    path("cohorts/<int:number>/assignments/run/", panel.AssignmentRunView.as_view(), name="assignments_run"),
    path("cohorts/<int:number>/assignments/add/", panel.AssignmentAddView.as_view(), name="assignment_add"),
    path(
        "cohorts/<int:number>/assignments/<int:pk>/remove/",
        panel.AssignmentRemoveView.as_view(),
        name="assignment_remove",
    ),
    path("cohorts/<int:number>/judging/", panel.JudgingDashboardView.as_view(), name="dashboard"),
    path("cohorts/<int:number>/judging/remind/<int:judge_pk>/", panel.ReminderView.as_view(), name="remind"),
    path("judging/", scorecards.ScorecardListView.as_view(), name="scorecard_list"),
    path("judging/<int:assignment_pk>/", scorecards.ScorecardView.as_view(), name="scorecard"),
    path("judging/<int:assignment_pk>/save/", scorecards.AutosaveView.as_view(), name="scorecard_autosave"),
    path("judging/<int:assignment_pk>/review/", scorecards.ReviewView.as_view(), name="scorecard_review"),
    path("judging/<int:assignment_pk>/submit/", scorecards.SubmitView.as_view(), name="scorecard_submit"),
    path("judging/<int:assignment_pk>/unlock/", scorecards.UnlockView.as_view(), name="scorecard_unlock"),
]
