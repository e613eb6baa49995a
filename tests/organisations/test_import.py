import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from accounts import services as account_services
from accounts.models import Invitation
from cohorts.models import Enrolment
from core.errors import ServiceError
from core.models import AuditEvent, OutboundEmail
from organisations import csv_import, imports
from organisations.csv_import import ImportFileError
from organisations.models import Organisation, OrganisationImport
from tests.factories import OrganisationFactory, make_cohort

DATA = Path(__file__).parent / "data"
HEADER = "name,sector,size,contact_name,contact_email\n"
GOOD = (
    HEADER
    + "Severn Valley Water,Water,very_large,Morgan Jones,morgan@severn.example\n"
    + "AquaBill Services,BPO,,Sam Patel,sam@aquabill.example\n"
    + "Civic Contact Centre,Public sector,small,Ola Nowak,ola@civic.example\n"
)
SAVE_AS = (
    "In Excel, choose File › Save As (or Save a Copy) and pick “CSV UTF-8 (Comma delimited) (*.csv)”; "
    "in Numbers or Google Sheets, export or download as CSV, which is UTF-8 already. Then upload that file."
)


def parse(text: str, **kwargs) -> csv_import.ParsedFile:
    return csv_import.parse(text, max_rows=kwargs.pop("max_rows", 2000), **kwargs)


def file_error(call) -> str:
    with pytest.raises(ImportFileError) as error:
        call()
    return error.value.message


# The parser (no database) ---------------------------------------------------------


def test_parser_reads_a_good_file():
    parsed = parse(GOOD)

    assert [(row.number, row.organisation_fields(), row.errors) for row in parsed.rows] == [
        (
            2,
            {
                "name": "Severn Valley Water",
                "sector": "water",
                "size": "very_large",
                "contact_name": "Morgan Jones",
                "contact_email": "morgan@severn.example",
                "contact_phone": "",
                "website": "",
            },
            [],
        ),
        (
            3,
            {
                "name": "AquaBill Services",
                "sector": "bpo",
                "size": "",
                "contact_name": "Sam Patel",
                "contact_email": "sam@aquabill.example",
                "contact_phone": "",
                "website": "",
            },
            [],
        ),
        (
            4,
            {
                "name": "Civic Contact Centre",
                "sector": "public_sector",
                "size": "small",
                "contact_name": "Ola Nowak",
                "contact_email": "ola@civic.example",
                "contact_phone": "",
                "website": "",
            },
            [],
        ),
    ]
    assert (parsed.is_valid, parsed.ignored_columns) == (True, [])


def test_parser_reads_excels_csv_utf8_with_a_byte_order_mark_and_crlf():
    text = csv_import.decode((DATA / "excel_utf8_with_bom.csv").read_bytes())
    parsed = parse(text)

    assert [row.name for row in parsed.rows] == ["Severn Valley Water", "AquaBill Services", "Crème & Co, Retail"]
    assert [row.errors for row in parsed.rows] == [[], [], []]
    assert parsed.rows[0].organisation_fields()["website"] == "https://www.severn.example"
    assert parsed.rows[0].organisation_fields()["contact_phone"] == "01452 000000"
    assert parsed.rows[2].values["contact_name"] == "Zoë Durand"


def test_parser_reads_semicolon_separated_files():
    parsed = parse(csv_import.decode((DATA / "semicolons.csv").read_bytes()))

    assert [(row.name, row.sector, row.size, row.errors) for row in parsed.rows] == [
        ("Severn Valley Water", "water", "large", []),
        ("Northern Travel", "travel", "", []),
    ]


def test_parser_reads_tab_separated_files():
    parsed = parse("name\tsector\tcontact_name\tcontact_email\nAnglia Energy\tenergy\tSam\tsam@anglia.example\n")

    assert [(row.name, row.sector, row.errors) for row in parsed.rows] == [("Anglia Energy", "energy", [])]


def test_parser_matches_headers_whatever_their_case_spacing_and_order():
    parsed = parse(
        " CONTACT E-MAIL , Contact Name,Sector , Name ,Notes\nmorgan@severn.example,Morgan,WATER,Severn Water,x\n"
    )

    assert [(row.name, row.sector, row.values["contact_email"], row.errors) for row in parsed.rows] == [
        ("Severn Water", "water", "morgan@severn.example", [])
    ]
    assert parsed.ignored_columns == ["Notes"]


