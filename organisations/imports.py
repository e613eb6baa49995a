"""Bulk import of organisations and their main contacts from a CSV file.

Two steps: upload (the file is checked and kept, nothing else is saved) and,
after the lead has seen the preview, confirm (every row or none).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core import audit
from core.errors import ServiceError
from organisations import csv_import
from organisations import services as organisation_services
from organisations.models import Organisation, OrganisationImport

MAX_FILE_BYTES = 5 * 1024 * 1024


def max_rows() -> int:
    return getattr(settings, "ORGANISATION_IMPORT_MAX_ROWS", 2000)


def existing_name_keys() -> set[str]:
    """Every saved organisation's name as csv_import.name_key gives it
    (compared in Python: SQLite's LOWER() knows only ASCII)."""
    return {csv_import.name_key(name) for name in Organisation.objects.values_list("name", flat=True)}


def read_file(data: bytes) -> str:
    """The file's text, checked as a whole. Raises ServiceError saying what is
    wrong with the file and how to fix it."""
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
            f"Import at most {max_rows():,} organisations at a time."
        )
    try:
        text = csv_import.decode(data)
        csv_import.parse(text, max_rows=max_rows())
    except csv_import.ImportFileError as error:
        raise ServiceError(error.message) from None
    return text


@dataclass(frozen=True)
class EnrolmentTarget:
    """How an import enrols its organisations in a cohort. Cohorts are above
    organisations, so the cohorts app provides this when it loads
    (CohortsConfig.ready) and the import only calls it."""

    open_cohorts: Callable[[], QuerySet]  # the cohorts still taking enrolments, for the upload form
    refusal: Callable[[Any], str | None]  # why a cohort takes no enrolments now (None: it does)
    enrol: Callable[..., Any]  # enrol(cohort=, organisations=, actor=), audited by cohorts


_enrolment_target: EnrolmentTarget | None = None


def register_enrolment_target(target: EnrolmentTarget) -> None:
    global _enrolment_target
    _enrolment_target = target


def enrolment_target() -> EnrolmentTarget:
    if _enrolment_target is None:
        raise RuntimeError("No enrolment target: the cohorts app registers one when it loads.")
    return _enrolment_target


def _check_cohort(cohort) -> None:
    refusal = cohort is not None and enrolment_target().refusal(cohort)
    if refusal:
        raise ServiceError(refusal)


@transaction.atomic
def upload(*, data: bytes, file_name: str, cohort, actor) -> OrganisationImport:
    """Keep an uploaded file for its preview.

    Side effects: an OrganisationImport and an audit entry; nothing at all
    when the file cannot be read (ServiceError says why). Rows with errors
    are kept: the preview lists them.
    """
    text = read_file(data)
    _check_cohort(cohort)
    organisation_import = OrganisationImport.objects.create(
        uploaded_by=actor, file_name=file_name[:255], content=text, cohort=cohort
    )
    audit.record(
        actor=actor,
        action="organisation_import.uploaded",
        obj=organisation_import,
        after={"file_name": organisation_import.file_name, "cohort": cohort.number if cohort else None},
    )
    return organisation_import


def preview(organisation_import: OrganisationImport) -> csv_import.ParsedFile:
    """The file's rows with their errors, checked against the organisations
    saved now. Raises ServiceError when the file as a whole cannot be imported."""
    try:
        return csv_import.parse(organisation_import.content, max_rows=max_rows(), existing_names=existing_name_keys())
    except csv_import.ImportFileError as error:
        raise ServiceError(error.message) from None


def confirm(*, organisation_import: OrganisationImport, actor) -> list[Organisation]:
    """Import every row of the file, or none.

    Side effects, in one transaction: one Organisation per row; an invitation
    of each main contact as organisation admin (the e-mails go out after
    commit); enrolment in the import's cohort when one was chosen; audit
    entries for each; the OrganisationImport marked imported. Refuses (saving
    nothing) when any row has an error or the file was already imported.
    """
    try:
        return _confirm(organisation_import=organisation_import, actor=actor)
    except IntegrityError:
        # Someone saved an organisation with one of these names between the
        # check and the insert.
        raise ServiceError(
            "Another organisation with one of these names was saved meanwhile. Nothing was imported: "
            "look at the preview again."
        ) from None


@transaction.atomic
def _confirm(*, organisation_import: OrganisationImport, actor) -> list[Organisation]:
    organisation_import = OrganisationImport.objects.select_for_update().get(pk=organisation_import.pk)
    if organisation_import.imported_at is not None:
        when = timezone.localtime(organisation_import.imported_at)
        raise ServiceError(
            f"This file was already imported on {when:%-d %B %Y at %H:%M} "
            f"({organisation_import.imported_count} organisations). Nothing was imported again."
        )
    parsed = preview(organisation_import)
    broken = parsed.rows_with_errors
    if broken:
        raise ServiceError(
            f"{len(broken)} of {len(parsed.rows)} rows have errors, so nothing was imported. "
            "Fix them in the spreadsheet and upload the file again."
        )
    cohort = organisation_import.cohort
    _check_cohort(cohort)
    note = f"Imported from {organisation_import.file_name}"
    organisations = []
    for row in parsed.rows:
        organisations.append(
            organisation_services.create_organisation(
                actor=actor, invite_contact=True, note=note, **row.organisation_fields()
            )
        )
    if cohort is not None:
        enrolment_target().enrol(cohort=cohort, organisations=organisations, actor=actor)
    organisation_import.imported_at = timezone.now()
    organisation_import.imported_count = len(organisations)
    organisation_import.save(update_fields=["imported_at", "imported_count"])
    audit.record(
        actor=actor,
        action="organisation_import.imported",
        obj=organisation_import,
        after={
            "file_name": organisation_import.file_name,
            "organisations": len(organisations),
            "cohort": cohort.number if cohort else None,
        },
    )
    return organisations
