"""Self-assessment autosaves that arrived after the log-in session expired
(kept and replayed by core.autosave): saved for the member when they sign
in again and come back to the criterion, with the usual conflict check
against what colleagues saved meanwhile."""

from assessments.models import Response
from assessments.services import self_assessment as services
from core import autosave

SESSION_KEY = "pq_pending_autosaves"
OWNER = "assessment"
FIELD_NAMES = {"level": "the maturity level", "narrative": "the evidence narrative"}  # the rest are KPIs


def stash(request, *, assessment_pk: int, code: str, field: str) -> None:
    if field:
        autosave.keep(request, session_key=SESSION_KEY, owner=OWNER, owner_pk=assessment_pk, code=code, field=field)


def apply_for(request, assessment) -> list[autosave.Outcome]:
    """Save what is pending for `assessment`, as the signed-in user."""
    mine = autosave.take(request, session_key=SESSION_KEY, owner=OWNER, owner_pk=assessment.pk)
    if not mine:
        return []
    if not request.user.has_perm("assessments.edit_assessment", assessment):
        return [
            autosave.Outcome(
                False,
                "What you typed before your session ended could not be saved: "
                + (services.edit_refusal(assessment) or "you cannot change this self-assessment."),
            )
        ]

    def save(item: dict) -> str | None:
        response = Response.objects.filter(assessment=assessment, criterion__code=item["code"]).first()
        if response is None:
            return None
        services.save_answer(
            response=response, field=item["field"], value=item["value"], base=item["base"], actor=request.user
        )
        return FIELD_NAMES.get(item["field"], "a KPI value")

    return autosave.replay(mine, save=save, where=lambda item: item["code"])
