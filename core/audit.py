"""The audit trail: one function that every state change calls."""

import json
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

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


class _Rewriter:
    """Replaces whole-word mentions of some texts (names, addresses, numbers),
    in any case, except inside longer names that must stay as they are: with
    "Anglian Water" erased, "Anglian Water Services" is another
    organisation."""

    def __init__(self, replacements: dict[str, str], keep: Iterable[str] = ()):
        self.replacements = {text.casefold(): new for text, new in replacements.items()}
        # Longest first, so that "Ann Smith" wins over "Ann" and a kept name over the text inside it.
        alternatives = sorted({*replacements, *keep}, key=len, reverse=True)
        self.keep = {text.casefold() for text in keep}
        self.pattern = re.compile(
            r"(?<![\w.@-])(?:" + "|".join(re.escape(text) for text in alternatives) + r")(?![\w@-])", re.IGNORECASE
        )

    def _swap(self, match: re.Match) -> str:
        found = match.group(0).casefold()
        return match.group(0) if found in self.keep else self.replacements.get(found, match.group(0))

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.pattern.sub(self._swap, value)
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        return value


def mentions(texts: Iterable[str]) -> Q:
    """Entries whose text, or before and after values, contain one of `texts`.
    JSON is searched both as stored by SQLite (non-ASCII letters escaped)
    and by PostgreSQL (as they are)."""
    query = Q()
    for text in texts:
        forms = {text, json.dumps(text)[1:-1]}
        for form in forms:
            query |= (
                Q(actor_repr__icontains=form)
                | Q(object_repr__icontains=form)
                | Q(note__icontains=form)
                | Q(before_text__icontains=form)
                | Q(after_text__icontains=form)
            )
    return query


def pseudonymise_audit_trail(*, replacements: dict[str, str], keep: Iterable[str] = (), also: Q | None = None) -> int:
    """Replace each key of `replacements` (a name, an address, a telephone
    number) by its value wherever an audit entry mentions it as a whole word,
    except inside the longer names in `keep`. Entries matching `also` are
    looked at too.

    Side effects: the matching audit entries rewritten in place (the only
    change ever made to them). Returns how many entries changed.
    """
    replacements = {text.strip(): new for text, new in replacements.items() if len(text.strip()) >= 2}
    if not replacements:
        return 0
    rewrite = _Rewriter(replacements, keep)
    candidates = with_text().filter(mentions(replacements) | (also or Q(pk__in=[])))
    changed = 0
    for event in candidates.iterator():
        fields = {
            name: rewrite(getattr(event, name)) for name in ("actor_repr", "object_repr", "note", "before", "after")
        }
        if any(getattr(event, name) != value for name, value in fields.items()):
            # models.QuerySet.update, deliberately: AuditEventQuerySet refuses updates.
            models.QuerySet.update(AuditEvent.objects.filter(pk=event.pk), **fields)
            changed += 1
    return changed


def names_containing(text: str, names: Iterable[str]) -> list[str]:
    """The `names` other than `text` that contain it as a whole word."""
    pattern = re.compile(rf"(?<![\w.@-]){re.escape(text)}(?![\w@-])", re.IGNORECASE)
    return [name for name in names if name.casefold() != text.casefold() and pattern.search(name)]


def with_text() -> models.QuerySet:
    return AuditEvent.objects.annotate(
        before_text=Cast("before", output_field=TextField()), after_text=Cast("after", output_field=TextField())
    )


def name_person(user, alias: str) -> None:
    """After erasure: entries by the person, or about their account, whose text
    named them some other way (an old address, say) name `alias`.
    Side effects: those entries' actor_repr and object_repr rewritten."""
    user_type = ContentType.objects.get_for_model(user)
    # models.QuerySet.update, deliberately: AuditEventQuerySet refuses updates.
    models.QuerySet.update(AuditEvent.objects.filter(actor=user).exclude(actor_repr=alias), actor_repr=alias)
    models.QuerySet.update(
        AuditEvent.objects.filter(object_type=user_type, object_id=str(user.pk)).exclude(object_repr=alias),
        object_repr=alias,
    )
