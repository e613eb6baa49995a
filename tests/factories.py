import importlib
from datetime import date
from types import SimpleNamespace

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.db import connection

from accounts.models import Role, RoleGrant, User
from cohorts.models import Cohort
from cohorts.services.programme import create_cohort
from frameworks import default_framework
from frameworks.models import Framework
from organisations.models import Membership, Organisation, Sector

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n} Water")
    sector = Sector.WATER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.CONTRIBUTOR


def with_mfa(user: User, secret: str = TOTP_SECRET) -> User:
    TOTP.activate(user, secret)
    return user


def make_lead(*, mfa: bool = True, **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleGrant.objects.create(user=user, role=Role.PROGRAMME_LEAD)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return with_mfa(user) if mfa else user


def make_judge(*, mfa: bool = True, **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleGrant.objects.create(user=user, role=Role.JUDGE)
    return with_mfa(user) if mfa else user


def make_member(*, organisation: Organisation | None = None, **kwargs) -> User:
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, organisation=organisation or OrganisationFactory())
    return user


def ensure_default_framework():
    """The shipped framework, version 1. The migrations load it, but tests on
    a live server (transactional) flush the database afterwards: load it
    again, the way the migration does, when it is missing."""

    framework = Framework.objects.filter(version=default_framework.VERSION).first()
    if framework is None:
        migration = importlib.import_module("frameworks.migrations.0002_default_framework")
        migration.load_default_framework(apps, SimpleNamespace(connection=connection))
        framework = Framework.objects.get(version=default_framework.VERSION)
    return framework


def make_cohort(*, number: int = 3, start_date=None, phase: str = "draft", **fields):
    """A cohort with its default timeline, as the lead would create it."""
    ensure_default_framework()

    cohort = create_cohort(
        actor=None,
        number=number,
        name=fields.pop("name", f"Cohort {number} name"),
        sponsor=fields.pop("sponsor", "Insight Analytics"),
        start_date=start_date or date(2027, 1, 15),
        time_zone=fields.pop("time_zone", "Europe/London"),
        **fields,
    )
    if phase != "draft":
        Cohort.objects.filter(pk=cohort.pk).update(phase=phase)
        cohort.refresh_from_db()
    return cohort


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cohorts.Enrolment"

    cohort = factory.LazyFunction(lambda: make_cohort())
    organisation = factory.SubFactory(OrganisationFactory)
    status = "enrolled"
