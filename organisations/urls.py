"""Organisations, their members, and the CSV import."""

from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("people/memberships/<int:pk>/end/", views.EndMembershipView.as_view(), name="end_membership"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation_create"),
    path("organisations/import/", views.ImportUploadView.as_view(), name="organisation_import"),
    path("organisations/import/<int:pk>/", views.ImportPreviewView.as_view(), name="organisation_import_preview"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.OrganisationEditView.as_view(), name="organisation_edit"),
    path("organisations/<int:pk>/members/invite/", views.MemberInviteView.as_view(), name="member_invite"),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/role/",
        views.MemberRoleView.as_view(),
        name="member_role",
    ),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
]
