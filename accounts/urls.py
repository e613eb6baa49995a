from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/invite/", views.InviteView.as_view(), name="invite"),
    path("people/roles/<int:pk>/revoke/", views.RevokeRoleView.as_view(), name="revoke_role"),
    path("people/invitations/<int:pk>/resend/", views.ResendInvitationView.as_view(), name="resend_invitation"),
    path("people/invitations/<int:pk>/cancel/", views.CancelInvitationView.as_view(), name="cancel_invitation"),
]
