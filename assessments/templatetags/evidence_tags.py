"""What the evidence-file widget (templates/assessments/_evidence_list.html)
needs besides the response and the assessment."""

from dataclasses import dataclass

from django import template

from assessments import evidence
from assessments.services.evidence import closed_reason, stored_bytes

register = template.Library()


@dataclass(frozen=True)
class EvidenceState:
    accept: str
    max_file: int
    max_total: int
    used: int
    closed: str | None  # why files cannot be added or removed now


@register.simple_tag
def evidence_state(assessment) -> EvidenceState:
    """Worked out once per assessment object, so that a page listing the
    files of several criteria asks the database once, not once per criterion."""
    state = getattr(assessment, "_evidence_state", None)
    if state is None:
        state = EvidenceState(
            accept=evidence.ACCEPT,
            max_file=evidence.max_file_bytes(),
            max_total=evidence.max_assessment_bytes(),
            used=stored_bytes(assessment),
            closed=closed_reason(assessment),
        )
        assessment._evidence_state = state
    return state


@register.filter
def evidence_size(size: int) -> str:
    """A size as the upload checks word it ("10 MB", "512 KB")."""
    return evidence.format_size(int(size or 0))
