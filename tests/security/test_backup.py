"""Backups: `manage.py backup` and `manage.py restore` (make backup, make
restore FILE=…) round-trip every table, every sequence and every uploaded
file exactly, on SQLite and on PostgreSQL (CI runs this file in both passes)."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import User
from assessments.models import EvidenceFile, Response, SelfAssessment
from core import audit
from core.models import AuditEvent
from organisations.models import Organisation
from portal import backups
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_lead, make_member

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def database_contents() -> dict:
    """Every row of every table (sorted, so that the order rows come back in
    does not matter) and where every sequence stands."""
    contents = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            tables.append("sqlite_sequence")
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - table names from the database itself
            columns = [column[0] for column in cursor.description]
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]
            contents[table] = (columns, sorted(rows, key=repr))
        if connection.vendor == "postgresql":
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename")
            contents["(sequences)"] = cursor.fetchall()
    return contents


def media_contents(media: Path) -> dict[str, bytes]:
    return {path.relative_to(media).as_posix(): path.read_bytes() for path in media.rglob("*") if path.is_file()}


def build_programme():
    """Some of everything: people, an organisation with an accented name, a
    cohort with its timeline, a self-assessment with evidence files, audit
    entries, and deleted rows so that sequences stand above the highest id."""
    lead = make_lead(email="lead@example.org", full_name="Siân Llewellyn")
    cohort = make_cohort(number=3, phase="self_assessment")
    organisation = OrganisationFactory(name="Dŵr Cymru Welsh Water", contact_phone="029 2074 0450")
    enrolment = EnrolmentFactory(cohort=cohort, organisation=organisation)
    member = make_member(organisation=organisation, email="member@example.org")
    assessment = SelfAssessment.objects.create(enrolment=enrolment)
    for position, criterion in enumerate(cohort.framework.criteria.filter(judging_only=False)):
        response = Response.objects.create(
            assessment=assessment,
            criterion=criterion,
            level=1 + position % 5,
            narrative=f"Réponse nº{position}: “quotes”, emoji 🚰, and a NUL-free\nsecond line.",
            updated_by=member,
        )
        if position < 2:
            evidence = EvidenceFile(
                response=response,
                original_name=f"Évidence {position}.pdf",
                content_type="application/pdf",
                size=len(PDF) + position,
                uploaded_by=member,
            )
            evidence.file.save("x", ContentFile(PDF + bytes([position])), save=False)
            evidence.save()
    audit.record(actor=lead, action="cohort.updated", obj=cohort, before={"sponsor": ""}, after={"sponsor": "Ærø"})
    for name in ("Spare One", "Spare Two"):
        Organisation.objects.create(name=name, sector="other")
    Organisation.objects.filter(name__startswith="Spare").delete()  # the sequence stays ahead
    return lead, organisation, assessment


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_every_table_sequence_and_file(media, tmp_path, capsys):
    lead, organisation, assessment = build_programme()
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "award-report.pdf").write_bytes(PDF * 3)
    tables_before, files_before = database_contents(), media_contents(media)

    call_command("backup", output_dir=str(tmp_path / "backups"))
    archive = Path(capsys.readouterr().out.strip())

    # Things go wrong: rows changed, added and deleted; files lost and added.
    User.objects.filter(pk=lead.pk).update(full_name="Someone Else")
    Organisation.objects.create(name="Added after the backup", sector="other")
    Response.objects.filter(assessment=assessment).update(narrative="overwritten")
    EvidenceFile.objects.filter(response__assessment=assessment).first().file.delete(save=True)
    audit.record(actor=None, action="cohort.updated", after={"sponsor": "late"})
    (media / "stray.txt").write_text("not in the backup")
    (media / "documents" / "award-report.pdf").unlink()

    call_command("restore", str(archive), interactive=False)
    restored = capsys.readouterr().out

    assert database_contents() == tables_before
    assert media_contents(media) == files_before
    assert restored.startswith(f"Restored the {connection.vendor} database and 3 uploaded file(s) backed up at ")
    # The restored database carries on where it was: the next id follows the deleted rows.
    spare = Organisation.objects.create(name="After the restore", sector="other")
    assert spare.pk == organisation.pk + 3
    assert AuditEvent.objects.filter(after__sponsor="late").count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_archive_is_named_by_the_time_readable_by_its_owner_only_and_lists_its_contents(media, tmp_path):
    build_programme()

    archive = backups.create_backup(directory=tmp_path / "backups")

    assert archive.name.startswith("pq-") and archive.name.endswith(".tar.gz")
    assert len(archive.name) == len("pq-YYYYMMDD-HHMMSS.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as bundle:
        names = bundle.getnames()
        manifest = json.load(bundle.extractfile("manifest.json"))
    database = "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"
    assert manifest["engine"] == connection.vendor
    assert manifest["database"] == database
    assert manifest["migrations"]["frameworks"] >= "0002"
    assert sorted(manifest["sha256"]) == sorted(name for name in names if name not in ("manifest.json", "media"))
    assert manifest["media_files"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_damaged_or_foreign_archive_changes_nothing(media, tmp_path):
    build_programme()
    archive = backups.create_backup(directory=tmp_path / "backups")
    before = database_contents()
    files = media_contents(media)

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("media/") and member.isfile():
                data = b"tampered" + data
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data) if data is not None else None)
    escaping = tmp_path / "escaping.tar.gz"
    with tarfile.open(escaping, "w:gz") as bundle:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 2
        bundle.addfile(info, io.BytesIO(b"hi"))

    with pytest.raises(CommandError, match="do not match its manifest"):
        call_command("restore", str(damaged), interactive=False)
    with pytest.raises(CommandError, match="unsafe path"):
        call_command("restore", str(escaping), interactive=False)
    with pytest.raises(CommandError, match="There is no backup at"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), interactive=False)

    assert database_contents() == before
    assert media_contents(media) == files
    assert not (tmp_path / "outside.txt").exists()


def test_restore_asks_before_replacing_everything(monkeypatch, tmp_path):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match=r"Nothing was restored\."):
        call_command("restore", str(tmp_path / "pq-20270101-000000.tar.gz"))
