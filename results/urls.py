from django.urls import path

from results import views as results

app_name = "results"

urlpatterns = [
    path("cohorts/<int:number>/results/", results.ResultsView.as_view(), name="cohort"),
    path("cohorts/<int:number>/results/finalise/", results.FinaliseView.as_view(), name="finalise"),
    path("cohorts/<int:number>/results/reopen/", results.ReopenView.as_view(), name="reopen"),
    path("cohorts/<int:number>/results/results.csv", results.ResultsCsvView.as_view(), name="csv"),
    path("cohorts/<int:number>/results/scores.csv", results.ScoresCsvView.as_view(), name="scores_csv"),
    path("cohorts/<int:number>/results/<int:pk>/", results.FinalistResultsView.as_view(), name="finalist"),
    path(
        "cohorts/<int:number>/results/<int:pk>/pq.svg",
        results.FinalistChartView.as_view(),
        name="finalist_chart",
    ),
    path("cohorts/<int:number>/results/<str:chart>.svg", results.CohortChartView.as_view(), name="cohort_chart"),
    path("cohorts/<int:number>/my-results/", results.MyResultsView.as_view(), name="my_results"),
    path(
        "cohorts/<int:number>/my-results/<int:pk>/",
        results.OrganisationResultsView.as_view(),
        name="organisation",
    ),
    path(
        "cohorts/<int:number>/my-results/<int:pk>/<str:chart>.svg",
        results.OrganisationChartView.as_view(),
        name="organisation_chart",
    ),
]
