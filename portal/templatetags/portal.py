from decimal import Decimal

from django import template

from assessments.index import round_half_up
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


def _words(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_words(item) for item in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {_words(item)}" for key, item in value.items())
    return str(value).replace("_", " ")


@register.filter
def audit_changes(event) -> list[str]:
    """An audit entry's before and after as lines a person can read:
    "phase: enrolment → self assessment"."""
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [f"{_words(before)} → {_words(after)}"]
    lines = []
    for key in [*before, *(k for k in after if k not in before)]:
        label = key.replace("_", " ")
        if key in before and key in after:
            lines.append(f"{label}: {_words(before[key])} → {_words(after[key])}")
        elif key in after:
            lines.append(f"{label}: {_words(after[key])}")
        else:
            lines.append(f"{label}: was {_words(before[key])}")
    return lines


@register.filter
def plain_number(value) -> str:
    """A stored decimal as people write it: 82.5000 → 82.5, 1.50 → 1.5, 100.00 → 100."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or None: {{ last_reminded|lookup:cohort.pk }}."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
