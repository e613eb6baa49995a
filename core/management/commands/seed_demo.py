"""Demo data so that a newcomer can log in as each role. Safe to run again."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, hotp_value, yield_hotp_counters_from_time
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services as account_services
from accounts.models import Role, User
from cohorts.models import Membership, Organisation, Sector, Size

DEMO_PASSWORD = "pq-demo-2026"

# Fixed TOTP secrets (base32) so that the codes can be computed from this
# output or with `manage.py demo_totp EMAIL`. Demo data only, never production.
DEMO_PEOPLE = [
    {
        "email": "lead@pq-portal.test",
        "full_name": "Priya Lead",
        "role": Role.PROGRAMME_LEAD,
        "totp_secret": "PQDEMOLEADSECRETPQDEMOLEADSECRET",
    },
    {
        "email": "judge@pq-portal.test",
        "full_name": "Jonah Judge",
        "role": Role.JUDGE,
        "totp_secret": "PQDEMOJUDGESECRETPQDEMOJUDGESECR",
    },
    {
        "email": "member@severn-water.test",
        "full_name": "Morgan Member",
        "role": Role.ORGANISATION_MEMBER,
        "organisation": "Severn Valley Water",
        "totp_secret": None,
    },
]

DEMO_ORGANISATIONS = [
    {
        "name": "Severn Valley Water",
        "sector": Sector.WATER,
        "size": Size.VERY_LARGE,
        "contact_name": "Morgan Member",
        "contact_email": "member@severn-water.test",
    },
]


def current_totp_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return f"{hotp_value(secret, counter):06d}"


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print how to log in as each role."

    @transaction.atomic
    def handle(self, *args, **options):
        organisations = {}
        for data in DEMO_ORGANISATIONS:
            organisation, _ = Organisation.objects.update_or_create(name=data["name"], defaults=data)
            organisations[organisation.name] = organisation

        lines = []
        for person in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                email=person["email"], defaults={"full_name": person["full_name"]}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            account_services.mark_email_verified(user)
            if person["role"] == Role.ORGANISATION_MEMBER:
                Membership.objects.get_or_create(
                    user=user,
                    organisation=organisations[person["organisation"]],
                    ended_at=None,
                    defaults={"role": Membership.Role.ADMIN},
                )
            else:
                account_services.grant_role(user=user, role=person["role"], actor=None)
            line = f"  {Role(person['role']).label:<22} {user.email:<28} password {DEMO_PASSWORD}"
            if person["totp_secret"]:
                self._ensure_totp(user, person["totp_secret"])
                line += (
                    f"\n  {'':<22} TOTP secret {person['totp_secret']} "
                    f"(code now: {current_totp_code(person['totp_secret'])}; "
                    f"later: python manage.py demo_totp {user.email})"
                )
            lines.append(line)

        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/ as:"))
        for line in lines:
            self.stdout.write(line)

    def _ensure_totp(self, user, secret):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
            RecoveryCodes.activate(user)