@pytest.mark.parametrize(
    ("given", "sector"),
    [
        ("Water", "water"),
        ("water", "water"),
        ("WATER", "water"),
        ("Public sector", "public_sector"),
        ("public_sector", "public_sector"),
        ("public  Sector", "public_sector"),
        ("BPO", "bpo"),
        ("bpo", "bpo"),
        ("Telecoms", "telecoms"),
    ],
)
def test_parser_accepts_a_sector_by_value_or_label(given, sector):
    parsed = parse(HEADER + f"Org,{given},,Sam,sam@org.example\n")

    assert (parsed.rows[0].sector, parsed.rows[0].errors) == (sector, [])


def test_parser_accepts_a_size_by_value_or_label_or_none():
    parsed = parse(
        HEADER
        + "A,water,Medium,Sam,sam@a.example\n"
        + "B,water,very large,Sam,sam@b.example\n"
        + 'C,water,"251 to 1,000 people",Sam,sam@c.example\n'
        + "D,water,,Sam,sam@d.example\n"
    )

    assert [(row.size, row.errors) for row in parsed.rows] == [
        ("medium", []),
        ("very_large", []),
        ("large", []),
        ("", []),
    ]


def test_parser_reports_each_kind_of_bad_row():
    parsed = parse(
        "name,sector,size,contact_name,contact_email,website\n"
        "Severn Valley Water,Water,,Morgan,morgan@severn.example,\n"  # 2: fine
        "Bad Mail,Water,,Sam,sam-at-example,\n"  # 3
        "Gas Co,Gas,,Sam,sam@gas.example,\n"  # 4
        "severn  valley WATER,water,,Ann,ann@severn.example,\n"  # 5: duplicate of row 2
        ",,,,,\n"  # 6: blank, skipped
        ",Water,,,,\n"  # 7
        "Huge Co,retail,enormous,Kim,kim@huge.example,\n"  # 8
        "Web Co,retail,,Kim,kim@web.example,not a site\n"  # 9
        "Extra Co,retail,,Kim,kim@extra.example,,surplus\n"  # 10
        "Existing Ltd,retail,,Kim,kim@existing.example,\n",  # 11
        existing_names={"existing ltd"},
    )

    assert [(row.number, row.errors) for row in parsed.rows] == [
        (2, []),
        (3, ["“sam-at-example” is not a valid e-mail address."]),
        (
            4,
            [
                "Unknown sector “Gas”: use one of Water, Energy, Retail, Travel, Finance, Telecoms, "
                "Public sector, BPO, Other."
            ],
        ),
        (5, ["Duplicate name: “severn valley WATER” is also on row 2."]),
        (7, ["The name is missing.", "The contact name is missing.", "The contact e-mail address is missing."]),
        (
            8,
            [
                "Unknown size “enormous”: leave it empty or use one of small (Up to 50 people), "
                "medium (51 to 250 people), large (251 to 1,000 people), very_large (More than 1,000 people)."
            ],
        ),
        (9, ["“not a site” is not a valid website address."]),
        (
            10,
            [
                "The row has 7 values but the header has 6 columns: check for a comma or semicolon inside a value "
                "that is not in quotes."
            ],
        ),
        (11, ["An organisation called “Existing Ltd” already exists."]),
    ]
    assert parsed.is_valid is False
    assert len(parsed.rows_with_errors) == 8


def test_parser_reports_values_that_are_too_long():
    parsed = parse(HEADER + f"{'N' * 201},water,,Sam,sam@example.org\n")

    assert parsed.rows[0].errors == ["The name is too long (at most 200 characters)."]


def test_parser_explains_a_missing_or_wrong_header():
    message = file_error(lambda: parse("organisation,industry,email\nSevern,water,m@s.example\n"))

    assert message == (
        "The header row is missing the columns name, sector, contact_name, contact_email. The first row must name "
        "the columns name, sector, size, contact_name, contact_email, contact_phone, website (size, contact_phone "
        "and website may be left out); it has: organisation, industry, email."
    )


