"""Writes for organisations and their members. Each one audits itself.

Who may call them is checked by the views (cohorts.rules:
"organisations.manage_organisations", "organisations.manage_members"); the rules that
hold whoever calls live here, such as "an organisation keeps at least one
admin".
"""

from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, Role
from core import audit
from core.errors import ServiceError
from organisations.models import Membership, Organisation

ORGANISATION_FIELDS = ("name", "sector", "size", "contact_name", "contact_email", "contact_phone", "website")


def _state(organisation: Organisation) -> dict:
    return {field: getattr(organisation, field) for field in ORGANISATION_FIELDS}


def _clean(fields: dict) -> dict:
    fields = dict(fields)
    if "name" in fields:
        fields["name"] = " ".join(fields["name"].split())
    if fields.get("contact_email"):
        fields["contact_email"] = fields["contact_email"].strip().lower()
    return fields


def _check_name_free(name: str, *, exclude: Organisation | None = None) -> None:
    others = Organisation.objects.filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ServiceError(f"An organisation called “{name}” already exists.")


@transaction.atomic
def create_organisation(*, actor, invite_contact: bool = False, note: str = "", **fields) -> Organisation:
    """Side effects: the organisation; an audit entry with its details; with
    `invite_contact`, an invitation of the main contact as organisation admin
    (see invite_member)."""
    fields = _clean(fields)
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {', '.join(sorted(unknown))}")
    _check_name_free(fields["name"])
    if invite_contact and not fields.get("contact_email"):
        raise ServiceError("Give the main contact's e-mail address to invite them.")
    organisation = Organisation.objects.create(**fields)
    audit.record(actor=actor, action="organisation.created", obj=organisation, after=_state(organisation), note=note)
    if invite_contact:
        invite_member(
            organisation=organisation, email=organisation.contact_email, role=Membership.Role.ADMIN, actor=actor
        )
    return organisation


@transaction.atomic
def update_organisation(*, organisation: Organisation, actor, **fields) -> Organisation:
    """Side effects: the changed fields saved; an audit entry with the before
    and after of what changed (none when nothing changed)."""
    fields = _clean(fields)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _state(organisation)
    for name, value in fields.items():
        if name not in ORGANISATION_FIELDS:
            raise TypeError(f"Unknown organisation field: {name}")
        setattr(organisation, name, value)
    after = _state(organisation)
    changed = [name for name in ORGANISATION_FIELDS if before[name] != after[name]]
    if not changed:
        return organisation
    if "name" in changed:
        _check_name_free(organisation.name, exclude=organisation)
    organisation.save(update_fields=changed)
    audit.record(
        actor=actor,
        action="organisation.updated",
        obj=organisation,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return organisation


@transaction.atomic
def invite_member(*, organisation: Organisation, email: str, role: str, actor) -> Invitation:
    """Invite a colleague to the organisation, as an admin or a contributor.

    Side effects: those of accounts.services.invite (an Invitation, an audit
    entry, the invitation e-mail after commit), with `actor` as the inviter.
    """
    if role not in Membership.Role.values:
        raise ServiceError("Choose the person's role: organisation admin or contributor.")
    email = email.strip().lower()
    if Membership.objects.active().filter(organisation=organisation, user__email__iexact=email).exists():
        raise ServiceError(f"{email} is already a member of {organisation}.")
    invitation, _token = account_services.invite(
        email=email,
        role=Role.ORGANISATION_MEMBER,
        invited_by=actor,
        organisation=organisation,
        organisation_role=role,
    )
    return invitation


def _lock_active_memberships(membership: Membership) -> tuple[Membership, list[Membership]]:
    """The membership, fresh, and every active membership of its organisation,
    locked so that two admins cannot remove each other at the same moment and
    leave the organisation without one."""
    active = list(
        Membership.objects.active()
        .select_for_update()
        .filter(organisation_id=membership.organisation_id)
        .select_related("user", "organisation")
        .order_by("pk")
    )
    current = next((m for m in active if m.pk == membership.pk), None)
    if current is None:
        raise ServiceError("This person is no longer a member of the organisation.")
    return current, active


def _refuse_if_last_admin(membership: Membership, active: list[Membership], *, doing: str, actor) -> None:
    if membership.role != Membership.Role.ADMIN:
        return
    other_admins = [m for m in active if m.role == Membership.Role.ADMIN and m.pk != membership.pk]
    if not other_admins:
        who = "You are" if membership.user_id == getattr(actor, "pk", None) else f"{membership.user} is"
        subject = "you" if who == "You are" else "they"
        raise ServiceError(
            f"{who} the only admin of {membership.organisation}, so {subject} cannot be {doing}: "
            "an organisation must keep at least one admin. Make another member an admin first."
        )


@transaction.atomic
def change_member_role(*, membership: Membership, role: str, actor) -> Membership:
    """Make a member an organisation admin or a contributor.

    Side effects: the role saved; an audit entry with the before and after.
    Refuses to demote the organisation's last admin.
    """
    if role not in Membership.Role.values:
        raise ServiceError("Choose organisation admin or contributor.")
    membership, active = _lock_active_memberships(membership)
    if membership.role == role:
        return membership
    if role != Membership.Role.ADMIN:
        _refuse_if_last_admin(membership, active, doing="made a contributor", actor=actor)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="membership.role_changed",
        obj=membership,
        before={"organisation": membership.organisation.name, "role": before},
        after={"organisation": membership.organisation.name, "role": role},
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor) -> None:
    """Remove a person from the organisation (effective on their next page).
    An admin may remove themselves when another admin remains.

    Side effects: the membership ended (the row is kept for the record); an
    audit entry. Refuses to remove the organisation's last admin.
    """
    membership, active = _lock_active_memberships(membership)
    _refuse_if_last_admin(membership, active, doing="removed", actor=actor)
    membership.ended_at = timezone.now()
    membership.ended_by = actor
    membership.save(update_fields=["ended_at", "ended_by"])
    audit.record(
        actor=actor,
        action="membership.ended",
        obj=membership,
        before={"organisation": membership.organisation.name, "role": membership.role},
        after=None,
    )
