"""Scorecard autosaves that arrived after the judge's log-in session expired.

As for the self-assessment (pending.py): what the judge typed is kept in
their (new, anonymous) session, which Django carries across log-in; when
they sign in again and come back to the scorecard, it is saved for them,
with the usual conflict check.
"""

from assessments.pending import Outcome, keep, take
from core.errors import ServiceError
from judging.models import Scorecard, ScoreEntry
from judging.services import scorecards as services

SESSION_KEY = "pq_pending_scores"
OVERALL = ""  # the `code` of the overall strengths and areas to improve


def stash(request, *, assignment_pk: int, code: str, field: str) -> None:
    if field in services.ENTRY_FIELDS + services.OVERALL_FIELDS:
        keep(request, session_key=SESSION_KEY, owner="assignment", owner_pk=assignment_pk, code=code, field=field)


def apply_for(request, scorecard: Scorecard) -> list[Outcome]:
    """Save what is pending for `scorecard`, as the signed-in user (who the
    caller has checked judges the finalist)."""
    mine = take(request, session_key=SESSION_KEY, owner="assignment", owner_pk=scorecard.assignment_id)
    outcomes = []
    for item in mine:
        field, code = item["field"], item["code"]
        where = code or "Overall"
        try:
            if code == OVERALL:
                services.save_overall(
                    scorecard=scorecard, field=field, value=item["value"], base=item["base"], actor=request.user
                )
            else:
                entry = ScoreEntry.objects.filter(scorecard=scorecard, criterion__code=code).first()
                if entry is None:
                    continue
                services.save_score(
                    entry=entry, field=field, value=item["value"], base=item["base"], actor=request.user
                )
        except services.ScoreConflict as conflict:
            outcomes.append(
                Outcome(
                    False,
                    f"{where}: {conflict.message} What you typed before your session ended was: "
                    f"“{item['value'][:500]}”",
                )
            )
        except ServiceError as error:
            outcomes.append(Outcome(False, f"{where}: {error.message} What you typed was: “{item['value'][:500]}”"))
        else:
            outcomes.append(
                Outcome(
                    True,
                    f"{where}: {services.FIELD_NAMES.get(field, field)} you typed before your session ended is saved.",
                )
            )
    return outcomes
