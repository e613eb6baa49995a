"""Evidence files: what is accepted (judged from the content), the limits,
the lock and the deadline, who may download, and the widget."""

import io
import re
import struct
import zipfile
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from assessments import evidence
from assessments.evidence import EvidenceRejected, identify
from assessments.models import EvidenceFile, Response, SelfAssessment
from assessments.services.evidence import LOCKED, add_evidence, remove_evidence
from cohorts.services import programme
from core.errors import ServiceError
from core.models import AuditEvent
from frameworks.models import Criterion, Framework
from tests.factories import EnrolmentFactory, make_cohort, make_member

pytestmark = pytest.mark.django_db  # tests/conftest.py clears the cache before the db fixture would allow it

NOT_ACCEPTED = "This file is not a PDF, Word, Excel, PowerPoint, PNG or JPEG document."

# Minimal real files ------------------------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 79, 108)).save(buffer, kind)
    return buffer.getvalue()


MAIN_TYPES = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
}


def office(kind: str, *, with_main_part: bool = True) -> bytes:
    """An Office Open XML package as Office writes it: [Content_Types].xml
    naming the main part, the package relationships and the main part."""
    part, content_type = MAIN_TYPES[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" ContentType="{content_type}"/>'
            "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{part}"/></Relationships>',
        )
        if with_main_part:
            package.writestr(part, '<?xml version="1.0" encoding="UTF-8"?><root/>')
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not an Office document")
    return buffer.getvalue()


OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
FREE, END_OF_CHAIN, FAT_SECTOR, NO_ENTRY = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(name: str, object_type: int, *, right: int = NO_ENTRY, child: int = NO_ENTRY) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), object_type, 1 if object_type else 0)
        + struct.pack("<III", NO_ENTRY, right, child)
        + bytes(16 + 4 + 8 + 8)
        + struct.pack("<IQ", END_OF_CHAIN if object_type else 0, 0)
    )


def compound_file(*streams: str) -> bytes:
    """An OLE2 compound file (MS-CFB, version 3) whose root storage holds
    empty streams with these names: the header, one FAT sector, then the
    directory. (Checked once against olefile, which lists these streams.)"""
    entries = [_directory_entry("Root Entry", 5, child=1 if streams else NO_ENTRY)]
    for index, name in enumerate(streams, start=1):
        entries.append(_directory_entry(name, 2, right=index + 1 if index < len(streams) else NO_ENTRY))
    while len(entries) % 4:
        entries.append(_directory_entry("", 0))
    directory_sectors = len(entries) // 4
    fat = [FAT_SECTOR, *(n + 1 for n in range(1, directory_sectors)), END_OF_CHAIN]
    fat += [FREE] * (128 - len(fat))
    header = (
        OLE2_SIGNATURE
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
        + struct.pack("<109I", 0, *([FREE] * 108))
    )
    return header + struct.pack("<128I", *fat) + b"".join(entries)


def identify_whole(data: bytes, name: str) -> tuple[str, str]:
    """As the service calls it: the head, and the whole file to look inside."""
    return identify(data[: evidence.HEAD_BYTES], name, file=io.BytesIO(data))


# identify(): what is accepted -----------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "expected"),
    [
        (lambda: PDF, "Customer journey audit.pdf", ("pdf", "application/pdf")),
        (lambda: image("PNG"), "dashboard.png", ("png", "image/png")),
        (lambda: image("JPEG"), "team-photo.jpg", ("jpeg", "image/jpeg")),
        (lambda: image("JPEG"), "TEAM-PHOTO.JPEG", ("jpeg", "image/jpeg")),
        (
            lambda: office("docx"),
            "Coaching policy.docx",
            ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ),
        (
            lambda: office("xlsx"),
            "KPIs 2027.xlsx",
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
        (
            lambda: office("pptx"),
            "Board update.pptx",
            ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ),
        (lambda: compound_file("1Table", "WordDocument", "Data"), "old policy.doc", ("doc", "application/msword")),
        (lambda: compound_file("Workbook"), "old figures.xls", ("xls", "application/vnd.ms-excel")),
        (lambda: compound_file("Book"), "Excel 5 figures.xls", ("xls", "application/vnd.ms-excel")),
        (
            lambda: compound_file("Current User", "PowerPoint Document"),
            "old deck.PPT",
            ("ppt", "application/vnd.ms-powerpoint"),
        ),
    ],
)
def test_identify_accepts_each_kind_from_its_content(make, name, expected):
    assert identify_whole(make(), name) == expected


