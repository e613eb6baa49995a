"""The site's admin: Django's, with every change it makes written to the
audit trail (core.audit), for every model registered, ours and the
libraries' (allauth's addresses and second factors, Django's groups).

`PortalAdminSite` is the default admin site (core.apps.PortalAdminConfig):
each ModelAdmin registered on it gets `AuditedAdmin` mixed in, so no admin
can forget it. An addition, a change (on the change form or the list) and a
deletion each write one entry, with the before and after of the fields that
changed; an action writes one entry per object it changed.
"""

import json
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from core import audit

# Fields whose values never go into the trail, only whether they changed.
SECRET_FIELDS = frozenset({"password", "token_hash", "sealed_body", "data", "secret"})
SECRET, SECRET_CHANGED = "[secret]", "[secret, changed]"


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def state_of(obj: models.Model) -> dict[str, Any]:
    """Every field's value as the database holds it now, in JSON terms:
    related objects by their name, many-to-many as a sorted list of names."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.name in SECRET_FIELDS:
            values[field.name] = (SECRET, field.value_from_object(obj))
        elif field.is_relation:
            related = getattr(obj, field.name, None)
            values[field.name] = str(related) if related is not None else None
        else:
            values[field.name] = _json(field.value_from_object(obj))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(related) for related in getattr(obj, field.name).all())
    return values


def _public(value: Any) -> Any:
    return SECRET if isinstance(value, tuple) and value[:1] == (SECRET,) else value


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, before and after (secrets only as changed)."""
    changed = [name for name in after if before.get(name) != after[name]]
    old = {name: _public(before.get(name)) for name in changed}
    new = {name: SECRET_CHANGED if _public(after[name]) == SECRET else after[name] for name in changed}
    return old, new


def _fresh(obj: models.Model) -> models.Model | None:
    return type(obj)._base_manager.filter(pk=obj.pk).first()


def _note(message) -> str:
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry(change_message=message).get_change_message()


def _changes_related_objects(message) -> bool:
    """Whether Django's change message names inline objects added, changed
    or deleted (their fields are not the object's own)."""
    return isinstance(message, list) and any(
        isinstance(detail, dict) and "object" in detail for item in message for detail in item.values()
    )


class AuditedAdmin:
    """Mixed into every ModelAdmin of PortalAdminSite."""

    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            current = _fresh(obj)
            obj._pq_audit_before = state_of(current) if current is not None else {}
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        saved = _fresh(obj) or obj
        after = {name: _public(value) for name, value in state_of(saved).items() if value not in (None, "", [])}
        audit.record(actor=request.user, action="admin.added", obj=obj, after=after, note=_note(message))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        before, after = changes(getattr(obj, "_pq_audit_before", {}), state_of(_fresh(obj) or obj))
        if before or after or _changes_related_objects(message):
            audit.record(
                actor=request.user, action="admin.changed", obj=obj, before=before, after=after, note=_note(message)
            )
        return entry

    def log_deletions(self, request, queryset):
        # Called before the objects are deleted, by the delete page and the "delete selected" action.
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            before = {name: _public(value) for name, value in state_of(obj).items()}
            audit.record(actor=request.user, action="admin.deleted", obj=obj, before=before)
        return entries

    def get_actions(self, request):
        return {
            name: (self._audited_action(func, name), name, description)
            for name, (func, name, description) in super().get_actions(request).items()
        }

    def _audited_action(self, func, name):
        """An action, with one entry for each object it changed (deleted
        ones are recorded by log_deletions)."""

        @wraps(func)
        def action(modeladmin, request, queryset):
            with transaction.atomic():
                before = {obj.pk: (obj, state_of(obj)) for obj in queryset.all()}
                response = func(modeladmin, request, queryset)
                for obj in modeladmin.model._base_manager.filter(pk__in=before):
                    old, new = changes(before[obj.pk][1], state_of(obj))
                    if old or new:
                        audit.record(
                            actor=request.user,
                            action="admin.changed",
                            obj=obj,
                            before=old,
                            after=new,
                            note=f"Admin action: {name}.",
                        )
            return response

        return action


class PortalAdminSite(admin.AdminSite):
    site_header = "P&Q portal administration"
    site_title = "P&Q portal admin"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__, (AuditedAdmin, admin_class), {"__module__": admin_class.__module__}
            )
        return super().register(model_or_iterable, admin_class, **options)
