from accounts.models import Role
from accounts.selectors import roles_of


def navigation(request):
    """The roles the navigation adapts to (read once per request)."""
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    is_lead = Role.PROGRAMME_LEAD in roles
    return {
        "nav_pending_applications": _pending_applications() if is_lead else 0,
        "nav_is_lead": is_lead,
        "nav_is_judge": Role.JUDGE in roles,
        "nav_is_member": Role.ORGANISATION_MEMBER in roles,
    }


def _pending_applications() -> int:
    from cohorts.models import Application

    return Application.objects.filter(status=Application.Status.PENDING).count()
