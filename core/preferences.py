"""Each person's choice of optional e-mails (see core.email_kinds)."""

from django.db import transaction

from core import email_kinds
from core.models import EmailOptOut


def opted_out_of(user) -> set[str]:
    return set(EmailOptOut.objects.filter(user=user).values_list("category", flat=True))


@transaction.atomic
def set_email_preferences(*, user, wanted: set[str]) -> None:
    """Keep the optional categories in `wanted`, switch off the others.
    Mandatory categories cannot be switched off and are ignored here.

    Side effects: EmailOptOut rows added or removed.
    """
    unwanted = email_kinds.OPTIONAL_CODES - set(wanted)
    EmailOptOut.objects.filter(user=user).exclude(category__in=unwanted).delete()
    existing = opted_out_of(user)
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, category=code) for code in sorted(unwanted - existing)], ignore_conflicts=True
    )