def test_identify_reads_a_small_file_from_its_head_alone():
    assert identify(office("docx"), "policy.docx") == (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def test_identify_accepts_a_directory_spread_over_several_sectors():
    streams = ["CompObj", "Data", "1Table", "ObjectPool", "SummaryInformation", "Macros", "WordDocument"]
    assert identify_whole(compound_file(*streams), "long.doc") == ("doc", "application/msword")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (EXE, "report.pdf"),
        (HTML, "chart.png"),
        (SVG, "chart.png"),
        (SVG, "chart.svg"),
        (b"plain text", "notes.docx"),
        (b"", "empty.pdf"),
        (plain_zip(), "archive.docx"),
        (office("docx", with_main_part=False), "hollow.docx"),
        (OLE2_SIGNATURE + bytes(504), "header-only.doc"),
        (compound_file(), "no-streams.doc"),
        (compound_file("SummaryInformation", "Property"), "installer.doc"),  # an .msi has no Word stream
        (PDF[:4] + b"-x", "broken.pdf"),
        (b"\x89PNG\r\n\x1a\n", "signature-only.png"),
    ],
)
def test_identify_refuses_what_is_none_of_the_accepted_kinds(data, name):
    with pytest.raises(EvidenceRejected) as refused:
        identify_whole(data, name)
    assert refused.value.message == NOT_ACCEPTED


def test_identify_refuses_a_name_that_contradicts_the_content():
    """The original name is the name people download the file as, so a PNG
    named .pdf would not open; it is refused with what to do, not renamed."""
    with pytest.raises(EvidenceRejected) as refused:
        identify_whole(image("PNG"), "scan.pdf")
    assert refused.value.message == (
        "This file is a PNG image, but its name ends in .pdf. Rename it to end in .png and upload it again."
    )

    with pytest.raises(EvidenceRejected) as refused:
        identify_whole(compound_file("WordDocument"), "policy.docx")
    assert refused.value.message == (
        "This file is a Word 97–2003 document, but its name ends in .docx. "
        "Rename it to end in .doc and upload it again."
    )

    with pytest.raises(EvidenceRejected) as refused:
        identify_whole(image("JPEG"), "photo")
    assert refused.value.message == (
        "This file is a JPEG image, but its name has no extension. "
        "Rename it to end in .jpg or .jpeg and upload it again."
    )


def test_identify_refuses_macros_and_passwords_with_their_own_reason():
    with pytest.raises(EvidenceRejected) as refused:
        identify_whole(office("docm"), "with-macros.docx")
    assert refused.value.message == evidence.WITH_MACROS

    with pytest.raises(EvidenceRejected) as refused:
        identify_whole(compound_file("EncryptedInfo", "EncryptedPackage"), "locked.xlsx")
    assert refused.value.message == evidence.WITH_PASSWORD


def test_rejections_are_service_errors():
    assert issubclass(EvidenceRejected, ServiceError)


def test_clean_name_keeps_a_readable_name_without_folders_or_control_characters():
    assert evidence.clean_name("C:\\Users\\ana\\Desktop\\KPIs.xlsx") == "KPIs.xlsx"
    assert evidence.clean_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert evidence.clean_name("report\u202efdp.exe") == "reportfdp.exe"
    assert evidence.clean_name("line\r\nbreak.pdf") == "linebreak.pdf"
    assert evidence.clean_name("  ") == "evidence"
    long_name = evidence.clean_name("a" * 300 + ".docx")
    assert (len(long_name), long_name[-5:]) == (255, ".docx")


# identify() against random and damaged bytes ------------------------------------------

