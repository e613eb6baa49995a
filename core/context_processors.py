from accounts.models import Role
from accounts.selectors import roles_of


def navigation(request):
    """The roles the navigation adapts to (read once per request)."""
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    return {
        "nav_is_lead": Role.PROGRAMME_LEAD in roles,
        "nav_is_judge": Role.JUDGE in roles,
        "nav_is_member": Role.ORGANISATION_MEMBER in roles,
    }
