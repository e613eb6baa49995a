"""Reads that the organisation pages share, with their relations loaded."""

from django.db.models import Count, Q, QuerySet

from organisations.models import Organisation


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
