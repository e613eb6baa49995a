from django.urls import path

from cohorts.views import results

urlpatterns = [
    path("cohorts/<int:number>/results/", results.ResultsView.as_view(), name="results"),
    path("cohorts/<int:number>/results/finalise/", results.FinaliseView.as_view(), name="results_finalise"),
    path("cohorts/<int:number>/results/reopen/", results.ReopenView.as_view(), name="results_reopen"),
    path("cohorts/<int:number>/results/results.csv", results.ResultsCsvView.as_view(), name="results_csv"),
    path("cohorts/<int:number>/results/scores.csv", results.ScoresCsvView.as_view(), name="results_scores_csv"),
    path("cohorts/<int:number>/results/<int:pk>/", results.FinalistResultsView.as_view(), name="results_finalist"),
    path(
        "cohorts/<int:number>/results/<int:pk>/pq.svg",
        results.FinalistChartView.as_view(),
        name="results_finalist_chart",
    ),
    path(
        "cohorts/<int:number>/results/<str:chart>.svg", results.CohortChartView.as_view(), name="results_cohort_chart"
    ),
    path("cohorts/<int:number>/my-results/", results.MyResultsView.as_view(), name="my_results"),
    path(
        "cohorts/<int:number>/my-results/<int:pk>/",
        results.OrganisationResultsView.as_view(),
        name="organisation_results",
    ),
    path(
        "cohorts/<int:number>/my-results/<int:pk>/<str:chart>.svg",
        results.OrganisationChartView.as_view(),
        name="organisation_results_chart",
    ),
]
