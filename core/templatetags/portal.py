from django import template

from assessments.scoring import round_half_up
from core.audit import action_label

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """An audit action in words: "cohort.phase_moved" → "moved the phase of"."""
    return action_label(action)


@register.filter
def half_up(value, places: int = 1) -> str:
    """A score as the design shows it: rounded half up to one decimal."""
    if value is None:
        return ""
    return str(round_half_up(float(value), int(places)))
