"""Backups: the database and the uploaded files together, in one archive.

`pq-YYYYMMDD-HHMMSS.tar.gz` holds:

- `manifest.json`: the format, the database engine, when it was made, the
  latest migration of each app, and a SHA-256 of every other member;
- the database, in the engine's own exact format:
  - SQLite: `database.sqlite3`, a copy made with SQLite's online backup
    API (consistent even while the site writes);
  - PostgreSQL: `database.pgdump`, from `pg_dump --format=custom`: every
    table, row, sequence value, constraint and index, restored with
    `pg_restore --clean --single-transaction`. Django's dumpdata/loaddata
    would not do: it skips tables without models (the cache table), and
    loaddata sets sequences to the highest id rather than where they were;
- `media/`: the uploaded files (MEDIA_ROOT), byte for byte.

A backup restores into the same engine (SQLite into SQLite, PostgreSQL into
PostgreSQL), with the same version of the code (the manifest says which
migrations it holds). Restoring replaces the whole database and the whole
of MEDIA_ROOT; stop the web processes and workers first.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEDIA_MEMBER = "media"


class BackupError(Exception):
    """A backup or a restore could not be made; the message says why."""


def default_directory() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _postgres_environment(alias: str = "default") -> dict[str, str]:
    """pg_dump and pg_restore read the connection from the environment, so
    that the password never appears in a process list."""
    database = connections[alias].settings_dict
    environment = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            environment[variable] = str(database[key])
    environment["PGDATABASE"] = database["NAME"]
    return environment


def _run(command: list[str], *, environment: dict[str, str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    # pg_dump or pg_restore, found on PATH, with arguments as a list: no shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [program, *command[1:]], env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _migrations(alias: str = "default") -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _dump_database(folder: Path, engine: str) -> Path:
    connection = connections["default"]
    if engine == "sqlite":
        target = folder / SQLITE_MEMBER
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    target = folder / POSTGRES_MEMBER
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        environment=_postgres_environment(),
    )
    return target


def create_backup(*, directory: Path | None = None, now: datetime | None = None) -> Path:
    """Write an archive of the database and MEDIA_ROOT into `directory`
    (var/backups by default) and return its path. The archive is written
    under a temporary name and renamed when complete, readable by its owner
    only."""
    engine = _engine()
    directory = Path(directory or default_directory())
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    final = directory / f"pq-{stamp}.tar.gz"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="pq-backup-") as work:
        database = _dump_database(Path(work), engine)
        media_files = sorted(path for path in media_root.rglob("*") if path.is_file()) if media_root.exists() else []
        checksums = {database.name: _sha256(database)}
        for path in media_files:
            checksums[f"{MEDIA_MEMBER}/{path.relative_to(media_root).as_posix()}"] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "migrations": _migrations(),
            "database": database.name,
            "media_files": len(media_files),
            "sha256": checksums,
        }
        partial = directory / f".{final.name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as stream, tarfile.open(fileobj=stream, mode="w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            archive.add(database, arcname=database.name, recursive=False)
            _add_bytes(archive, f"{MEDIA_MEMBER}/", b"", directory=True)
            for path in media_files:
                archive.add(path, arcname=f"{MEDIA_MEMBER}/{path.relative_to(media_root).as_posix()}", recursive=False)
        partial.replace(final)
    return final


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, *, directory: bool = False) -> None:
    info = tarfile.TarInfo(name.rstrip("/"))
    info.mtime = int(timezone.now().timestamp())
    if directory:
        info.type, info.mode = tarfile.DIRTYPE, 0o700
        archive.addfile(info)
    else:
        info.size, info.mode = len(data), 0o600
        archive.addfile(info, io.BytesIO(data))


# Restoring ------------------------------------------------------------------------


def _safe_member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"The archive holds an unsafe path: {name!r}.")
    return path


def _unpack(archive_path: Path, folder: Path) -> dict:
    """Unpack the archive into `folder` (regular files and folders only,
    no path outside it), check every checksum, and return the manifest."""
    try:
        archive = tarfile.open(archive_path, mode="r:gz")  # noqa: SIM115 - closed by the `with` below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{archive_path} is not a backup archive: {error}") from error
    with archive:
        for member in archive.getmembers():
            relative = _safe_member_path(member.name)
            target = folder.joinpath(*relative.parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                with source, target.open("wb") as stream:
                    shutil.copyfileobj(source, stream)
            else:
                raise BackupError(f"The archive holds something that is not a file: {member.name!r}.")
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{archive_path} has no manifest: it is not a backup made by `make backup`.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup has format {manifest.get('format')}; this version reads format {FORMAT}.")
    found = {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in folder.rglob("*")
        if path.is_file() and path != manifest_path
    }
    if found != manifest["sha256"]:
        raise BackupError("The archive's contents do not match its manifest: it is damaged or incomplete.")
    return manifest


def _load_database(folder: Path, manifest: dict) -> None:
    connections.close_all()
    connection = connections["default"]
    if manifest["engine"] == "sqlite":
        source = sqlite3.connect(folder / SQLITE_MEMBER)
        try:
            (status,) = source.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise BackupError(f"The database in the archive is damaged: {status}")
            target = sqlite3.connect(connection.settings_dict["NAME"])
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        return
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(folder / POSTGRES_MEMBER),
        ],
        environment=_postgres_environment(),
    )


def _replace_media(folder: Path) -> None:
    """Make MEDIA_ROOT hold exactly the archive's files. MEDIA_ROOT itself
    stays (it may be a mount point): its contents are replaced."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    unpacked = folder / MEDIA_MEMBER
    if unpacked.is_dir():
        for child in unpacked.iterdir():
            shutil.move(str(child), media_root / child.name)


def restore_backup(*, archive: Path) -> dict:
    """Replace the database and MEDIA_ROOT with the archive's. The archive
    is unpacked and checked first, so that a damaged one changes nothing;
    PostgreSQL restores in one transaction. Returns the manifest."""
    engine = _engine()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"There is no backup at {archive}.")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked next to MEDIA_ROOT, so that moving the files in is a rename.
    with tempfile.TemporaryDirectory(prefix=".pq-restore-", dir=media_root.parent) as work:
        folder = Path(work)
        manifest = _unpack(archive, folder)
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup is of a {manifest['engine']} database; this site uses {engine}. "
                "Restore it into the same kind of database."
            )
        _load_database(folder, manifest)
        _replace_media(folder)
    return manifest