SIGNATURES = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
    "docx": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
    "pptx": b"PK\x03\x04",
    "doc": OLE2_SIGNATURE,
    "xls": OLE2_SIGNATURE,
    "ppt": OLE2_SIGNATURE,
}
NAMES = st.sampled_from(
    ["x.pdf", "x.png", "x.jpg", "x.docx", "x.xlsx", "x.pptx", "x.doc", "x.xls", "x.ppt", "x.exe", "x"]
)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096), name=NAMES)
def test_random_bytes_are_accepted_only_as_what_they_start_with(data, name):
    try:
        kind, _content_type = identify_whole(data, name)
    except EvidenceRejected:
        return
    assert data.startswith(SIGNATURES[kind])


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096), name=NAMES)
def test_random_bytes_without_a_known_signature_are_refused(data, name):
    if any(data.startswith(signature) for signature in SIGNATURES.values()):
        return
    with pytest.raises(EvidenceRejected) as refused:
        identify_whole(data, name)
    assert refused.value.message == NOT_ACCEPTED


SAMPLES = {
    "docx": office("docx"),
    "xlsx": office("xlsx"),
    "pptx": office("pptx"),
    "doc": compound_file("1Table", "WordDocument"),
    "xls": compound_file("Workbook"),
    "ppt": compound_file("PowerPoint Document"),
}


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(sorted(SAMPLES)),
    changes=st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=8),
    keep=st.one_of(st.none(), st.integers(0, 4096)),
    tail=st.binary(max_size=64),
)
def test_damaged_containers_are_refused_or_recognised_never_a_crash(kind, changes, keep, tail):
    """Signature first, then garbage: the ZIP and OLE2 readers meet only
    refusals, never an unexpected exception."""
    data = bytearray(SAMPLES[kind])
    for position, value in changes:
        if position < len(data):
            data[position] = value
    data = bytes(data if keep is None else data[: max(keep, 8)]) + tail
    try:
        found, _ = identify_whole(data, f"x.{kind}")
    except EvidenceRejected:
        return
    assert found == kind


# Sizes -----------------------------------------------------------------------------


def test_sizes_read_as_people_read_them():
    assert [evidence.format_size(n) for n in (1, 300, 1024, 1536, 10 * 1024 * 1024, 10 * 1024 * 1024 + 1)] == [
        "1 byte",
        "300 bytes",
        "1 KB",
        "1.5 KB",
        "10 MB",
        "10.1 MB",
    ]


def test_limits_default_to_10_and_50_megabytes(settings):
    del settings.EVIDENCE_MAX_FILE_BYTES
    del settings.EVIDENCE_MAX_ASSESSMENT_BYTES
    assert (evidence.max_file_bytes(), evidence.max_assessment_bytes()) == (10 * 1024 * 1024, 50 * 1024 * 1024)


# The service -------------------------------------------------------------------------