def test_parser_says_which_single_column_is_missing():
    message = file_error(lambda: parse("name,sector,contact_name\nSevern,water,Morgan\n"))

    assert message.startswith("The header row is missing the column contact_email. ")


def test_parser_refuses_a_file_whose_first_row_is_data():
    message = file_error(lambda: parse("Severn Valley Water,Water,,Morgan,morgan@severn.example\n"))

    assert message.startswith("The header row is missing the columns name, sector, contact_name, contact_email.")


def test_parser_refuses_a_repeated_column():
    message = file_error(lambda: parse("name,sector,contact_name,contact_email,Name\nA,water,B,c@d.example,E\n"))

    assert message == "The header row names name more than once: keep one column of each."


def test_parser_refuses_a_header_without_rows():
    assert file_error(lambda: parse(HEADER + ",,,,\n\n")) == (
        "The file has a header row but no organisations. Add one row per organisation under the header."
    )


def test_parser_refuses_more_rows_than_the_limit_quickly():
    text = HEADER + "".join(f"Org {n},water,,Sam,sam{n}@example.org\n" for n in range(10_000))

    started = time.monotonic()
    message = file_error(lambda: parse(text, max_rows=2000))

    assert time.monotonic() - started < 1
    assert message == (
        "The file has 10,000 organisations, more than the 2,000 that can be imported at once. "
        "Split it into files of at most 2,000 rows and import them one by one."
    )


def test_parser_reports_a_field_too_large_for_csv():
    message = file_error(lambda: parse(HEADER + '"' + "x" * 200_000 + '",water,,Sam,sam@example.org\n'))

    assert message.startswith("The file could not be read as CSV near line 2: field larger than field limit")


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n"])
def test_decode_refuses_an_empty_file(data):
    assert file_error(lambda: csv_import.decode(data)) == (
        "The file is empty. Upload a CSV file with a header row and one row per organisation."
    )


def test_decode_explains_how_to_save_as_csv_utf8():
    message = file_error(lambda: csv_import.decode((DATA / "windows_1252.csv").read_bytes()))

    assert message == (
        "The file is not saved as UTF-8 text (the first character we could not read is on line 2), "
        "so names with accents or symbols such as £ would come out wrong. " + SAVE_AS
    )


def test_decode_strips_the_byte_order_mark():
    assert csv_import.decode(b"\xef\xbb\xbfname,sector\n") == "name,sector\n"


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00rest-of-an-xlsx", "This is an Excel workbook (or another zipped file), not a CSV"),
        ("name,sector\n".encode("utf-16"), "This file is saved as UTF-16 (Excel calls it “Unicode Text”)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This does not look like a CSV file: it contains binary data."),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08abc" * 20, "This does not look like a CSV file: it contains binary data."),
    ],
)
def test_decode_refuses_binary_files(data, start):
    message = file_error(lambda: csv_import.decode(data))

    assert message.startswith(start)
    assert message.endswith(SAVE_AS)


# Upload and preview (pages) ---------------------------------------------------------


def upload(client, content: bytes | str, *, name: str = "organisations.csv", cohort=None, follow: bool = False):
    data = content.encode() if isinstance(content, str) else content
    payload = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if cohort is not None:
        payload["cohort"] = str(cohort.pk)
    return client.post("/organisations/import/", payload, follow=follow)


@pytest.mark.django_db
def test_upload_page_explains_the_format(lead_client):
    response = lead_client.get("/organisations/import/")

    assert response.status_code == 200
    assert b"name, sector, size, contact_name, contact_email, contact_phone, website" in response.content
    assert b"at most 2,000 rows per file" in response.content


@pytest.mark.django_db
def test_upload_of_a_good_file_shows_the_preview_and_saves_no_organisation(lead_client, lead):
    cohort = make_cohort(number=4, phase="enrolment")

    response = upload(lead_client, GOOD, cohort=cohort)

    organisation_import = OrganisationImport.objects.get()
    assert response.status_code == 302
    assert response.url == f"/organisations/import/{organisation_import.pk}/"
    assert (organisation_import.file_name, organisation_import.cohort, organisation_import.uploaded_by) == (
        "organisations.csv",
        cohort,
        lead,
    )
    assert organisation_import.content == GOOD
    assert Organisation.objects.count() == 0

    preview = lead_client.get(response.url)

    assert preview.status_code == 200
    assert [row.name for row in preview.context["rows"]] == [
        "Severn Valley Water",
        "AquaBill Services",
        "Civic Contact Centre",
    ]
    assert b"3 rows, 0 with errors" in preview.content
    assert b"Import 3 organisations" in preview.content


