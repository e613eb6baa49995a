"""Reads for the judges' pages: the finalists a judge works on, with the
progress of each scorecard, in a fixed number of queries."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from assessments.models import ScoreEntry
from cohorts.models import Assignment, ConflictDeclaration, Milestone, Phase
from frameworks.models import Criterion
from organisations.models import Membership


def _count(queryset, group_by: str):
    return Subquery(
        queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n"), output_field=IntegerField()
    )


def assignments_judged_by(user, *, phases=(Phase.JUDGING,)) -> QuerySet[Assignment]:
    """The user's active assignments in cohorts in `phases`, on whose panel
    they still sit, leaving out finalists they are conflicted with (a
    declaration, or membership of the organisation): the same rule as the
    "cohorts.judge_finalist" permission, as a filter.

    Each assignment carries `criteria_total` and `scores_given`, its cohort
    (with milestones, for the judging deadline), its organisation and its
    scorecard, if there is one yet.
    """
    member_of = Membership.objects.active().filter(user=user).values("organisation_id")
    declared = ConflictDeclaration.objects.filter(
        judge=user, cohort_id=OuterRef("cohort_id"), organisation_id=OuterRef("enrolment__organisation_id")
    )
    return (
        Assignment.objects.active()
        .filter(
            judge=user,
            cohort__phase__in=phases,
            cohort__panel__judge=user,
            cohort__panel__removed_at__isnull=True,
        )
        .exclude(enrolment__organisation_id__in=member_of)
        .exclude(Exists(declared))
        .select_related("cohort", "enrolment__organisation", "scorecard")
        .prefetch_related(Prefetch("cohort__milestones", queryset=Milestone.objects.order_by("date", "id")))
        .annotate(
            criteria_total=Coalesce(
                _count(Criterion.objects.filter(framework_id=OuterRef("cohort__framework_id")), "framework_id"),
                Value(0),
            ),
            scores_given=Coalesce(
                _count(
                    ScoreEntry.objects.filter(scorecard__assignment_id=OuterRef("pk"), score__isnull=False),
                    "scorecard_id",
                ),
                Value(0),
            ),
        )
        .order_by("cohort__number", "enrolment__organisation__name")
    )
