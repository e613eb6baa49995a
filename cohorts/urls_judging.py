"""Judging: the lead's panel, assignments and dashboard; a judge's conflicts.
Included in cohorts/urls.py (namespace "cohorts")."""

from django.urls import path

from cohorts.views import judging

urlpatterns = [
    path("cohorts/<int:number>/panel/", judging.PanelView.as_view(), name="judging_panel"),
    path("cohorts/<int:number>/panel/invite/", judging.PanelInviteView.as_view(), name="judging_panel_invite"),
    path("cohorts/<int:number>/panel/<int:pk>/remove/", judging.PanelRemoveView.as_view(), name="judging_panel_remove"),
    path("cohorts/<int:number>/conflicts/", judging.ConflictsView.as_view(), name="judging_conflicts"),
    path("cohorts/<int:number>/assignments/", judging.AssignmentsView.as_view(), name="judging_assignments"),
    path("cohorts/<int:number>/assignments/run/", judging.AssignmentRunView.as_view(), name="judging_assignments_run"),
    path("cohorts/<int:number>/assignments/add/", judging.AssignmentAddView.as_view(), name="judging_assignment_add"),
    path(
        "cohorts/<int:number>/assignments/<int:pk>/remove/",
        judging.AssignmentRemoveView.as_view(),
        name="judging_assignment_remove",
    ),
    path("cohorts/<int:number>/judging/", judging.JudgingDashboardView.as_view(), name="judging_dashboard"),
    path("cohorts/<int:number>/judging/remind/<int:judge_pk>/", judging.ReminderView.as_view(), name="judging_remind"),
]
