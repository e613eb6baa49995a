"""Autosaves that arrived after the log-in session expired.

What the member typed is kept in their (new, anonymous) session. Django
keeps session data across log-in, so when they sign in again and come back
to the criterion, it is saved for them, with the usual conflict check
against what colleagues saved meanwhile.
"""

from dataclasses import dataclass

from core.errors import ServiceError

from .models import Response
from .services import self_assessment as services

SESSION_KEY = "pq_pending_autosaves"
MAX_PENDING = 50


@dataclass(frozen=True)
class Outcome:
    saved: bool
    message: str


def stash(request, *, assessment_pk: int, code: str, field: str) -> None:
    if not field:
        return
    entry = {
        "assessment": assessment_pk,
        "code": code,
        "field": field,
        "value": request.POST.get(field, ""),
        "base": request.POST.get(f"base_{field}", ""),
    }
    pending = [
        item
        for item in request.session.get(SESSION_KEY, [])
        if (item["assessment"], item["code"], item["field"]) != (assessment_pk, code, field)
    ]
    request.session[SESSION_KEY] = [*pending, entry][-MAX_PENDING:]


def apply_for(request, assessment) -> list[Outcome]:
    """Save what is pending for `assessment`, as the signed-in user."""
    pending = request.session.get(SESSION_KEY, [])
    mine = [item for item in pending if item["assessment"] == assessment.pk]
    if not mine:
        return []
    request.session[SESSION_KEY] = [item for item in pending if item["assessment"] != assessment.pk]
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
