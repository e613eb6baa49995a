"""Scorecard autosaves that arrived after the judge's log-in session
expired (kept and replayed by core.autosave): saved for the judge when they
sign in again and come back to the scorecard, with the usual conflict
check."""

from core import autosave
from judging.models import Scorecard, ScoreEntry
from judging.services import scorecards as services

SESSION_KEY = "pq_pending_scores"
OWNER = "assignment"
OVERALL = ""  # the `code` of the overall strengths and areas to improve


def stash(request, *, assignment_pk: int, code: str, field: str) -> None:
    if field in services.ENTRY_FIELDS + services.OVERALL_FIELDS:
        autosave.keep(request, session_key=SESSION_KEY, owner=OWNER, owner_pk=assignment_pk, code=code, field=field)


def apply_for(request, scorecard: Scorecard) -> list[autosave.Outcome]:
    """Save what is pending for `scorecard`, as the signed-in user (who the
    caller has checked judges the finalist)."""
    mine = autosave.take(request, session_key=SESSION_KEY, owner=OWNER, owner_pk=scorecard.assignment_id)

    def save(item: dict) -> str | None:
        field, code = item["field"], item["code"]
        if code == OVERALL:
            services.save_overall(
                scorecard=scorecard, field=field, value=item["value"], base=item["base"], actor=request.user
            )
        else:
            entry = ScoreEntry.objects.filter(scorecard=scorecard, criterion__code=code).first()
            if entry is None:
                return None
            services.save_score(entry=entry, field=field, value=item["value"], base=item["base"], actor=request.user)
        return services.FIELD_NAMES.get(field, field)

    return autosave.replay(mine, save=save, where=lambda item: item["code"] or "Overall")
