"""Personal data (UK GDPR): what the portal holds about a person or an
organisation, handing it over, and erasing it.

- `personal_data(user)`: everything about one person, as plain values for JSON.
- `close_account(user=…)`: the person's right to erasure. Their account row
  stays (judges' scorecards, answers they saved and audit entries point at
  it) but says nothing about them any more: name and e-mail address become a
  pseudonym, the password unusable, second factors, e-mail addresses,
  e-mails and notifications deleted, log-in sessions ended, roles and
  memberships ended. Audit entries stay, naming the pseudonym.
- `portal.organisation_privacy`: the lead's export and erasure of an
  organisation's data when it asks.

Audit entries are append-only. Pseudonymising them is the one exception,
made here and nowhere else: it changes whom an entry names, never what
happened.
"""

import json
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Invitation, Role, RoleGrant, User
from assessments.models import EvidenceFile, Response
from cohorts.models import Application, Phase, Reminder
from core import audit, trail
from core import models as core_models
from core.audit import names_containing, pseudonymise_audit_trail
from core.errors import ServiceError
from core.models import AuditEvent, OutboundEmail
from judging.models import Assignment, CohortJudge, ConflictDeclaration, Scorecard
from organisations.models import Membership


def to_json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _optional_model(name: str) -> type[models.Model] | None:
    """A model of core that may not exist yet in every version of the code
    (notifications, e-mail preferences): the export includes it when it does."""
    return getattr(core_models, name, None)


# The audit trail --------------------------------------------------------------


def audit_entry(event: AuditEvent) -> dict:
    return {
        "at": event.created_at,
        "who": event.actor_repr,
        "action": event.action,
        "what": event.object_repr,
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }


# A person's data ---------------------------------------------------------------


def personal_data(user: User) -> dict:
    """Everything the portal holds about `user`, as plain values (for a JSON
    download): account, roles, memberships, invitations, applications, the
    self-assessment answers they saved last and the evidence files they
    uploaded, their judging (panels, conflicts, scorecards), reminders,
    e-mails and notifications sent to them, and the audit entries about them.
    Secrets (password hash, two-factor secrets, recovery codes) are left out."""
    email = user.email
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "about": (
            "The personal data the P&Q accreditation portal holds about you. "
            f"Questions: {settings.PRIVACY_CONTACT_EMAIL}."
        ),
        "account": {
            "id": user.pk,
            "email": email,
            "full_name": user.full_name,
            "joined": user.date_joined,
            "last_log_in": user.last_login,
            "active": user.is_active,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            "two_factor_authentication": [
                {"type": authenticator.type, "added": authenticator.created_at, "last_used": authenticator.last_used_at}
                for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
            ],
        },
        "roles": [
            {"role": grant.get_role_display(), "granted": grant.granted_at, "revoked": grant.revoked_at}
            for grant in RoleGrant.objects.filter(user=user).order_by("granted_at")
        ],
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": membership.get_role_display(),
                "joined": membership.created_at,
                "ended": membership.ended_at,
            }
            for membership in Membership.objects.filter(user=user).select_related("organisation").order_by("created_at")
        ],
        "invitations": [
            {
                "email": invitation.email,
                "to_be": invitation.role_phrase,
                "sent": invitation.sent_at,
                "status": invitation.get_status_display(),
            }
            for invitation in Invitation.objects.filter(Q(email__iexact=email) | Q(accepted_by=user))
            .select_related("organisation")
            .order_by("created_at")
        ],
        "applications": [
            {
                "cohort": application.cohort.number,
                "organisation_name": application.organisation_name,
                "sector": application.get_sector_display(),
                "size": application.get_size_display(),
                "telephone": application.contact_phone,
                "website": application.website,
                "why_you_want_to_take_part": application.motivation,
                "status": application.get_status_display(),
                "applied": application.created_at,
                "decided": application.decided_at,
                "decline_reason": application.decline_reason,
            }
            for application in Application.objects.filter(applicant=user)
            .select_related("cohort")
            .order_by("created_at")
        ],
        "self_assessment_answers_you_saved_last": [
            {
                "cohort": response.assessment.enrolment.cohort.number,
                "organisation": response.assessment.enrolment.organisation.name,
                "criterion": response.criterion.code,
                "level": response.level,
                "narrative": response.narrative,
                "saved": response.updated_at,
            }
            for response in Response.objects.filter(updated_by=user)
            .select_related("criterion", "assessment__enrolment__cohort", "assessment__enrolment__organisation")
            .order_by("assessment_id", "criterion__position")
        ],
        "evidence_files_you_uploaded": [
            {
                "cohort": evidence.response.assessment.enrolment.cohort.number,
                "organisation": evidence.response.assessment.enrolment.organisation.name,
                "criterion": evidence.response.criterion.code,
                "file": evidence.original_name,
                "size": evidence.size,
                "uploaded": evidence.uploaded_at,
            }
            for evidence in EvidenceFile.objects.filter(uploaded_by=user)
            .select_related(
                "response__criterion",
                "response__assessment__enrolment__cohort",
                "response__assessment__enrolment__organisation",
            )
            .order_by("uploaded_at")
        ],
        "judging": _judging_data(user),
        "reminders": [
            {"cohort": reminder.cohort.number, "kind": reminder.get_kind_display(), "sent": reminder.sent_at}
            for reminder in Reminder.objects.filter(recipient=user).select_related("cohort").order_by("sent_at")
        ],
        "emails_sent_to_you": [
            {
                "queued": message.created_at,
                "to": message.to,
                "subject": message.subject,
                "status": message.get_status_display(),
                "text": message.body_text,
            }
            for message in OutboundEmail.objects.filter(to__iexact=email).order_by("created_at", "id")
        ],
        "audit_trail_about_you": [audit_entry(event) for event in trail.about_person(user)],
    }
    notification = _optional_model("Notification")
    if notification is not None:
        data["notifications"] = [
            {"at": item.created_at, "title": item.title, "link": item.link, "read": item.read_at}
            for item in notification.objects.filter(user=user).order_by("created_at")
        ]
    opt_out = _optional_model("EmailOptOut")
    if opt_out is not None:
        data["emails_you_chose_not_to_get"] = list(
            opt_out.objects.filter(user=user).order_by("category").values_list("category", flat=True)
        )
    return data


