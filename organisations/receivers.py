"""organisations' reactions to what lower apps announce."""

from accounts.models import Invitation, Role, User
from core import audit
from organisations.models import Membership


def create_membership(sender, *, invitation: Invitation, user: User, **kwargs) -> None:
    """An accepted invitation to an organisation makes the person a member
    of it, in the role the invitation offers (unless they already are one).

    Side effects: a Membership and its "membership.created" audit entry, in
    the acceptance's transaction.
    """
    if invitation.role != Role.ORGANISATION_MEMBER:
        return
    organisation = invitation.organisation
    if Membership.objects.active().filter(user=user, organisation=organisation).exists():
        return
    membership = Membership.objects.create(user=user, organisation=organisation, role=invitation.organisation_role)
    audit.record(
        actor=user,
        action="membership.created",
        obj=membership,
        after={"organisation": organisation.name, "role": membership.role},
    )
