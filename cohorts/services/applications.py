"""Applications to enrol in a cohort: a person with no role applies for
their organisation; the programme lead accepts or declines. Each write
audits itself and tells the applicant by e-mail."""

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.rules import is_programme_lead
from cohorts.models import Application, Cohort, Phase
from cohorts.services import programme
from core import audit
from core.errors import ServiceError
from core.notifications import absolute_url, send_templated_email
from organisations.models import Membership, Organisation

APPLICATION_FIELDS = ("organisation_name", "sector", "size", "contact_phone", "website", "motivation")


def _state(application: Application) -> dict:
    return {"status": application.status}


def _name_taken_message(name: str) -> str:
    return (
        f"An organisation called “{name}” already has an account on the portal. "
        "Ask that organisation's admin to invite you instead of applying."
    )


def _organisation_exists(name: str) -> bool:
    return Organisation.objects.filter(name__iexact=name).exists()


def not_open_message(cohort: Cohort) -> str:
    return f"Cohort {cohort.number} is not open for enrolment (it is in the {Phase(cohort.phase).label.lower()} phase)."


# Reads ----------------------------------------------------------------------


def open_cohorts() -> QuerySet[Cohort]:
    """Cohorts that take applications, oldest first."""
    return Cohort.objects.filter(phase=Phase.ENROLMENT).order_by("number")


def applications_visible_to(user) -> QuerySet[Application]:
    """The lead sees every application; anyone else only their own."""
    applications = Application.objects.select_related("cohort", "applicant", "decided_by", "organisation")
    if is_programme_lead(user):
        return applications
    return applications.filter(applicant=user)


