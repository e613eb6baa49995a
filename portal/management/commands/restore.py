from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: replaces the whole database and every uploaded file. "
        "Stop the web processes and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The pq-YYYYMMDD-HHMMSS.tar.gz to restore.")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation.")

    def handle(self, *args, archive, interactive=True, **options):
        if interactive:
            answer = input(
                f"This replaces the whole database and every uploaded file with the contents of {archive}.\n"
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        try:
            manifest = backups.restore_backup(archive=Path(archive))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the {manifest['engine']} database and {manifest['media_files']} uploaded file(s) "
            f"backed up at {manifest['created_at']}."
        )
