"""Reads about organisations and their members: what the organisation pages
show, and what other apps ask."""

from django.db.models import Count, Q, QuerySet

from organisations.models import Membership, Organisation


def is_member(user) -> bool:
    return Membership.objects.active().filter(user=user).exists()


def is_member_by_email(email: str, organisation) -> bool:
    return Membership.objects.active().filter(user__email=email, organisation=organisation).exists()


def membership_roles() -> list[tuple[str, str]]:
    return list(Membership.Role.choices)


def organisations_for_lead(*, search: str = "", sector: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__ended_at__isnull=True), distinct=True),
        enrolment_count=Count("enrolments", distinct=True),
    )
    if search:
        organisations = organisations.filter(
            Q(name__icontains=search) | Q(contact_name__icontains=search) | Q(contact_email__icontains=search)
        )
    if sector:
        organisations = organisations.filter(sector=sector)
    return organisations.order_by("name")
