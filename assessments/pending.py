"""Autosaves that arrived after the log-in session expired.

What the member typed is kept in their (new, anonymous) session. Django
keeps session data across log-in, so when they sign in again and come back
to the criterion, it is saved for them, with the usual conflict check
against what colleagues saved meanwhile.
"""

from dataclasses import dataclass

from assessments.models import Response
from assessments.services import self_assessment as services
from core.errors import ServiceError

SESSION_KEY = "pq_pending_autosaves"
MAX_PENDING = 50


@dataclass(frozen=True)
class Outcome:
    saved: bool
    message: str


def keep(request, *, session_key: str, owner: str, owner_pk: int, code: str, field: str) -> None:
    """Keep what was typed into `field` (from the POST) in the session, under
    `session_key`, replacing an older value for the same place."""
    entry = {
        owner: owner_pk,
        "code": code,
        "field": field,
        "value": request.POST.get(field, ""),
        "base": request.POST.get(f"base_{field}", ""),
    }
    pending = [
        item
        for item in request.session.get(session_key, [])
        if (item[owner], item["code"], item["field"]) != (owner_pk, code, field)
    ]
    request.session[session_key] = [*pending, entry][-MAX_PENDING:]


def take(request, *, session_key: str, owner: str, owner_pk: int) -> list[dict]:
    """Remove and return what is kept for one assessment or scorecard."""
    pending = request.session.get(session_key, [])
    mine = [item for item in pending if item[owner] == owner_pk]
    if mine:
        request.session[session_key] = [item for item in pending if item[owner] != owner_pk]
    return mine


def stash(request, *, assessment_pk: int, code: str, field: str) -> None:
    if field:
        keep(request, session_key=SESSION_KEY, owner="assessment", owner_pk=assessment_pk, code=code, field=field)


def apply_for(request, assessment) -> list[Outcome]:
    """Save what is pending for `assessment`, as the signed-in user."""
    mine = take(request, session_key=SESSION_KEY, owner="assessment", owner_pk=assessment.pk)
    if not mine:
        return []
    if not request.user.has_perm("assessments.edit_assessment", assessment):
        return [
            Outcome(
                False,
                "What you typed before your session ended could not be saved: "
                + (services.edit_refusal(assessment) or "you cannot change this self-assessment."),
            )
        ]
    outcomes = []
    for item in mine:
        response = Response.objects.filter(assessment=assessment, criterion__code=item["code"]).first()
        if response is None:
            continue
        label = (
            "the maturity level"
            if item["field"] == "level"
            else ("the evidence narrative" if item["field"] == "narrative" else "a KPI value")
        )
        try:
            services.save_answer(
                response=response, field=item["field"], value=item["value"], base=item["base"], actor=request.user
            )
        except services.SaveConflict as conflict:
            outcomes.append(
                Outcome(
                    False,
                    f"{item['code']}: {conflict.message} What you typed before your session ended was: "
                    f"“{item['value'][:500]}”",
                )
            )
        except ServiceError as error:
            outcomes.append(Outcome(False, f"{item['code']}: {error.message}"))
        else:
            outcomes.append(Outcome(True, f"{item['code']}: {label} you typed before your session ended is saved."))
    return outcomes
