from django import template

from core.audit import action_label

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """An audit action in words: "cohort.phase_moved" → "moved the phase of"."""
    return action_label(action)