# Cohort 3 from 15 January 2027: self-assessment deadline 23:59 on 15 May 2027 (BST).
BEFORE_DEADLINE = datetime(2027, 5, 15, 22, 58, tzinfo=UTC)
AFTER_DEADLINE = datetime(2027, 5, 15, 23, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list:
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def make_draft(*, start_date: date | None = None, number: int = 3) -> SimpleNamespace:
    """A cohort in self-assessment, an enrolled organisation with a member,
    its draft assessment and the responses to two criteria of a framework
    made here (not the shipped default)."""
    cohort = make_cohort(number=number, phase="self_assessment", start_date=start_date)
    framework = Framework.objects.create(version=900 + number, name="Evidence test framework")
    criteria = [
        Criterion.objects.create(
            framework=framework,
            pillar=pillar,
            code=code,
            title=title,
            position=position,
            **{f"level_{n}": f"Level {n}" for n in range(1, 6)},
        )
        for position, (pillar, code, title) in enumerate(
            [("Q", "Q1", "Voice of the customer"), ("P", "P1", "Quality monitoring and coaching")]
        )
    ]
    enrolment = EnrolmentFactory(cohort=cohort)
    member = make_member(organisation=enrolment.organisation)
    assessment = SelfAssessment.objects.create(enrolment=enrolment)
    responses = [Response.objects.create(assessment=assessment, criterion=criterion) for criterion in criteria]
    return SimpleNamespace(
        cohort=cohort,
        enrolment=enrolment,
        member=member,
        assessment=assessment,
        response=responses[0],
        other=responses[1],
    )


@pytest.fixture
def draft(db):
    """The deadline three months ahead of today, so that the views (which
    read the real clock) see an open self-assessment."""
    return make_draft(start_date=timezone.localdate() - timedelta(days=30))


def upload(data: bytes = PDF, name: str = "Customer journey audit.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")  # the browser's claim is ignored


def test_add_evidence_stores_the_file_under_a_random_name(draft, media_in_tmp):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    added.refresh_from_db()
    assert re.fullmatch(rf"evidence/{draft.assessment.pk}/[0-9a-f]{{32}}", added.file.name)
    assert stored_files(media_in_tmp) == [media_in_tmp / added.file.name]
    assert (media_in_tmp / added.file.name).read_bytes() == PDF
    assert (added.original_name, added.content_type, added.size, added.uploaded_by) == (
        "Customer journey audit.pdf",
        "application/pdf",
        len(PDF),
        draft.member,
    )
    event = AuditEvent.objects.get(action="evidence.added")
    assert (event.actor, event.object_id, event.after) == (
        draft.member,
        str(draft.assessment.pk),
        {"criterion": "Q1", "file": "Customer journey audit.pdf", "content_type": "application/pdf", "size": len(PDF)},
    )


def test_add_evidence_keeps_the_true_content_type_not_the_browsers(draft):
    added = add_evidence(
        response=draft.response,
        upload=SimpleUploadedFile("photo.png", image("PNG"), content_type="text/html"),
        actor=draft.member,
    )
    assert added.content_type == "image/png"


def test_add_evidence_refuses_a_file_over_the_limit(draft, settings, media_in_tmp):
    settings.EVIDENCE_MAX_FILE_BYTES = 100

    with pytest.raises(EvidenceRejected) as refused:
        add_evidence(response=draft.response, upload=upload(PDF + bytes(100)), actor=draft.member)

    assert refused.value.message == f"This file is {len(PDF) + 100} bytes; a file can be at most 100 bytes."
    assert (EvidenceFile.objects.count(), stored_files(media_in_tmp)) == (0, [])


def test_add_evidence_refuses_a_file_that_takes_the_assessment_over_its_limit(draft, settings, media_in_tmp):
    settings.EVIDENCE_MAX_FILE_BYTES = 1000
    settings.EVIDENCE_MAX_ASSESSMENT_BYTES = 2 * len(PDF) + 10
    add_evidence(response=draft.response, upload=upload(), actor=draft.member)
    add_evidence(response=draft.other, upload=upload(), actor=draft.member)  # other criteria count too

    with pytest.raises(EvidenceRejected) as refused:
        add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    assert refused.value.message == (
        f"This file ({len(PDF)} bytes) would take the self-assessment's evidence over its limit of "
        f"{2 * len(PDF) + 10} bytes: {2 * len(PDF)} bytes is already used. "
        "Remove a file that is no longer needed, or make this one smaller."
    )
    assert (EvidenceFile.objects.count(), len(stored_files(media_in_tmp))) == (2, 2)


def test_add_evidence_refuses_an_empty_file(draft):
    with pytest.raises(EvidenceRejected) as refused:
        add_evidence(response=draft.response, upload=upload(b""), actor=draft.member)
    assert refused.value.message == "This file is empty."


def test_add_evidence_refuses_a_renamed_file_and_stores_nothing(draft, media_in_tmp):
    with pytest.raises(EvidenceRejected) as refused:
        add_evidence(response=draft.response, upload=upload(EXE, "invoice.pdf"), actor=draft.member)

    assert refused.value.message == NOT_ACCEPTED
    assert (EvidenceFile.objects.count(), stored_files(media_in_tmp)) == (0, [])
    assert not AuditEvent.objects.filter(action="evidence.added").exists()


def test_add_evidence_refuses_after_submission(draft, media_in_tmp):
    SelfAssessment.objects.filter(pk=draft.assessment.pk).update(status=SelfAssessment.Status.SUBMITTED)

    with pytest.raises(ServiceError) as refused:
        add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    assert refused.value.message == LOCKED
    assert (EvidenceFile.objects.count(), stored_files(media_in_tmp)) == (0, [])


def test_add_evidence_refuses_after_the_deadline_without_an_extension():
    fixed = make_draft(start_date=date(2027, 1, 15))

    add_evidence(response=fixed.response, upload=upload(), actor=fixed.member, now=BEFORE_DEADLINE)
    with pytest.raises(ServiceError) as refused:
        add_evidence(response=fixed.response, upload=upload(), actor=fixed.member, now=AFTER_DEADLINE)

    assert refused.value.message == (
        "The deadline (23:59 on 15 May 2027) has passed. Evidence files can no longer be added or removed."
    )
    assert EvidenceFile.objects.count() == 1


def test_add_evidence_after_the_deadline_within_an_extension(lead):
    fixed = make_draft(start_date=date(2027, 1, 15))
    programme.grant_extension(enrolment=fixed.enrolment, until=date(2027, 5, 22), actor=lead, now=BEFORE_DEADLINE)
    fixed.assessment.refresh_from_db()

    added = add_evidence(response=fixed.response, upload=upload(), actor=fixed.member, now=AFTER_DEADLINE)

    assert added.pk is not None
    with pytest.raises(ServiceError):
        add_evidence(
            response=fixed.response, upload=upload(), actor=fixed.member, now=datetime(2027, 5, 23, tzinfo=UTC)
        )


def test_remove_evidence_deletes_the_stored_file_after_commit(draft, media_in_tmp, django_capture_on_commit_callbacks):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    with django_capture_on_commit_callbacks() as callbacks:
        remove_evidence(evidence=added, actor=draft.member)
        assert stored_files(media_in_tmp) == [media_in_tmp / added.file.name]  # not before the commit
    for callback in callbacks:
        callback()

    assert (EvidenceFile.objects.count(), stored_files(media_in_tmp)) == (0, [])
    event = AuditEvent.objects.get(action="evidence.removed")
    assert (event.actor, event.before["file"], event.before["criterion"]) == (
        draft.member,
        "Customer journey audit.pdf",
        "Q1",
    )


def test_remove_evidence_refuses_after_submission(draft, media_in_tmp):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)
    SelfAssessment.objects.filter(pk=draft.assessment.pk).update(status=SelfAssessment.Status.SUBMITTED)

    with pytest.raises(ServiceError) as refused:
        remove_evidence(evidence=added, actor=draft.member)

    assert refused.value.message == LOCKED
    assert (EvidenceFile.objects.count(), len(stored_files(media_in_tmp))) == (1, 1)


