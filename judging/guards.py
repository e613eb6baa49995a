"""What judging needs before a cohort moves into the judging phase;
registered with cohorts when the app loads (judging/apps.py)."""

from datetime import datetime

from django.db import models

from cohorts.models import Cohort, EnrolmentStatus


def judging_guard(cohort: Cohort, now: datetime) -> list[str]:
    """Finalists chosen, each with the cohort's number of judges assigned."""
    finalists = list(cohort.enrolments.filter(status=EnrolmentStatus.FINALIST).select_related("organisation"))
    if not finalists:
        return ["No finalists have been selected yet."]
    seats = dict(
        cohort.assignments.active()
        .filter(enrolment__in=finalists)
        .values_list("enrolment_id")
        .annotate(n=models.Count("id"))
        .values_list("enrolment_id", "n")
    )
    short = [f.organisation.name for f in finalists if seats.get(f.pk, 0) < cohort.judges_per_finalist]
    if short:
        return [
            f"The assignment plan is not complete: {', '.join(short)} "
            f"{'has' if len(short) == 1 else 'have'} fewer than {cohort.judges_per_finalist} judges."
        ]
    return []
