"""`{% my_applications %}`: the welcome page's "enrol your organisation"
card, with the cohorts open for enrolment and the person's applications."""

from django import template

from cohorts.models import Application
from cohorts.services.applications import open_cohorts

register = template.Library()


@register.inclusion_tag("cohorts/applications/_my_applications.html", takes_context=True)
def my_applications(context):
    user = context["request"].user
    applications = list(Application.objects.filter(applicant=user).select_related("cohort").order_by("-created_at"))
    waiting = {a.cohort_id for a in applications if a.status == Application.Status.PENDING}
    cohorts = list(open_cohorts())
    return {
        "applications": applications,
        "open_cohorts": [cohort for cohort in cohorts if cohort.pk not in waiting],
        "any_open": bool(cohorts),
        "can_apply": user.has_perm("cohorts.apply"),
    }