# The views ----------------------------------------------------------------------------


def upload_url(draft) -> str:
    return f"/assessments/{draft.assessment.pk}/criteria/Q1/evidence/"


def test_member_uploads_with_a_plain_form_and_goes_back_to_the_page(client, draft):
    client.force_login(draft.member)
    page = f"/assessments/{draft.assessment.pk}/criteria/Q1/"

    answer = client.post(upload_url(draft), {"file": upload(), "next": page}, follow=False)

    assert (answer.status_code, answer.url) == (302, page)
    assert list(EvidenceFile.objects.values_list("original_name", "response")) == [
        ("Customer journey audit.pdf", draft.response.pk)
    ]
    assert [str(m) for m in answer.wsgi_request._messages] == ["“Customer journey audit.pdf” was added."]


def test_plain_form_never_goes_back_to_another_site(client, draft):
    client.force_login(draft.member)

    answer = client.post(upload_url(draft), {"file": upload(), "next": "https://evil.example/"})

    assert answer.url == "/organisation/"


def test_member_uploads_with_htmx_and_gets_the_list_back(client, draft):
    client.force_login(draft.member)

    answer = client.post(upload_url(draft), {"file": upload()}, headers={"HX-Request": "true"})

    added = EvidenceFile.objects.get()
    assert answer.status_code == 200
    assert answer.templates[0].name == "assessments/_evidence_list.html"
    assert answer["HX-Trigger"] == "evidence-changed"
    html = answer.content.decode()
    assert f'href="/evidence/{added.pk}/"' in html
    assert f'action="/evidence/{added.pk}/remove/"' in html
    assert "“Customer journey audit.pdf” was added." in html


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (office("xlsx"), "KPIs.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (compound_file("PowerPoint Document"), "deck.ppt", "application/vnd.ms-powerpoint"),
    ],
)
def test_uploads_spooled_to_a_temporary_file_are_looked_inside(client, draft, settings, data, name, content_type):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # as for any upload over 2.5 MB
    client.force_login(draft.member)

    client.post(upload_url(draft), {"file": SimpleUploadedFile(name, data)})

    added = EvidenceFile.objects.get()
    assert (added.original_name, added.content_type, added.file.read()) == (name, content_type, data)
    added.file.close()


