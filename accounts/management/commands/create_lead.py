"""The first programme lead of a new site (README, "Security"):

    manage.py create_lead lena@example.org --name "Lena Lead"

Use this, not `createsuperuser`: the lead gets the role through the audited
service, no password is typed on the server (the person chooses it from
the e-mailed link), and two-factor set-up is asked for at first sign-in.
"""

from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.forms import ValidationError

from accounts.services import create_lead
from core.errors import ServiceError


class Command(BaseCommand):
    help = "Make a programme lead: a new account (a password-set link is e-mailed) or an existing one."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="The person's full name (for a new account).")

    def handle(self, *args, email, name, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an e-mail address.") from error
        try:
            with transaction.atomic():
                user, created = create_lead(email=email, full_name=name)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(
                f"{user.email} is a programme lead. A link to choose a password was e-mailed to them; "
                "they set up two-factor authentication when they first sign in."
            )
        else:
            self.stdout.write(f"{user.email} already had an account and is now a programme lead.")
