import csv
import io
from decimal import Decimal

import pytest

from core.csvs import csv_lines, csv_response, safe_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_prefixes_text_a_spreadsheet_would_run(start):
    assert safe_cell(f'{start}HYPERLINK("http://evil")') == f'\'{start}HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Alpha Water", "Alpha Water"), ("", ""), (None, ""), ("a=b", "a=b"), (" =1", " =1"), (True, "True")],
)
def test_safe_cell_keeps_other_text(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("number", [-1, -0.25, Decimal("-3.50"), 7])
def test_safe_cell_keeps_numbers_even_negative_ones(number):
    assert safe_cell(number) == number


def test_csv_lines_escape_every_cell_and_can_start_with_a_bom():
    lines = list(csv_lines([["name", "score"], ["=cmd()", -0.5]], bom=True))

    assert lines == ["\ufeff", "name,score\r\n", "'=cmd(),-0.5\r\n"]


def test_csv_response_is_a_private_download():
    response = csv_response("cohort-3-results.csv", [["Organisation"], ["@SUM(A1)"]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cohort-3-results.csv"'
    assert response["Cache-Control"] == "private, no-cache"
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [["Organisation"], ["'@SUM(A1)"]]


def test_csv_response_can_stream():
    response = csv_response("trail.csv", iter([["a"], ["+1"]]), stream=True, bom=True)

    assert b"".join(response.streaming_content).decode() == "\ufeffa\r\n'+1\r\n"
