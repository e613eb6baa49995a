"""CSV files that are safe to open in a spreadsheet.

A text cell that starts with = + - @, a tab or a carriage return is read
by spreadsheets as a formula (OWASP "CSV injection"), so it is written with
an apostrophe in front. Numbers are written as they are: a negative number
is not a formula, and it stays a number for the reader."""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that spreadsheets read the file as UTF-8

Cell = str | int | float | Decimal | None


def safe_cell(value: Cell) -> str | int | float | Decimal:
    """`value` as a CSV cell: None is empty, text that a spreadsheet would run
    is prefixed with an apostrophe, numbers are kept."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Cell]], *, bom: bool = False) -> Iterator[str]:
    """Each row as one line of CSV, every cell through safe_cell."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(
    filename: str, rows: Iterable[Iterable[Cell]], *, stream: bool = False, bom: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download of `rows` (the header first) under `filename`, not
    kept by shared caches. `stream` for exports too long to build in
    memory."""
    lines = csv_lines(rows, bom=bom)
    content_type = "text/csv; charset=utf-8"
    if stream:
        response = StreamingHttpResponse(lines, content_type=content_type)
    else:
        response = HttpResponse("".join(lines), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response
