"""Framework versions: list, view, copy, edit."""

from django.urls import path

from frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("frameworks/", views.FrameworkListView.as_view(), name="framework_list"),
    path("frameworks/<int:version>/", views.FrameworkDetailView.as_view(), name="framework_detail"),
    path("frameworks/<int:version>/copy/", views.FrameworkCopyView.as_view(), name="framework_copy"),
    path("frameworks/<int:version>/edit/", views.FrameworkEditView.as_view(), name="framework_edit"),
    path("frameworks/<int:version>/criteria/new/", views.CriterionCreateView.as_view(), name="criterion_create"),
    path("frameworks/<int:version>/criteria/<int:pk>/edit/", views.CriterionEditView.as_view(), name="criterion_edit"),
    path(
        "frameworks/<int:version>/criteria/<int:pk>/remove/",
        views.CriterionRemoveView.as_view(),
        name="criterion_remove",
    ),
    path("frameworks/<int:version>/criteria/<int:pk>/kpis/new/", views.KPICreateView.as_view(), name="kpi_create"),
    path("frameworks/<int:version>/kpis/<int:pk>/edit/", views.KPIEditView.as_view(), name="kpi_edit"),
    path("frameworks/<int:version>/kpis/<int:pk>/remove/", views.KPIRemoveView.as_view(), name="kpi_remove"),
]
