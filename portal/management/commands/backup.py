from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite or PostgreSQL) and the uploaded files together into one archive, "
        "var/backups/pq-YYYYMMDD-HHMMSS.tar.gz by default. Prints the archive's path."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", help="Where to write the archive (default: var/backups).")

    def handle(self, *args, output_dir=None, **options):
        try:
            path = backups.create_backup(directory=Path(output_dir) if output_dir else None)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
