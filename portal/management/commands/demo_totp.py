from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError

from portal.management.commands.seed_demo import DEMO_PEOPLE, current_totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo data only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        secrets = {person["email"]: person["totp_secret"] for person in DEMO_PEOPLE if person["totp_secret"]}
        if email not in secrets:
            raise CommandError(f"{email} is not a demo account with two-factor authentication.")
        if not Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists():
            raise CommandError("Run `python manage.py seed_demo` first.")
        self.stdout.write(current_totp_code(secrets[email]))
