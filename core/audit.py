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


# How each action reads in the interface; unknown actions show their code.
ACTION_LABELS = {
    "user.registered": "signed up",
    "email.verified": "verified an e-mail address",
    "password.changed": "changed a password",
    "mfa.added": "turned on two-factor authentication",
    "mfa.removed": "turned off two-factor authentication",
    "mfa.reset": "made new recovery codes",
    "role.granted": "granted a role to",
    "role.revoked": "revoked a role from",
    "membership.created": "joined",
    "membership.ended": "ended a membership",
    "membership.role_changed": "changed a member's role",
    "invitation.sent": "invited",
    "invitation.resent": "re-sent an invitation to",
    "invitation.cancelled": "cancelled an invitation to",
    "invitation.accepted": "accepted an invitation",
    "email.resent": "re-sent an e-mail",
    "cohort.created": "created",
    "cohort.updated": "changed the settings of",
    "cohort.phase_moved": "moved the phase of",
    "cohort.phase_moved_back": "moved back the phase of",
    "timeline.reset": "reset the timeline of",
    "milestone.added": "added a milestone to",
    "milestone.changed": "moved a milestone of",
    "milestone.removed": "removed a milestone from",
    "enrolment.created": "enrolled",
    "enrolment.withdrawn": "withdrew",
    "enrolment.extension_granted": "granted an extension to",
    "enrolment.extension_removed": "took away the extension of",
    "organisation.created": "added the organisation",
    "organisation.updated": "changed the details of",
    "organisation_import.uploaded": "uploaded organisations for import:",
    "organisation_import.imported": "imported organisations from",
    "application.submitted": "applied for",
    "application.accepted": "accepted the application of",
    "application.declined": "declined the application of",
    "framework.copied": "made a new version:",
    "framework.updated": "renamed or described",
    "criterion.added": "added a criterion to",
    "criterion.changed": "changed a criterion of",
    "criterion.removed": "removed a criterion from",
    "kpi.added": "added a KPI to",
    "kpi.changed": "changed a KPI of",
    "kpi.removed": "removed a KPI from",
    "assessment.submitted": "submitted",
    "assessment.reopened": "reopened",
    "scorecard.withdrawn": "withdrew",
    "scorecard.submitted": "submitted",
    "scorecard.unlocked": "unlocked",
    "panel.judge_invited": "invited to the judging panel:",
    "panel.judge_added": "added to the judging panel:",
    "panel.judge_removed": "removed from the judging panel:",
    "conflict.declared": "declared a conflict of interest with",
    "assignment.added": "assigned a judge to",
    "assignment.ended": "ended the assignment of",
    "assignment.automatic_run": "ran the automatic assignment of",
    "reminder.sent": "sent a reminder to",
    "shortlist.added": "shortlisted",
    "shortlist.removed": "took off the shortlist",
    "shortlist.announced": "announced the shortlist of",
    "results.finalised": "finalised the results of",
    "results.reopened": "reopened the results of",
    "enrolment.outcome": "set the outcome of",
    "certificate.issued": "issued",
    "certificate.reissued": "reissued",
    "certificate.revoked": "revoked",
    "documents.requested": "asked for the documents of",
    "document.retried": "asked again for a document of",
    "evidence.added": "added evidence to",
    "evidence.removed": "removed evidence from",
    "evidence.erased": "erased evidence, at the organisation's request, from",
    "account.data_exported": "downloaded their personal data:",
    "account.closed": "closed their account:",
    "organisation.exported": "exported the data of",
    "organisation.erased": "erased, at its request, the data of",
    "retention.evidence_deleted": "deleted, at the end of the retention period, evidence from",
    "retention.draft_deleted": "deleted, at the end of the retention period, the unsubmitted draft:",
    "retention.scorecard_deleted": "deleted, at the end of the retention period, the unsubmitted scorecard of",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
