"""Reads about organisations and their members that other apps share."""

from organisations.models import Membership


def is_member(user) -> bool:
    return Membership.objects.active().filter(user=user).exists()


def is_member_by_email(email: str, organisation) -> bool:
    return Membership.objects.active().filter(user__email=email, organisation=organisation).exists()


def membership_roles() -> list[tuple[str, str]]:
    return list(Membership.Role.choices)
