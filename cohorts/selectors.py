"""Reads that pages share, with their relations loaded."""

from collections.abc import Callable

from django.db.models import Count, Prefetch, QuerySet

from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Milestone
from organisations.models import Membership

ENROLMENT_SORTS = {
    "organisation": "organisation__name",
    "-organisation": "-organisation__name",
    "sector": "organisation__sector",
    "-sector": "-organisation__sector",
    "status": "status",
    "-status": "-status",
    "self_assessment": "assessment__status",
    "-self_assessment": "-assessment__status",
    "enrolled": "enrolled_at",
    "-enrolled": "-enrolled_at",
}


def with_timeline(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return cohorts.prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("date", "id")))


def cohorts_judged_by(user) -> QuerySet[Cohort]:
    return with_timeline(Cohort.objects.filter(panel__judge=user, panel__removed_at__isnull=True).distinct())


def enrolments_of_member(user) -> QuerySet[Enrolment]:
    """The enrolments of the organisations the user belongs to, newest cohort first."""
    organisation_ids = Membership.objects.active().filter(user=user).values("organisation_id")
    return (
        Enrolment.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation", "cohort")
        .prefetch_related(Prefetch("cohort__milestones", queryset=Milestone.objects.order_by("date", "id")))
        .order_by("-cohort__number", "organisation__name")
    )


def enrolment_table(
    cohort: Cohort, *, sort: str = "organisation", status: str = "", sector: str = "", search: str = ""
):
    enrolments = cohort.enrolments.select_related("organisation")
    if status:
        enrolments = enrolments.filter(status=status)
    if sector:
        enrolments = enrolments.filter(organisation__sector=sector)
    if search:
        enrolments = enrolments.filter(organisation__name__icontains=search)
    return enrolments.order_by(ENROLMENT_SORTS.get(sort, "organisation__name"), "organisation__name")


def status_counts(cohort: Cohort) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status that occurs, in the design's order."""
    counts = dict(cohort.enrolments.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(value, label, counts[value]) for value, label in EnrolmentStatus.choices if counts.get(value)]


def panel_of(cohort: Cohort) -> QuerySet:
    """The judges on the cohort's panel now (judging.CohortJudge rows)."""
    return cohort.panel.filter(removed_at__isnull=True).select_related("judge")


# Per enrolment, what its self-assessment looks like on the cohort's page
# (done, total, status, index): assessments provides it when it loads
# (AssessmentsConfig.ready), as cohorts cannot import the apps above it.
_enrolment_summaries: list[Callable[[Cohort], dict]] = []


def register_enrolment_summaries(provider: Callable[[Cohort], dict]) -> None:
    """`provider(cohort)` returns {enrolment id: summary} in a fixed number of queries."""
    if provider not in _enrolment_summaries:
        _enrolment_summaries.append(provider)


def enrolment_summaries(cohort: Cohort) -> dict:
    """{enrolment id: summary} from the registered provider (empty without one)."""
    summaries: dict = {}
    for provider in _enrolment_summaries:
        summaries.update(provider(cohort))
    return summaries
