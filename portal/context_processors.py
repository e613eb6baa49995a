import functools

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Role, User
from accounts.selectors import roles_of
from cohorts.models import Application
from core.models import Notification


def navigation(request):
    """The roles the navigation adapts to (read once per request) and its
    badges: unread notifications for everyone signed in, applications
    waiting for the lead. The badges are counted in one query, made only
    when a page shows them (not for htmx fragments)."""
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    is_lead = Role.PROGRAMME_LEAD in roles
    # Templates call these when they use them; the query runs once, at the first.
    badges = functools.cache(lambda: _badges(user, is_lead=is_lead))
    return {
        "nav_pending_applications": lambda: badges()["pending_applications"],
        "nav_is_lead": is_lead,
        "nav_is_judge": Role.JUDGE in roles,
        "nav_is_member": Role.ORGANISATION_MEMBER in roles,
        "nav_unread_notifications": lambda: badges()["unread_notifications"],
    }


def _count(queryset, group_by: str):
    """COUNT(*) of `queryset` as a subquery (0 when it has no rows)."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _badges(user, *, is_lead: bool) -> dict[str, int]:
    if not getattr(user, "is_authenticated", False):
        return {"unread_notifications": 0, "pending_applications": 0}
    counts = {
        "unread_notifications": _count(Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True), "user"),
    }
    if is_lead:
        counts["pending_applications"] = _count(Application.objects.filter(status=Application.Status.PENDING), "status")
    row = User.objects.filter(pk=user.pk).values(**counts).first() or {}
    return {
        "unread_notifications": row.get("unread_notifications", 0),
        "pending_applications": row.get("pending_applications", 0),
    }
