from django.db.models import Prefetch

from .models import KPI, Response


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