@pytest.mark.django_db
def test_preview_lists_every_bad_row_and_offers_no_import(lead_client):
    OrganisationFactory(name="Severn Valley Water")
    response = upload(
        lead_client,
        HEADER + "SEVERN VALLEY WATER,water,,Morgan,morgan@severn.example\n"
        "Gas Co,Gas,,Sam,sam@gas.example\n"
        "Fine Ltd,retail,,Kim,kim@fine.example\n"
        "Bad Mail,retail,,Kim,kim@@fine\n",
        follow=True,
    )

    assert response.status_code == 200
    assert [(row.number, len(row.errors)) for row in response.context["rows"]] == [(2, 1), (3, 1), (4, 0), (5, 1)]
    assert b"4 rows, 3 with errors" in response.content
    assert b"An organisation called \xe2\x80\x9cSEVERN VALLEY WATER\xe2\x80\x9d already exists." in response.content
    assert b"Import 4" not in response.content
    assert b'method="post"' not in response.content

    only_errors = lead_client.get(response.request["PATH_INFO"], {"errors": "1"})
    assert [row.number for row in only_errors.context["rows"]] == [2, 3, 5]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message_start"),
    [
        ("organisation,industry\nSevern,water\n", "The header row is missing the columns name, sector,"),
        ((DATA / "windows_1252.csv").read_bytes(), "The file is not saved as UTF-8 text"),
        (b"\x00\x01\x02binary\x00\x00" * 50, "This does not look like a CSV file: it contains binary data."),
        (b"PK\x03\x04workbook", "This is an Excel workbook"),
        ("\ufeff", "The file is empty."),
        (b"", "The file is empty."),
        (HEADER, "The file has a header row but no organisations."),
    ],
)
def test_upload_of_a_bad_file_says_what_is_wrong_and_saves_nothing(lead_client, content, message_start):
    response = upload(lead_client, content)

    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert message.startswith(message_start)
    assert OrganisationImport.objects.count() == 0
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_upload_of_10000_rows_says_the_limit_quickly(lead_client):
    content = HEADER + "".join(f"Organisation {n},water,,Sam,sam{n}@example.org\n" for n in range(10_000))

    started = time.monotonic()
    response = upload(lead_client, content)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 3
    assert response.context["form"].errors["file"] == [
        "The file has 10,000 organisations, more than the 2,000 that can be imported at once. "
        "Split it into files of at most 2,000 rows and import them one by one."
    ]
    assert OrganisationImport.objects.count() == 0


@pytest.mark.django_db
def test_row_limit_comes_from_the_setting(lead_client, settings):
    settings.ORGANISATION_IMPORT_MAX_ROWS = 2

    response = upload(lead_client, GOOD)

    assert response.context["form"].errors["file"] == [
        "The file has 3 organisations, more than the 2 that can be imported at once. "
        "Split it into files of at most 2 rows and import them one by one."
    ]


@pytest.mark.django_db
def test_upload_of_a_file_over_5_mb_is_refused(lead_client):
    content = HEADER + "x" * (5 * 1024 * 1024)

    response = upload(lead_client, content)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is larger than 5 MB: split it into smaller files."]
    assert OrganisationImport.objects.count() == 0


@pytest.mark.django_db
def test_upload_service_refuses_a_file_over_5_mb_too(lead):
    with pytest.raises(ServiceError) as error:
        imports.upload(data=b"x" * (5 * 1024 * 1024 + 1), file_name="big.csv", cohort=None, actor=lead)

    assert error.value.message == "The file is larger than 5 MB. Import at most 2,000 organisations at a time."


@pytest.mark.django_db
def test_upload_offers_only_cohorts_that_take_enrolments(lead_client):
    open_cohort = make_cohort(number=4, phase="enrolment")
    judging = make_cohort(number=3, phase="judging")

    response = lead_client.get("/organisations/import/")
    assert list(response.context["form"].fields["cohort"].queryset) == [open_cohort]

    refused = upload(lead_client, GOOD, cohort=judging)
    assert refused.context["form"].errors == {
        "cohort": ["Select a valid choice. That choice is not one of the available choices."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "judge"])
