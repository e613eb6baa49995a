"""The audit trail: one function that every state change calls."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append an audit entry: `actor` (a user, or None for the system) did
    `action` to `obj`, changing `before` into `after`.

    Side effects: one AuditEvent row, in the caller's transaction, so that a
    rolled-back change leaves no entry.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_repr=actor.email if actor else "system",
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before,
        after=after,
        note=note,
    )
