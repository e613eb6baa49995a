"""Roles that a higher app holds for accounts.

Programme leads and judges hold their role through an accounts.RoleGrant.
An organisation member holds theirs through a membership, which belongs to
the organisations app: accounts cannot import it (organisations is above
accounts), so organisations registers here, in its AppConfig.ready(), how
to tell who holds the role and which roles within an organisation there
are. accounts asks the registry and never imports the app that fills it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RoleSource:
    """How a higher app tells who holds `role`.

    `held_by(user)`: whether the user holds the role at all (for roles_of);
    `held_by_email(email, organisation)`: whether the person with that
    address holds it in that organisation (an invitation to it is refused);
    `kinds`: the roles within it that an invitation can offer, as choices,
    with `default_kind` taken when the invitation names none.
    """

    role: str
    held_by: Callable[[Any], bool]
    held_by_email: Callable[[str, Any], bool]
    kinds: Callable[[], list[tuple[str, str]]]
    default_kind: str


_sources: dict[str, RoleSource] = {}


def register_role_source(source: RoleSource) -> None:
    """Called once per role from a higher app's AppConfig.ready()."""
    _sources[source.role] = source


def role_source(role: str) -> RoleSource | None:
    return _sources.get(role)


def sources() -> list[RoleSource]:
    return list(_sources.values())