def applications_for_lead(*, status: str = "") -> QuerySet[Application]:
    """Every application for the lead's list: those waiting for a decision
    first, then the newest."""
    applications = Application.objects.select_related("cohort", "applicant").annotate(
        waiting=Case(
            When(status=Application.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    if status:
        applications = applications.filter(status=status)
    return applications.order_by("waiting", "-created_at", "-pk")


def application_counts() -> dict[str, int]:
    """The number of applications in each status, and in all (one query)."""
    counts = Application.objects.aggregate(
        all=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in Application.Status.values},
    )
    return counts


# Writes ---------------------------------------------------------------------


@transaction.atomic
def apply(
    *,
    cohort: Cohort,
    applicant,
    organisation_name: str,
    sector: str,
    size: str,
    motivation: str,
    contact_phone: str = "",
    website: str = "",
) -> Application:
    """`applicant` asks to enrol their organisation in `cohort`.

    Refused when the cohort is not in its enrolment phase, when the applicant
    already has an application waiting for this cohort, or when an
    organisation of that name (in any case) is already on the portal: its
    admin should invite the person instead.

    Side effects: a pending Application; an audit entry.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    organisation_name = " ".join(organisation_name.split())
    motivation = motivation.strip()
    if cohort.phase != Phase.ENROLMENT:
        raise ServiceError(not_open_message(cohort))
    if not organisation_name:
        raise ServiceError("Enter your organisation's name.")
    if not motivation:
        raise ServiceError("Tell us why your organisation wants to take part.")
    if Application.objects.filter(cohort=cohort, applicant=applicant, status=Application.Status.PENDING).exists():
        raise ServiceError(
            f"You have already applied to cohort {cohort.number}: your application is waiting for a decision."
        )
    if _organisation_exists(organisation_name):
        raise ServiceError(_name_taken_message(organisation_name))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                cohort=cohort,
                applicant=applicant,
                organisation_name=organisation_name,
                sector=sector,
                size=size,
                contact_phone=contact_phone.strip(),
                website=website.strip(),
                motivation=motivation,
            )
    except IntegrityError as error:
        # Two submissions of the same form at once: the constraint on one
        # pending application per person and cohort lets only one through.
        raise ServiceError(
            f"You have already applied to cohort {cohort.number}: your application is waiting for a decision."
        ) from error
    audit.record(
        actor=applicant,
        action="application.submitted",
        obj=application,
        after={
            "status": application.status,
            "cohort": cohort.number,
            **{field: getattr(application, field) for field in APPLICATION_FIELDS if field != "motivation"},
        },
    )
    return application


def _lock_pending(application: Application) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("cohort", "applicant").get(pk=application.pk)
    )
    if application.status != Application.Status.PENDING:
        raise ServiceError(
            f"This application has already been {application.get_status_display().lower()}: it cannot be decided again."
        )
    return application


@transaction.atomic
def accept_application(*, application: Application, actor) -> Application:
    """Accept an application: the organisation joins the portal with the
    applicant as its admin and is enrolled in the cohort.

    Refused when the application has already been decided, when the cohort
    has left its enrolment phase, or when an organisation of that name has
    joined the portal since the person applied.

    Side effects, all in one transaction: an Organisation from the details
    given; an admin Membership for the applicant; the Enrolment (through
    `programme.enrol`); the application marked accepted; audit entries for
    each; the "application accepted" e-mail to the applicant after commit.
    """
    application = _lock_pending(application)
    cohort = Cohort.objects.select_for_update().get(pk=application.cohort_id)
    if cohort.phase != Phase.ENROLMENT:
        raise ServiceError(not_open_message(cohort) + " Decline the application instead, or move the cohort back.")
    name = application.organisation_name
    if _organisation_exists(name):
        raise ServiceError(
            f"An organisation called “{name}” joined the portal after this application was made. "
            "Decline the application and ask the applicant to get an invitation from that organisation's admin."
        )
    applicant = application.applicant
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name,
                sector=application.sector,
                size=application.size,
                contact_name=applicant.get_full_name(),
                contact_email=applicant.email,
                contact_phone=application.contact_phone,
                website=application.website,
            )
    except IntegrityError as error:
        raise ServiceError(
            f"An organisation called “{name}” was created a moment ago: decline the application."
        ) from error
    audit.record(
        actor=actor,
        action="organisation.created",
        obj=organisation,
        after={"name": organisation.name, "sector": organisation.sector, "size": organisation.size},
        note=f"From application {application.pk}.",
    )
    # Enrol before the applicant becomes a member: `enrol` e-mails the
    # members it finds, and the applicant should get one e-mail (the
    # acceptance, which says everything the enrolment e-mail would), not two.
    programme.enrol(cohort=cohort, organisations=[organisation], actor=actor)
    membership = Membership.objects.create(user=applicant, organisation=organisation, role=Membership.Role.ADMIN)
    audit.record(
        actor=actor,
        action="membership.created",
        obj=membership,
        after={"organisation": organisation.name, "role": membership.role},
    )
    before = _state(application)
    application.status = Application.Status.ACCEPTED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.organisation = organisation
    application.save(update_fields=["status", "decided_at", "decided_by", "organisation"])
    audit.record(
        actor=actor,
        action="application.accepted",
        obj=application,
        before=before,
        after={**_state(application), "organisation": organisation.pk},
    )
    send_templated_email(
        to=applicant.email,
        template="application_accepted",
        context={
            "application": application,
            "cohort": cohort,
            "organisation": organisation,
            "applicant": applicant,
            "deadline": cohort.self_assessment_deadline,
            "dashboard_url": absolute_url(reverse("member_dashboard")),
        },
    )
    return application


@transaction.atomic
def decline_application(*, application: Application, actor, reason: str) -> Application:
    """Decline an application, saying why.

    Side effects: the application marked declined with the reason; an audit
    entry; the "application declined" e-mail (with the reason) to the
    applicant after commit.
    """
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give a reason for declining: the applicant will read it.")
    application = _lock_pending(application)
    before = _state(application)
    application.status = Application.Status.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.decline_reason = reason
    application.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    audit.record(
        actor=actor,
        action="application.declined",
        obj=application,
        before=before,
        after=_state(application),
        note=reason,
    )
    send_templated_email(
        to=application.applicant.email,
        template="application_declined",
        context={
            "application": application,
            "cohort": application.cohort,
            "applicant": application.applicant,
            "reason": reason,
            "application_url": absolute_url(reverse("cohorts:application_detail", kwargs={"pk": application.pk})),
        },
    )
    return application