def test_htmx_upload_refusal_is_shown_in_the_list_and_nothing_is_saved(client, draft, media_in_tmp):
    client.force_login(draft.member)

    answer = client.post(upload_url(draft), {"file": upload(SVG, "chart.png")}, headers={"HX-Request": "true"})

    assert answer.status_code == 200
    assert '<div class="alert alert-danger py-2" role="alert">' + NOT_ACCEPTED in answer.content.decode()
    assert "HX-Trigger" not in answer
    assert (EvidenceFile.objects.count(), stored_files(media_in_tmp)) == (0, [])


def test_upload_without_a_file_is_refused(client, draft):
    client.force_login(draft.member)

    answer = client.post(upload_url(draft), {}, headers={"HX-Request": "true"})

    assert "Choose a file to upload." in answer.content.decode()


def test_upload_to_a_submitted_assessment_is_refused_when_posted_directly(client, draft):
    SelfAssessment.objects.filter(pk=draft.assessment.pk).update(status=SelfAssessment.Status.SUBMITTED)
    client.force_login(draft.member)

    answer = client.post(upload_url(draft), {"file": upload(), "next": "/organisation/"})

    assert answer.status_code == 302
    assert [str(m) for m in answer.wsgi_request._messages] == [LOCKED]
    assert EvidenceFile.objects.count() == 0


def test_upload_after_the_deadline_is_refused_by_the_view(client):
    late = make_draft(start_date=timezone.localdate() - timedelta(days=365))
    client.force_login(late.member)

    answer = client.post(upload_url(late), {"file": upload()}, headers={"HX-Request": "true"})

    assert "has passed. Evidence files can no longer be added or removed." in answer.content.decode()
    assert EvidenceFile.objects.count() == 0


def test_another_organisations_member_gets_404_everywhere(client, draft, media_in_tmp):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)
    client.force_login(make_member())

    assert client.get(f"/evidence/{added.pk}/").status_code == 404
    assert client.post(upload_url(draft), {"file": upload()}).status_code == 404
    assert client.post(f"/evidence/{added.pk}/remove/").status_code == 404
    assert client.get(f"/evidence/{added.pk + 1000}/").status_code == 404  # the same as a file that exists
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files(media_in_tmp)) == 1


def test_anonymous_people_are_sent_to_log_in(client, draft):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    answer = client.get(f"/evidence/{added.pk}/")

    assert (answer.status_code, answer.url) == (302, f"/accounts/login/?next=/evidence/{added.pk}/")


def test_lead_downloads_the_file_as_an_attachment_that_is_never_sniffed(lead_client, draft):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    answer = lead_client.get(f"/evidence/{added.pk}/")

    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="Customer journey audit.pdf"'
    assert answer["Content-Type"] == "application/pdf"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in answer["Cache-Control"]
    # Reading the stream closes the file (response.close() itself would end
    # the request and, with it, the test's database connection).
    assert b"".join(answer.streaming_content) == PDF


def test_member_downloads_and_unusual_names_are_encoded_safely(client, draft):
    added = add_evidence(response=draft.response, upload=upload(name='Évaluation "final".pdf'), actor=draft.member)
    client.force_login(draft.member)

    answer = client.get(f"/evidence/{added.pk}/")

    assert answer.status_code == 200
    assert answer["Content-Disposition"] == "attachment; filename*=utf-8''%C3%89valuation%20%22final%22.pdf"
    assert b"".join(answer.streaming_content).startswith(b"%PDF-")


def test_anonymous_htmx_requests_send_the_whole_page_to_log_in(client, draft):
    page = f"/assessments/{draft.assessment.pk}/criteria/Q1/"

    answer = client.post(
        upload_url(draft),
        {"file": upload()},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )

    assert answer["HX-Redirect"] == f"/accounts/login/?next={page}"
    assert EvidenceFile.objects.count() == 0


