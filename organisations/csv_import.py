"""Reading a CSV file of organisations and their main contacts.

Pure: bytes or text in, rows with their problems out; no database. The
service (cohorts.services.imports) passes in the one thing that needs the
database, the names already taken, and does the saving.

Two kinds of problem: a file that cannot be read at all (wrong encoding,
binary, empty, wrong header, too many rows) raises ImportFileError with a
message for the person who uploaded it; a row that can be read but is wrong
(bad e-mail address, unknown sector, duplicate name, missing value) carries
its errors, so that the preview can show every one of them at once.
"""

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from organisations.models import Sector, Size

COLUMNS = ("name", "sector", "size", "contact_name", "contact_email", "contact_phone", "website")
# These may be left out of the header, or left empty on a row.
OPTIONAL_COLUMNS = ("size", "contact_phone", "website")
REQUIRED_COLUMNS = tuple(name for name in COLUMNS if name not in OPTIONAL_COLUMNS)
COLUMN_LABELS = {
    "name": "name",
    "sector": "sector",
    "size": "size",
    "contact_name": "contact name",
    "contact_email": "contact e-mail address",
    "contact_phone": "telephone",
    "website": "website",
}
MAX_LENGTHS = {"name": 200, "contact_name": 200, "contact_email": 254, "contact_phone": 40, "website": 200}
DELIMITERS = (",", ";", "\t")
SAVE_AS_UTF8 = (
    "In Excel, choose File › Save As (or Save a Copy) and pick “CSV UTF-8 (Comma delimited) (*.csv)”; "
    "in Numbers or Google Sheets, export or download as CSV, which is UTF-8 already. Then upload that file."
)

_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])