def _judging_data(user: User) -> dict:
    scorecards = (
        Scorecard.objects.filter(assignment__judge=user)
        .select_related("assignment__cohort", "assignment__enrolment__organisation")
        .prefetch_related("entries__criterion")
        .order_by("assignment__cohort__number", "assignment__enrolment__organisation__name")
    )
    return {
        "panels": [
            {"cohort": seat.cohort.number, "added": seat.added_at, "removed": seat.removed_at}
            for seat in CohortJudge.objects.filter(judge=user).select_related("cohort").order_by("added_at")
        ],
        "conflicts_of_interest": [
            {
                "cohort": conflict.cohort.number,
                "organisation": conflict.organisation.name,
                "relationship": conflict.get_relationship_display(),
                "note": conflict.note,
                "declared": conflict.declared_at,
            }
            for conflict in ConflictDeclaration.objects.filter(judge=user)
            .select_related("cohort", "organisation")
            .order_by("declared_at")
        ],
        "assignments": [
            {
                "cohort": assignment.cohort.number,
                "finalist": assignment.enrolment.organisation.name,
                "assigned": assignment.created_at,
                "ended": assignment.removed_at,
            }
            for assignment in Assignment.objects.filter(judge=user)
            .select_related("cohort", "enrolment__organisation")
            .order_by("created_at")
        ],
        "scorecards": [
            {
                "cohort": card.assignment.cohort.number,
                "finalist": card.assignment.enrolment.organisation.name,
                "status": card.get_status_display(),
                "submitted": card.submitted_at,
                "strengths": card.strengths,
                "areas_to_improve": card.improvements,
                "scores": [
                    {"criterion": entry.criterion.code, "score": entry.score, "comment": entry.comment}
                    for entry in card.entries.all()
                ],
            }
            for card in scorecards
        ],
    }


def record_export(*, user: User) -> None:
    """Side effects: an audit entry saying the person downloaded their data."""
    audit.record(actor=user, action="account.data_exported", obj=user)


# Closing an account ------------------------------------------------------------


def pseudonym(user: User) -> str:
    return f"closed-account-{user.pk}@invalid"


