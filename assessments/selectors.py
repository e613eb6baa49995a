from dataclasses import dataclass

from django.db.models import Prefetch
from django.db.models.functions import Length, Trim

from assessments.index import self_assessment_index
from assessments.models import Response
from frameworks.models import KPI


def assessment_with_answers(assessment) -> list[Response]:
    """The assessment's answers in framework order, with criteria, KPIs,
    KPI values and evidence loaded (a fixed number of queries)."""
    return list(
        assessment.responses.select_related("criterion", "updated_by")
        .prefetch_related(
            Prefetch("criterion__kpis", queryset=KPI.objects.order_by("position", "id")),
            "kpi_values",
            "evidence",
        )
        .order_by("criterion__position", "criterion__code")
    )


@dataclass(frozen=True)
class AssessmentSummary:
    assessment_id: int
    status: str
    done: int
    total: int
    index: float | None
    submitted_at: object

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def assessment_summaries(cohort) -> dict[int, AssessmentSummary]:
    """Per enrolment of the cohort: the self-assessment's state, how many
    criteria are complete, and its index (one query, whatever the size)."""
    rows = (
        Response.objects.filter(assessment__enrolment__cohort=cohort)
        .values_list(
            "assessment__enrolment_id",
            "assessment_id",
            "assessment__status",
            "assessment__submitted_at",
            "criterion__code",
            "criterion__weight",
            "level",
        )
        .annotate(narrative_length=Length(Trim("narrative")))
        .order_by()
    )
    grouped: dict[int, dict] = {}
    for enrolment_id, assessment_id, status, submitted_at, code, weight, level, narrative_length in rows:
        entry = grouped.setdefault(
            enrolment_id,
            {"id": assessment_id, "status": status, "at": submitted_at, "levels": {}, "weights": {}, "done": 0},
        )
        entry["levels"][code] = level
        entry["weights"][code] = float(weight)
        entry["done"] += int(level is not None and narrative_length > 0)
    return {
        enrolment_id: AssessmentSummary(
            assessment_id=entry["id"],
            status=entry["status"],
            done=entry["done"],
            total=len(entry["weights"]),
            index=self_assessment_index(entry["levels"], entry["weights"]),
            submitted_at=entry["at"],
        )
        for enrolment_id, entry in grouped.items()
    }
