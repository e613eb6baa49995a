"""What results need before a cohort moves into the results phase;
registered with cohorts when the app loads (results/apps.py)."""

from datetime import datetime

from cohorts.models import Cohort


def results_guard(cohort: Cohort, now: datetime) -> list[str]:
    """The results are finalised (finalising moves the cohort itself)."""
    if not cohort.result_snapshots.filter(status="final").exists():
        return ["Results move to this phase when the lead finalises them (Results → Finalise)."]
    return []
