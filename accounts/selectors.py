from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Role, RoleGrant, User
from organisations.models import Membership


def roles_of(user) -> frozenset[str]:
    """The roles a user holds now, read once per request (cached on the user
    object, which lives for one request), so a revoked role stops working on
    the next request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pq_roles", None)
    if cached is None:
        roles = set(RoleGrant.objects.active().filter(user=user).values_list("role", flat=True))
        if Membership.objects.active().filter(user=user).exists():
            roles.add(Role.ORGANISATION_MEMBER)
        cached = frozenset(roles)
        user._pq_roles = cached
    return cached


def people_for_lead(*, search: str = "", role: str = "") -> QuerySet[User]:
    """Every user with their active roles loaded, for the lead's people page."""
    people = User.objects.prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.active(), to_attr="active_grants"),
        Prefetch(
            "memberships",
            queryset=Membership.objects.active().select_related("organisation"),
            to_attr="active_memberships",
        ),
    ).order_by("email")
    if search:
        people = people.filter(Q(email__icontains=search) | Q(full_name__icontains=search))
    if role == Role.ORGANISATION_MEMBER:
        people = people.filter(memberships__ended_at__isnull=True).distinct()
    elif role in (Role.PROGRAMME_LEAD, Role.JUDGE):
        people = people.filter(role_grants__role=role, role_grants__revoked_at__isnull=True).distinct()
    elif role == "none":
        people = people.exclude(role_grants__revoked_at__isnull=True, role_grants__isnull=False).exclude(
            memberships__ended_at__isnull=True, memberships__isnull=False
        )
    return people
