"""judging's reactions to what lower apps announce."""

from accounts.models import Invitation, User
from judging.services.panel import seat_invited_judge


def seat_judge_on_invited_panels(sender, *, invitation: Invitation, user: User, **kwargs) -> None:
    """A judge invited to cohorts' panels takes their seats on accepting
    (see services.panel.seat_invited_judge for the side effects)."""
    seat_invited_judge(invitation=invitation, user=user)
