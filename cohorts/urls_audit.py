from django.urls import path

from cohorts.views import audit

urlpatterns = [
    path("cohorts/<int:number>/audit/", audit.CohortAuditTrailView.as_view(), name="audit_trail"),
    path("cohorts/<int:number>/audit.csv", audit.CohortAuditTrailView.as_view(), {"export": True}, name="audit_csv"),
    path(
        "cohorts/<int:number>/enrolments/<int:pk>/remind/",
        audit.OrganisationReminderView.as_view(),
        name="enrolment_remind",
    ),
]
