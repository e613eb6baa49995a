import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import transaction

from core import audit
from core.audit import ACTION_LABELS
from core.models import AppendOnlyError, AuditEvent
from portal.templatetags.portal import audit_changes

pytestmark = pytest.mark.django_db


def test_record_stores_actor_object_and_values(lead, judge):
    event = audit.record(actor=lead, action="role.revoked", obj=judge, before={"role": "judge"}, after={"role": None})

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_repr, stored.action) == (lead, "lead@example.org", "role.revoked")
    assert (stored.object_type.model, stored.object_id, stored.object_repr) == ("user", str(judge.pk), str(judge))
    assert (stored.before, stored.after) == ({"role": "judge"}, {"role": None})
    assert list(AuditEvent.objects.for_object(judge)) == [stored]


def test_record_without_actor_is_the_system(judge):
    event = audit.record(actor=None, action="reminder.sent", obj=judge)

    assert (event.actor, event.actor_repr) == (None, "system")


def test_audit_entries_cannot_be_changed_or_deleted(lead):
    event = audit.record(actor=lead, action="thing.done")

    event.action = "thing.undone"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "thing.done"


def test_audit_admin_is_read_only(rf, lead):
    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/admin/core/auditevent/")
    request.user = lead

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False


def test_a_rolled_back_change_leaves_no_audit_entry(lead):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=lead, action="thing.done")
        raise RuntimeError("the change failed")

    assert AuditEvent.objects.count() == 0


def test_audit_changes_read_as_words(lead):
    event = audit.record(
        actor=lead,
        action="cohort.updated",
        before={"phase": "enrolment", "normalise_scores": False},
        after={"phase": "self_assessment", "normalise_scores": True, "sponsor": ""},
    )

    assert audit_changes(event) == [
        "phase: enrolment → self assessment",
        "normalise scores: no → yes",
        "sponsor: —",
    ]


def test_every_audited_action_reads_as_words():

    root = Path(__file__).resolve().parents[2]
    used = set()
    for app in ("accounts", "assessments", "cohorts", "core"):
        for source in (root / app).rglob("*.py"):
            used |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source.read_text()))

    assert sorted(used - set(ACTION_LABELS)) == []


def test_the_audit_trail_is_queried_only_by_core_audit_and_core_trail():
    """The trail records; state lives in columns. Pages read histories through
    core.trail, erasure rewrites entries through core.audit, nothing else."""
    root = Path(__file__).resolve().parents[2]
    apps = [path for path in root.iterdir() if (path / "apps.py").exists()]
    readers = sorted(
        str(path.relative_to(root))
        for app in apps
        for path in app.rglob("*.py")
        if "migrations" not in path.parts and "AuditEvent.objects" in path.read_text()
    )

    assert readers == ["core/audit.py", "core/trail.py"]
