from django.urls import path

from core import views_notifications as views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notifications_read_all"),
    path("notifications/preferences/", views.PreferencesView.as_view(), name="notification_preferences"),
    path("lead/audit/", views.AuditTrailView.as_view(), name="audit_trail"),
    path("lead/audit.csv", views.AuditTrailView.as_view(), {"export": True}, name="audit_trail_csv"),
]