class ImportFileError(Exception):
    """The file as a whole cannot be imported. The message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportRow:
    number: int  # the row in the spreadsheet: the header is row 1
    values: dict[str, str]  # as written in the file, trimmed
    sector: str = ""  # the Sector value, once recognised
    size: str = ""  # the Size value, once recognised (or blank)
    website: str = ""  # with a scheme added when the file gave none
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.values["name"]

    @property
    def sector_label(self) -> str:
        """The recognised sector's label, or what the file says."""
        return Sector(self.sector).label if self.sector else self.values["sector"]

    @property
    def size_label(self) -> str:
        return Size(self.size).label if self.size else self.values["size"]

    @property
    def key(self) -> str:
        """The name as compared for duplicates: case and spacing ignored."""
        return name_key(self.name)

    def organisation_fields(self) -> dict[str, str]:
        return {
            "name": self.name,
            "sector": self.sector,
            "size": self.size,
            "contact_name": self.values["contact_name"],
            "contact_email": self.values["contact_email"].lower(),
            "contact_phone": self.values["contact_phone"],
            "website": self.website,
        }


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    ignored_columns: list[str]

    @property
    def rows_with_errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.rows_with_errors


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def decode(data: bytes) -> str:
    """The file's text, or ImportFileError saying how to fix the file.

    UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" writes one).
    """
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError("The file is empty. Upload a CSV file with a header row and one row per organisation.")
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError("This is an Excel workbook (or another zipped file), not a CSV file. " + SAVE_AS_UTF8)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "This file is saved as UTF-16 (Excel calls it “Unicode Text”), not as a UTF-8 CSV file. " + SAVE_AS_UTF8
        )
    if b"\x00" in data[:8192]:
        raise ImportFileError(
            "This does not look like a CSV file: it contains binary data. "
            "Upload a spreadsheet saved as CSV. " + SAVE_AS_UTF8
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not saved as UTF-8 text (the first character we could not read is on line {line}), "
            "so names with accents or symbols such as £ would come out wrong. " + SAVE_AS_UTF8
        ) from None
    if _looks_binary(text):
        raise ImportFileError(
            "This does not look like a CSV file: it contains binary data. "
            "Upload a spreadsheet saved as CSV. " + SAVE_AS_UTF8
        )
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    control = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n")
    return control > max(2, len(sample) // 100)


def normalise_header(name: str) -> str:
    """ " Contact E-mail " → "contact_email"."""
    name = name.strip().lstrip("\ufeff").casefold().replace("-", "")
    return re.sub(r"[\s_]+", "_", name).strip("_")


def _split_first_line(text: str, delimiter: str) -> list[str]:
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    return next(csv.reader([first_line], delimiter=delimiter), [])


def detect_delimiter(text: str) -> str:
    """The delimiter that makes the most of the header row into known column
    names: commas, or semicolons (Excel in many European locales), or tabs.
    A header we cannot recognise either way is read with commas."""
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        score = len({normalise_header(cell) for cell in _split_first_line(text, delimiter)} & set(COLUMNS))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _allowed(choices) -> str:
    return ", ".join(label for _value, label in choices)


def _choice_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        for spelling in (value, value.replace("_", " "), label):
            lookup[spelling.casefold()] = value
    lookup.update(extra or {})
    return lookup


SECTOR_LOOKUP = _choice_lookup(Sector.choices)
SIZE_LOOKUP = _choice_lookup(Size.choices)


def parse(text: str, *, max_rows: int, existing_names: Collection[str] = ()) -> ParsedFile:
    """Read the file's rows and check each one.

    `existing_names` are names of organisations already saved, as name_key()
    gives them. Raises ImportFileError for a file that cannot be imported at
    all (no rows, wrong header, more than `max_rows` rows, not CSV).
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("The file is empty. Upload a CSV file with a header row and one row per organisation.")
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
        columns = _check_header(header)
        records = []
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                records.append((number, cells))
                if len(records) > max_rows:
                    # Count the rest without checking them: the message says how many there are.
                    total = len(records) + sum(1 for cells in reader if any(cell.strip() for cell in cells))
                    raise ImportFileError(
                        f"The file has {total:,} organisations, more than the {max_rows:,} that can be imported "
                        f"at once. Split it into files of at most {max_rows:,} rows and import them one by one."
                    )
    except csv.Error as error:
        raise ImportFileError(
            f"The file could not be read as CSV near line {reader.line_num}: {error}. "
            "Check that it is a spreadsheet saved as CSV."
        ) from None
    if not records:
        raise ImportFileError(
            "The file has a header row but no organisations. Add one row per organisation under the header."
        )
    rows = [_check_row(number, cells, columns, len(header)) for number, cells in records]
    _flag_duplicates(rows, existing_names)
    ignored = [cell.strip() for index, cell in enumerate(header) if index not in columns.values() and cell.strip()]
    return ParsedFile(rows=rows, ignored_columns=ignored)


def expected_columns_text() -> str:
    return f"{', '.join(COLUMNS)} ({', '.join(OPTIONAL_COLUMNS[:-1])} and {OPTIONAL_COLUMNS[-1]} may be left out)"


def _check_header(header: list[str]) -> dict[str, int]:
    """Column name → index in the row."""
    columns: dict[str, int] = {}
    repeated = []
    for index, cell in enumerate(header):
        name = normalise_header(cell)
        if name in COLUMNS:
            if name in columns:
                repeated.append(name)
            else:
                columns[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(cell.strip() for cell in header if cell.strip()) or "nothing"
        raise ImportFileError(
            f"The header row is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
            f"The first row must name the columns {expected_columns_text()}; "
            f"it has: {found}."
        )
    if repeated:
        raise ImportFileError(
            f"The header row names {', '.join(sorted(set(repeated)))} more than once: keep one column of each."
        )
    return columns


def _check_row(number: int, cells: list[str], columns: dict[str, int], width: int) -> ImportRow:
    values = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
    for name in OPTIONAL_COLUMNS:
        values.setdefault(name, "")
    values["name"] = " ".join(values["name"].split())
    row = ImportRow(number=number, values=values)
    errors = row.errors
    extra = [cell for cell in cells[width:] if cell.strip()]
    if extra:
        errors.append(
            f"The row has {len(cells)} values but the header has {width} columns: "
            "check for a comma or semicolon inside a value that is not in quotes."
        )
    for name in COLUMNS:
        if name not in OPTIONAL_COLUMNS and not values[name]:
            errors.append(f"The {COLUMN_LABELS[name]} is missing.")
        elif name in MAX_LENGTHS and len(values[name]) > MAX_LENGTHS[name]:
            errors.append(f"The {COLUMN_LABELS[name]} is too long (at most {MAX_LENGTHS[name]} characters).")

    if values["sector"]:
        row.sector = SECTOR_LOOKUP.get(" ".join(values["sector"].split()).casefold(), "")
        if not row.sector:
            errors.append(f"Unknown sector “{values['sector']}”: use one of {_allowed(Sector.choices)}.")
    if values["size"]:
        row.size = SIZE_LOOKUP.get(" ".join(values["size"].split()).casefold(), "")
        if not row.size:
            errors.append(
                f"Unknown size “{values['size']}”: leave it empty or use one of "
                + ", ".join(f"{value} ({label})" for value, label in Size.choices)
                + "."
            )
    email = values["contact_email"]
    if email and len(email) <= MAX_LENGTHS["contact_email"]:
        try:
            _email_validator(email)
        except ValidationError:
            errors.append(f"“{email}” is not a valid e-mail address.")
    website = values["website"]
    if website and len(website) <= MAX_LENGTHS["website"]:
        row.website = website if "://" in website else f"https://{website}"
        try:
            _url_validator(row.website)
        except ValidationError:
            errors.append(f"“{website}” is not a valid website address.")
    return row


def _flag_duplicates(rows: list[ImportRow], existing_names: Collection[str]) -> None:
    first_seen: dict[str, int] = {}
    for row in rows:
        if not row.name:
            continue
        key = row.key
        if key in existing_names:
            row.errors.append(f"An organisation called “{row.name}” already exists.")
        if key in first_seen:
            row.errors.append(f"Duplicate name: “{row.name}” is also on row {first_seen[key]}.")
        else:
            first_seen[key] = row.number
