from django.db.models import Prefetch, Q, QuerySet

from accounts import roles as role_sources
from accounts.models import Role, RoleGrant, User


def roles_of(user) -> frozenset[str]:
    """The roles a user holds now, read once per request (cached on the user
    object, which lives for one request), so a revoked role stops working on
    the next request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pq_roles", None)
    if cached is None:
        roles = set(RoleGrant.objects.active().filter(user=user).values_list("role", flat=True))
        for source in role_sources.sources():
            if source.held_by(user):
                roles.add(source.role)
        cached = frozenset(roles)
        user._pq_roles = cached
    return cached


def people_for_lead(*, search: str = "", role: str = "") -> QuerySet[User]:
    """Every user with their active roles loaded, for the lead's people page.

    Memberships are organisations' model, reached through the relation it
    declares on User (accounts does not import organisations)."""
    membership_model = User._meta.get_field("memberships").related_model
    people = User.objects.prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.active(), to_attr="active_grants"),
        Prefetch(
            "memberships",
            queryset=membership_model.objects.active().select_related("organisation"),
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
