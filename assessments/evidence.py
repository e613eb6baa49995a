"""What an evidence file is, judged from its content, and whether it fits.

Pure checks with no database, so that they can be tested (and fuzzed) on
their own; `assessments.services.evidence` calls them. A file is accepted
only when its bytes are a PDF, PNG, JPEG, Office Open XML (.docx, .xlsx,
.pptx) or legacy Office (.doc, .xls, .ppt) document, and its name ends in
the extension of what it really is: the original name is the name it is
downloaded as, so it must open in the program that name promises.
"""

import io
import math
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

from core.errors import ServiceError

MB = 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 10 * MB
DEFAULT_MAX_ASSESSMENT_BYTES = 50 * MB

# Enough for every signature below and the whole OLE2 header.
HEAD_BYTES = 512

NOT_ACCEPTED = "This file is not a PDF, Word, Excel, PowerPoint, PNG or JPEG document."
WITH_MACROS = (
    "This document contains macros, which are not accepted. "
    "Save it as an ordinary .docx, .xlsx or .pptx file and upload that."
)
WITH_PASSWORD = (
    "This document is protected by a password, so the judges could not open it. "
    "Save a copy without the password and upload that."
)


class EvidenceRejected(ServiceError):
    """The file itself is refused: its type, its name or its size."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    kind.key: kind
    for kind in (
        Kind("pdf", "a PDF document", "application/pdf", (".pdf",)),
        Kind(
            "docx",
            "a Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        Kind(
            "xlsx",
            "an Excel workbook",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        Kind(
            "pptx",
            "a PowerPoint presentation",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        Kind("doc", "a Word 97–2003 document", "application/msword", (".doc",)),
        Kind("xls", "an Excel 97–2003 workbook", "application/vnd.ms-excel", (".xls",)),
        Kind("ppt", "a PowerPoint 97–2003 presentation", "application/vnd.ms-powerpoint", (".ppt",)),
        Kind("png", "a PNG image", "image/png", (".png",)),
        Kind("jpeg", "a JPEG image", "image/jpeg", (".jpg", ".jpeg")),
    )
}

# For the file input's `accept` attribute: a hint to the browser, never a check.
ACCEPT = ",".join(
    [ext for kind in KINDS.values() for ext in kind.extensions] + [kind.content_type for kind in KINDS.values()]
)


# Limits ----------------------------------------------------------------------


def max_file_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def max_assessment_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_ASSESSMENT_BYTES", DEFAULT_MAX_ASSESSMENT_BYTES))


def format_size(size: int) -> str:
    """A size as people read it ("300 bytes", "12.4 MB"), rounded up so that
    a file just over a limit never reads as equal to it."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    unit, divisor = ("KB", 1024) if size < MB else ("MB", MB)
    value = math.ceil(size * 10 / divisor) / 10
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def check_size(size: int, *, stored: int, max_file: int, max_total: int) -> None:
    """Refuse an empty file, a file over `max_file` bytes, and a file that
    would take the assessment (already holding `stored` bytes) over `max_total`."""
    if size <= 0:
        raise EvidenceRejected("This file is empty.")
    if size > max_file:
        raise EvidenceRejected(f"This file is {format_size(size)}; a file can be at most {format_size(max_file)}.")
    if stored + size > max_total:
        raise EvidenceRejected(
            f"This file ({format_size(size)}) would take the self-assessment's evidence over its limit of "
            f"{format_size(max_total)}: {format_size(stored)} is already used. "
            "Remove a file that is no longer needed, or make this one smaller."
        )


# Names -----------------------------------------------------------------------