def test_import_pages_are_for_the_lead_only(client, request, lead, who):
    organisation_import = imports.upload(data=GOOD.encode(), file_name="o.csv", cohort=None, actor=lead)
    client.force_login(request.getfixturevalue(who))

    assert upload(client, GOOD).status_code == 403
    assert client.get(f"/organisations/import/{organisation_import.pk}/").status_code == 403
    assert client.post(f"/organisations/import/{organisation_import.pk}/").status_code == 403
    assert OrganisationImport.objects.count() == 1
    assert Organisation.objects.filter(name="Severn Valley Water").exists() is False


# Confirming ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirm_imports_every_row_invites_the_contacts_and_enrols_them(
    lead_client, lead, django_capture_on_commit_callbacks
):
    cohort = make_cohort(number=4, phase="enrolment")
    organisation_import = imports.upload(data=GOOD.encode(), file_name="cohort4.csv", cohort=cohort, actor=lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/organisations/import/{organisation_import.pk}/", follow=True)

    assert response.redirect_chain == [("/organisations/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "3 organisations were imported from cohort4.csv, and their main contacts were invited as organisation "
        "admin. They are enrolled in Cohort 4: Cohort 4 name."
    ]
    assert list(Organisation.objects.values_list("name", "sector", "size", "contact_email")) == [
        ("AquaBill Services", "bpo", "", "sam@aquabill.example"),
        ("Civic Contact Centre", "public_sector", "small", "ola@civic.example"),
        ("Severn Valley Water", "water", "very_large", "morgan@severn.example"),
    ]
    invitations = Invitation.objects.order_by("email")
    assert [(i.email, i.organisation.name, i.organisation_role, i.invited_by) for i in invitations] == [
        ("morgan@severn.example", "Severn Valley Water", "admin", lead),
        ("ola@civic.example", "Civic Contact Centre", "admin", lead),
        ("sam@aquabill.example", "AquaBill Services", "admin", lead),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "morgan@severn.example",
        "ola@civic.example",
        "sam@aquabill.example",
    ]
    assert sorted(Enrolment.objects.filter(cohort=cohort).values_list("organisation__name", "status")) == [
        ("AquaBill Services", "enrolled"),
        ("Civic Contact Centre", "enrolled"),
        ("Severn Valley Water", "enrolled"),
    ]
    organisation_import.refresh_from_db()
    assert (organisation_import.imported_count, organisation_import.imported_at is not None) == (3, True)
    assert AuditEvent.objects.filter(action="organisation.created").count() == 3
    assert AuditEvent.objects.filter(action="enrolment.created").count() == 3
    event = AuditEvent.objects.get(action="organisation_import.imported")
    assert (event.actor, event.after) == (lead, {"file_name": "cohort4.csv", "organisations": 3, "cohort": 4})


@pytest.mark.django_db
def test_confirm_without_a_cohort_enrols_nobody(lead):
    organisation_import = imports.upload(data=GOOD.encode(), file_name="o.csv", cohort=None, actor=lead)

    organisations = imports.confirm(organisation_import=organisation_import, actor=lead)

    assert len(organisations) == 3
    assert Enrolment.objects.count() == 0


@pytest.mark.django_db
def test_confirm_imports_nothing_when_any_row_is_bad(lead_client, lead, django_capture_on_commit_callbacks):
    content = GOOD + "Gas Co,Gas,,Sam,sam@gas.example\n"
    organisation_import = imports.upload(data=content.encode(), file_name="o.csv", cohort=None, actor=lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/organisations/import/{organisation_import.pk}/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "1 of 4 rows have errors, so nothing was imported. Fix them in the spreadsheet and upload the file again."
    ]
    assert (Organisation.objects.count(), Invitation.objects.count(), len(mail.outbox)) == (0, 0, 0)
    organisation_import.refresh_from_db()
    assert organisation_import.imported_at is None


@pytest.mark.django_db
def test_confirm_rechecks_names_saved_since_the_upload(lead):
    organisation_import = imports.upload(data=GOOD.encode(), file_name="o.csv", cohort=None, actor=lead)
    OrganisationFactory(name="aquabill services")

    with pytest.raises(ServiceError) as error:
        imports.confirm(organisation_import=organisation_import, actor=lead)

    assert error.value.message.startswith("1 of 3 rows have errors, so nothing was imported.")
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_a_database_error_mid_import_leaves_nothing(lead, monkeypatch, django_capture_on_commit_callbacks):
    organisation_import = imports.upload(data=GOOD.encode(), file_name="o.csv", cohort=None, actor=lead)
    real_invite = account_services.invite
    calls = []

    def failing_invite(**kwargs):
        calls.append(kwargs["email"])
        if len(calls) == 3:
            raise DatabaseError("disk full")
        return real_invite(**kwargs)

    monkeypatch.setattr(account_services, "invite", failing_invite)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DatabaseError):
        imports.confirm(organisation_import=organisation_import, actor=lead)

    assert len(calls) == 3
    assert (Organisation.objects.count(), Invitation.objects.count(), OutboundEmail.objects.count()) == (0, 0, 0)
    assert len(mail.outbox) == 0
    assert AuditEvent.objects.filter(action__in=["organisation.created", "invitation.sent"]).count() == 0
    organisation_import.refresh_from_db()
    assert (organisation_import.imported_at, organisation_import.imported_count) == (None, 0)


@pytest.mark.django_db
def test_a_name_clash_at_insert_time_is_reported_and_leaves_nothing(lead, monkeypatch):
    organisation_import = imports.upload(data=GOOD.encode(), file_name="o.csv", cohort=None, actor=lead)
    # As if another lead saved "AquaBill Services" between the check and the insert.
    monkeypatch.setattr(imports, "existing_name_keys", set)
    monkeypatch.setattr("organisations.services._check_name_free", lambda name, exclude=None: None)
    OrganisationFactory(name="AquaBill Services")

    with pytest.raises(ServiceError) as error:
        imports.confirm(organisation_import=organisation_import, actor=lead)

    assert error.value.message == (
        "Another organisation with one of these names was saved meanwhile. Nothing was imported: "
        "look at the preview again."
    )
    assert list(Organisation.objects.values_list("name", flat=True)) == ["AquaBill Services"]
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_confirming_the_same_import_twice_imports_once(lead_client, lead, django_capture_on_commit_callbacks):
    organisation_import = imports.upload(data=GOOD.encode(), file_name="o.csv", cohort=None, actor=lead)
    url = f"/organisations/import/{organisation_import.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        first = lead_client.post(url, follow=True)
        second = lead_client.post(url, follow=True)

    assert first.redirect_chain == [("/organisations/", 302)]

    messages = [str(m) for m in second.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith("This file was already imported on ")
    assert messages[0].endswith(" (3 organisations). Nothing was imported again.")
    assert (Organisation.objects.count(), Invitation.objects.count(), len(mail.outbox)) == (3, 3, 3)
    assert b"This file was imported on" in second.content
    assert b"Import 3" not in second.content


@pytest.mark.django_db
def test_confirm_refuses_when_the_cohort_no_longer_takes_enrolments(lead):
    cohort = make_cohort(number=4, phase="enrolment")
    organisation_import = imports.upload(data=GOOD.encode(), file_name="o.csv", cohort=cohort, actor=lead)
    cohort.phase = "judging"
    cohort.save(update_fields=["phase"])

    with pytest.raises(ServiceError) as error:
        imports.confirm(organisation_import=organisation_import, actor=lead)

    assert error.value.message == (
        "Organisations can be enrolled only up to the self-assessment phase; cohort 4 is in judging."
    )
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_preview_of_an_unknown_import_is_404(lead_client):
    assert lead_client.get("/organisations/import/999/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 60])
def test_preview_queries_do_not_grow_with_rows(lead_client, lead, django_assert_max_num_queries, rows):
    content = HEADER + "".join(f"Organisation {n},water,,Sam,sam{n}@example.org\n" for n in range(rows))
    organisation_import = imports.upload(data=content.encode(), file_name="o.csv", cohort=None, actor=lead)

    with django_assert_max_num_queries(11):
        response = lead_client.get(f"/organisations/import/{organisation_import.pk}/")

    assert len(response.context["rows"]) == rows