def test_lead_may_look_but_not_upload_or_remove(lead_client, draft):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    assert lead_client.post(upload_url(draft), {"file": upload()}).status_code == 403
    assert lead_client.post(f"/evidence/{added.pk}/remove/").status_code == 403
    assert EvidenceFile.objects.count() == 1


def test_member_removes_a_file_with_htmx(client, draft, media_in_tmp, django_capture_on_commit_callbacks):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)
    client.force_login(draft.member)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/evidence/{added.pk}/remove/", headers={"HX-Request": "true"})

    assert answer.status_code == 200
    assert "“Customer journey audit.pdf” was removed." in answer.content.decode()
    assert "No files yet." in answer.content.decode()
    assert (EvidenceFile.objects.count(), stored_files(media_in_tmp)) == (0, [])


@pytest.mark.parametrize(
    ("next_url", "goes_to"),
    [
        ('"><img src=x onerror=alert(1)>', "/organisation/"),  # not a path: never reversed as a view name
        ("%3Cscript%3Ealert(1)%3C/script%3E", "/organisation/"),
        ("//evil.example/", "/organisation/"),
        ("/assessments/1/criteria/Q1/?tab=evidence", "/assessments/1/criteria/Q1/?tab=evidence"),
    ],
)
def test_a_plain_form_goes_back_only_to_a_path_on_this_site(client, draft, media_in_tmp, next_url, goes_to):
    added = add_evidence(response=draft.response, upload=upload(), actor=draft.member)
    client.force_login(draft.member)

    answer = client.post(f"/evidence/{added.pk}/remove/", {"next": next_url})

    assert (answer.status_code, answer["Location"]) == (302, goes_to)


# The widget ----------------------------------------------------------------------------


def render_widget(draft, user) -> str:
    request = RequestFactory().get(f"/assessments/{draft.assessment.pk}/criteria/Q1/")
    request.user = user
    return render_to_string(
        "assessments/_evidence_list.html", {"response": draft.response, "assessment": draft.assessment}, request
    )


def test_widget_works_with_just_the_response_and_the_assessment(draft):
    add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    html = render_widget(draft, draft.member)

    upload_to = f"/assessments/{draft.assessment.pk}/criteria/Q1/evidence/"
    assert f'hx-post="{upload_to}" hx-encoding="multipart/form-data"' in " ".join(html.split())
    assert 'enctype="multipart/form-data"' in html  # works without JavaScript too
    assert re.search(
        r'<label class="form-label d-block mb-0">Add a file.*?<input[^>]* type="file" name="file"', html, re.S
    )
    assert f'accept="{evidence.ACCEPT}"' in html
    assert '<p class="htmx-indicator small mb-0 mt-2" role="status">' in html
    assert f'name="next" value="/assessments/{draft.assessment.pk}/criteria/Q1/"' in html
    assert f"This self-assessment's files use {len(PDF)} bytes of 50 MB." in html
    assert "style=" not in html
    assert evidence.ACCEPT == (
        ".pdf,.docx,.xlsx,.pptx,.doc,.xls,.ppt,.png,.jpg,.jpeg,application/pdf,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
        "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
        "application/msword,application/vnd.ms-excel,application/vnd.ms-powerpoint,image/png,image/jpeg"
    )


def test_widget_of_a_submitted_assessment_lists_files_without_changing_them(draft):
    add_evidence(response=draft.response, upload=upload(), actor=draft.member)
    SelfAssessment.objects.filter(pk=draft.assessment.pk).update(status=SelfAssessment.Status.SUBMITTED)
    draft.assessment.refresh_from_db()

    html = render_widget(draft, draft.member)

    assert "Customer journey audit.pdf" in html
    assert 'type="file"' not in html
    assert "/remove/" not in html
    assert LOCKED in html


def test_widget_for_the_lead_has_downloads_only(draft, lead):
    add_evidence(response=draft.response, upload=upload(), actor=draft.member)

    html = render_widget(draft, lead)

    assert "/evidence/" in html
    assert 'type="file"' not in html
    assert "/remove/" not in html
