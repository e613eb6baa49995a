from django.urls import path

from cohorts.views import shortlisting

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
]
