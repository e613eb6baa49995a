"""Reads that pages share, with their relations loaded."""

from django.db.models import Count, Prefetch, Q, QuerySet

from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Milestone
from judging.models import CohortJudge
from organisations.models import Membership, Organisation

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


def panel_of(cohort: Cohort) -> QuerySet[CohortJudge]:
    return cohort.panel.filter(removed_at__isnull=True).select_related("judge")


def organisations_for_lead(*, search: str = "", sector: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__ended_at__isnull=True), distinct=True),
        enrolment_count=Count("enrolments", distinct=True),
    )
    if search:
        organisations = organisations.filter(
            Q(name__icontains=search) | Q(contact_name__icontains=search) | Q(contact_email__icontains=search)
        )
    if sector:
        organisations = organisations.filter(sector=sector)
    return organisations.order_by("name")