def clean_name(filename: str) -> str:
    """The name to keep and to download the file as: no folders, no control
    or formatting characters (a right-to-left override, U+202E, can make
    "report<U+202E>fdp.exe" read as "reportexe.pdf"), at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if name in ("", ".", ".."):
        return "evidence"
    if len(name) > 255:
        stem, extension = os.path.splitext(name)
        name = stem[: 255 - len(extension)] + extension if len(extension) <= 10 else name[:255]
    return name


def _extension(filename: str) -> str:
    return os.path.splitext(filename.strip().lower())[1]


# Content ---------------------------------------------------------------------


def identify(head: bytes, filename: str, *, file: BinaryIO | None = None) -> tuple[str, str]:
    """The kind ("pdf", "docx", …) and the content type of a file.

    `head` is the start of the file (at least HEAD_BYTES of it, when the file
    is that long). The containers (Office Open XML is a ZIP, legacy Office
    an OLE2 compound file) are looked inside through `file`, the whole file,
    seekable; without it `head` is taken to be the whole file.

    Raises EvidenceRejected when the content is none of the accepted kinds,
    or when the name's extension says something else than the content (a
    PNG named .pdf is refused, not renamed: the person chose the name).
    """
    kind = _kind_of(head, file if file is not None else io.BytesIO(head))
    if kind is None:
        raise EvidenceRejected(NOT_ACCEPTED)
    extension = _extension(filename)
    if extension not in kind.extensions:
        expected = " or ".join(kind.extensions)
        found = f"ends in {extension}" if extension else "has no extension"
        raise EvidenceRejected(
            f"This file is {kind.label}, but its name {found}. Rename it to end in {expected} and upload it again."
        )
    return kind.key, kind.content_type


PDF = re.compile(rb"%PDF-\d\.\d")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"  # the signature and the first chunk, always IHDR
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# What a malformed container can make the parsers raise; anything else is a bug.
_MALFORMED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    OverflowError,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted ZIP member
)


def _kind_of(head: bytes, file: BinaryIO) -> Kind | None:
    if PDF.match(head):
        return KINDS["pdf"]
    if head.startswith(PNG_SIGNATURE):
        return KINDS["png"]
    if head.startswith(JPEG_SIGNATURE):
        return KINDS["jpeg"]
    try:
        if head.startswith(ZIP_SIGNATURE):
            return _office_open_xml(file)
        if head.startswith(OLE2_SIGNATURE):
            return _legacy_office(file)
    except _MALFORMED:
        return None
    finally:
        file.seek(0)
    return None


# Office Open XML: a ZIP whose [Content_Types].xml names the main part, in
# word/, xl/ or ppt/, and that part is in the archive.

MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ("docx", "word/document.xml"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xlsx", "xl/workbook.xml"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "pptx",
        "ppt/presentation.xml",
    ),
}
FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
MACRO_PARTS = {
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml",
}
CONTENT_TYPES_MAX_BYTES = 1 * MB  # real ones are a few KB; never inflate a bomb

# Attributes read with regular expressions rather than an XML parser: no
# entities, no DTDs, nothing that an uploaded file could make expensive.
_ELEMENT = re.compile(r"<(?:[\w.-]+:)?(Override|Default)\b([^>]*)>")
_ATTRIBUTE = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _office_open_xml(file: BinaryIO) -> Kind | None:
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        members = {info.filename.lower(): info for info in archive.infolist()}
        info = members.get("[content_types].xml")
        if info is None or info.file_size > CONTENT_TYPES_MAX_BYTES:
            return None
        with archive.open(info) as part:
            content_types = part.read(CONTENT_TYPES_MAX_BYTES + 1)
    if len(content_types) > CONTENT_TYPES_MAX_BYTES:
        return None
    text = content_types.decode("utf-16" if content_types[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8")
    for element, attributes in _ELEMENT.findall(text):
        values = {name: double or single for name, double, single in _ATTRIBUTE.findall(attributes)}
        content_type = values.get("ContentType", "").strip().lower()
        if content_type in MACRO_PARTS:
            raise EvidenceRejected(WITH_MACROS)
        if content_type not in MAIN_PARTS:
            continue
        key, usual_part = MAIN_PARTS[content_type]
        if element == "Override":
            part = values.get("PartName", "").strip().lstrip("/").lower()
        elif values.get("Extension", "").lower() == "xml":
            part = usual_part
        else:
            continue
        if part.startswith(FOLDERS[key]) and part in members:
            return KINDS[key]
    return None


# Legacy Office: an OLE2 compound file, like installers (.msi) and Outlook
# messages, told apart by the streams in its root storage.

_SECTOR_LIMIT = 0xFFFFFFFA  # higher numbers mark free sectors and chain ends
_NO_ENTRY = 0xFFFFFFFF
_MAX_DIRECTORY_ENTRIES = 65536
LEGACY_STREAMS = (
    ("worddocument", "doc"),
    ("workbook", "xls"),
    ("book", "xls"),  # Excel 5
    ("powerpoint document", "ppt"),
)


def _legacy_office(file: BinaryIO) -> Kind | None:
    names = _root_stream_names(file)
    if "encryptedpackage" in names:  # a .docx, .xlsx or .pptx with a password
        raise EvidenceRejected(WITH_PASSWORD)
    for stream, key in LEGACY_STREAMS:
        if stream in names:
            return KINDS[key]
    return None


def _root_stream_names(file: BinaryIO) -> set[str]:
    """The lower-cased names of the root storage's children, read from the
    compound file's directory (MS-CFB): the header gives the sector size,
    the FAT sectors and the first directory sector; the FAT chains the
    directory's sectors; directory entries form a tree of siblings."""
    file.seek(0)
    header = file.read(512)
    major_version, byte_order, sector_shift = struct.unpack_from("<HHH", header, 0x1A)
    if byte_order != 0xFFFE:
        return set()
    if (major_version, sector_shift) not in ((3, 9), (4, 12)):
        return set()
    sector_size = 1 << sector_shift
    per_sector = sector_size // 4
    fat_count, first_directory = struct.unpack_from("<II", header, 0x2C)
    first_difat = struct.unpack_from("<I", header, 0x44)[0]

    def sector(number: int) -> bytes:
        if number > _SECTOR_LIMIT:
            raise ValueError("not a sector")
        file.seek((number + 1) * sector_size)
        data = file.read(sector_size)
        if len(data) != sector_size:
            raise EOFError("truncated")
        return data

    file.seek(0, io.SEEK_END)
    sectors_in_file = file.tell() // sector_size
    if fat_count > sectors_in_file:
        raise ValueError("more FAT sectors than the file holds")
    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))
    next_difat, difat_seen = first_difat, set()
    while len(fat_sectors) < fat_count and next_difat <= _SECTOR_LIMIT:
        if next_difat in difat_seen:
            raise ValueError("DIFAT chain loops")
        difat_seen.add(next_difat)
        entries = struct.unpack(f"<{per_sector}I", sector(next_difat))
        fat_sectors.extend(entries[:-1])
        next_difat = entries[-1]
    fat_sectors = fat_sectors[:fat_count]

    fat_cache: dict[int, tuple[int, ...]] = {}

    def next_sector(number: int) -> int:
        index = number // per_sector
        if index not in fat_cache:
            fat_cache[index] = struct.unpack(f"<{per_sector}I", sector(fat_sectors[index]))
        return fat_cache[index][number % per_sector]

    directory = bytearray()
    seen: set[int] = set()
    number = first_directory
    while number <= _SECTOR_LIMIT:
        if number in seen or len(directory) // 128 >= _MAX_DIRECTORY_ENTRIES:
            raise ValueError("directory chain loops or is too long")
        seen.add(number)
        directory += sector(number)
        number = next_sector(number)

    def entry(index: int) -> tuple[str, int, int, int, int]:
        offset = index * 128
        if offset + 128 > len(directory):
            raise IndexError("no such directory entry")
        name_length, object_type = struct.unpack_from("<HB", directory, offset + 0x40)
        left, right, child = struct.unpack_from("<III", directory, offset + 0x44)
        name_length = min(max(name_length - 2, 0), 62) & ~1  # in bytes, without the final NUL
        name = bytes(directory[offset : offset + name_length]).decode("utf-16-le", errors="replace")
        return name, object_type, left, right, child

    _, root_type, _, _, first_child = entry(0)
    if root_type != 5:  # the root storage
        return set()
    names: set[str] = set()
    pending, visited = [first_child], set()
    while pending:
        index = pending.pop()
        if index == _NO_ENTRY or index in visited:
            continue
        visited.add(index)
        name, object_type, left, right, _ = entry(index)
        if object_type in (1, 2):  # a storage or a stream
            names.add(name.lower())
        pending.extend((left, right))
    return names