def closing_refusal(user: User) -> str | None:
    """Why `user` cannot close their account now, or None."""
    leads = RoleGrant.objects.active().filter(role=Role.PROGRAMME_LEAD)
    if leads.filter(user=user).exists() and not leads.exclude(user=user).exists():
        return (
            "You are the only programme lead, and the programme cannot run without one. "
            "Make someone else a programme lead (People → Invite someone) before closing your account."
        )
    judging = (
        CohortJudge.objects.filter(judge=user, removed_at__isnull=True, cohort__phase=Phase.JUDGING)
        .select_related("cohort")
        .order_by("cohort__number")
        .first()
    )
    if judging:
        return (
            f"You are on the judging panel of cohort {judging.cohort.number}, which is judging now. "
            "Ask the programme lead to take you off the panel first, so that your finalists get another judge."
        )
    return None


@transaction.atomic
def close_account(*, user: User) -> str:
    """Close `user`'s account at their request and erase their personal data.

    Refuses (ServiceError) for the only programme lead and for a judge on
    the panel of a cohort that is judging now.

    Side effects: roles revoked, memberships ended, panel seats of cohorts
    not yet judging given up, pending applications declined, invitations
    to their address cancelled and their address replaced; name and e-mail
    address replaced by the pseudonym "closed-account-<id>@invalid", the
    password made unusable, the account deactivated (no staff rights);
    e-mail addresses, second factors, e-mails and notifications to them
    deleted; every log-in session of theirs ended; audit entries rewritten
    to name the pseudonym; an audit entry "account.closed". What they wrote
    for an organisation (answers, evidence) or as a judge (scorecards) stays
    with the organisation and the programme, attributed to the pseudonym.
    Returns the pseudonym.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    refusal = closing_refusal(user)
    if refusal:
        raise ServiceError(refusal)
    now = timezone.now()
    email, full_name, alias = user.email, user.full_name, pseudonym(user)

    roles = list(RoleGrant.objects.active().filter(user=user).values_list("role", flat=True))
    RoleGrant.objects.active().filter(user=user).update(revoked_at=now, revoked_by=user)
    organisations = list(Membership.objects.active().filter(user=user).values_list("organisation__name", flat=True))
    Membership.objects.active().filter(user=user).update(ended_at=now, ended_by=user)
    CohortJudge.objects.filter(
        judge=user,
        removed_at__isnull=True,
        cohort__phase__in=[Phase.DRAFT, Phase.ENROLMENT, Phase.SELF_ASSESSMENT, Phase.SHORTLISTING],
    ).update(removed_at=now, removed_by=user, removal_reason="The judge closed their account.")
    Application.objects.filter(applicant=user, status=Application.Status.PENDING).update(
        status=Application.Status.DECLINED, decided_at=now, decline_reason="The applicant closed their account."
    )
    Invitation.objects.pending().filter(email__iexact=email).update(cancelled_at=now)
    Invitation.objects.filter(email__iexact=email).update(email=alias)

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    OutboundEmail.objects.filter(to__iexact=email).delete()
    for name in ("Notification", "EmailOptOut"):
        model = _optional_model(name)
        if model is not None:
            model.objects.filter(user=user).delete()

    user.email = alias
    user.full_name = ""
    user.set_unusable_password()  # also ends every session: Django checks the password hash on each request
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    _end_sessions(user)

    replacements = {email: alias}
    keep: list[str] = []
    if full_name.strip():
        replacements[full_name.strip()] = alias
        others = User.objects.exclude(pk=user.pk).filter(full_name__icontains=full_name.strip())
        keep = names_containing(full_name.strip(), others.values_list("full_name", flat=True))
    user_type = ContentType.objects.get_for_model(User)
    pseudonymise_audit_trail(
        replacements=replacements, keep=keep, also=Q(actor=user) | Q(object_type=user_type, object_id=str(user.pk))
    )
    # Entries about the person whose text named them some other way (e.g. by
    # an old address) still point at the account: make them name the alias.
    audit.name_person(user, alias)
    audit.record(
        actor=user,
        action="account.closed",
        obj=user,
        before={"roles": sorted(roles), "organisations": sorted(organisations)},
        after={"email": alias},
    )
    return alias


def _end_sessions(user: User) -> None:
    """Delete the stored sessions of `user` (database sessions). Other
    engines are covered by the password change, which invalidates them."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
