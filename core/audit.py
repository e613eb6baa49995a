"""The audit trail: one function that every state change calls."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import AuditEvent


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    cohort=None,
) -> AuditEvent:
    """Append an audit entry: `actor` (a user, or None for the system) did
    `action` to `obj`, changing `before` into `after`. The entry belongs to
    `cohort` (by default the cohort `obj` is or belongs to) so that it shows
    in that cohort's trail.

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
        cohort_id=cohort.pk if cohort is not None else cohort_id_of(obj),
    )


def cohort_id_of(obj: models.Model | None) -> int | None:
    """The cohort an object is or belongs to: a cohort itself, anything with
    a cohort (enrolments, applications, panel seats, assignments,
    certificates…), or anything with an enrolment or an assignment
    (self-assessments, scorecards). None for the rest (people,
    organisations, frameworks)."""
    if obj is None:
        return None
    if obj._meta.label == "cohorts.Cohort":
        return obj.pk
    if getattr(obj, "cohort_id", None):
        return obj.cohort_id
    for relation in ("enrolment", "assignment"):
        if getattr(obj, f"{relation}_id", None):
            return getattr(obj, relation).cohort_id
    return None


# How each action reads in the interface; unknown actions show their code.
ACTION_LABELS = {
    "user.registered": "signed up",
    "email.verified": "verified an e-mail address",
    "password.changed": "changed a password",
    "mfa.added": "turned on two-factor authentication",
    "mfa.removed": "turned off two-factor authentication",
    "mfa.reset": "made new recovery codes",
    "mfa.reset_by_lead": "reset the two-factor authentication of",
    "password.reset_sent": "sent a password-reset e-mail to",
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
    "email.replaced": "sent a fresh link instead of the failed e-mail",
    "admin.added": "added, in the admin,",
    "admin.changed": "changed, in the admin,",
    "admin.deleted": "deleted, in the admin,",
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

# The kinds of entry a trail can be filtered by: kind → (label, the action
# prefixes, the part before the dot, that it covers).
ACTION_KINDS = {
    "phase": ("Phase moves, settings and timeline", ("cohort", "timeline", "milestone")),
    "enrolment": ("Enrolments and outcomes", ("enrolment",)),
    "application": ("Applications", ("application",)),
    "assessment": ("Self-assessments and evidence", ("assessment", "evidence")),
    "shortlist": ("Shortlist", ("shortlist",)),
    "panel": ("Judging panel and conflicts", ("panel", "conflict")),
    "assignment": ("Assignments", ("assignment",)),
    "scorecard": ("Scorecards", ("scorecard",)),
    "reminder": ("Reminders", ("reminder",)),
    "results": ("Results", ("results",)),
    "documents": ("Certificates and documents", ("certificate", "documents", "document")),
    "people": ("Roles, invitations and members", ("role", "invitation", "membership")),
    "organisation": ("Organisations", ("organisation", "organisation_import")),
    "account": ("Accounts and security", ("user", "email", "password", "mfa")),
    "admin": ("Changes in the admin", ("admin",)),
    "framework": ("Frameworks", ("framework", "criterion", "kpi")),
}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, label) for kind, (label, _prefixes) in ACTION_KINDS.items()]


def kind_filter(kind: str) -> models.Q:
    """Entries of one kind (see ACTION_KINDS)."""
    query = models.Q(pk__in=[])
    for prefix in ACTION_KINDS[kind][1]:
        query |= models.Q(action__startswith=f"{prefix}.")
    return query


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
