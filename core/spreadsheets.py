"""The spreadsheets (XLSX) people download, written alike by every app.

A sheet is a list of ``Column``s and rows of values, one per column. What a
cell holds is what its column's kind says, never what the value looks like:

- ``TEXT``: a string cell, whatever it holds — "=SOMME(A1)" stays words (no
  formula: CSV/formula injection), "007" keeps its zeros, "5:9:1" is no time;
- ``MARKDOWN``: the plain text the page shows (no ``**``; bullets for lists);
- ``DATE`` / ``DATETIME``: a real date (Europe/Paris for a moment), with a
  date format, so that sorting and filters work.

Every cell wraps its text at the column's width; each row is made tall
enough for its longest cell (spreadsheets do not grow a row by themselves
when they open a file), the header row stays in view and carries filters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .text import markdown_to_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT = "text"
MARKDOWN = "markdown"
DATE = "date"
DATETIME = "datetime"

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# A line of the default font (Calibri 11) is 15 points high; Excel's tallest row is 409.
LINE_HEIGHT = 15
MAX_ROW_HEIGHT = 409
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translatable string
    width: int = 18  # in characters
    kind: str = TEXT
    value: Callable[[Any], object] | None = None  # from a row object, for specs of columns


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _moment(value: object, kind: str) -> date | datetime | None:
    """A naive local date or datetime (spreadsheets have no time zones)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.replace(tzinfo=None, microsecond=0)
        return value.date() if kind == DATE else value
    if isinstance(value, date):
        return value
    raise TypeError(f"A {kind} column holds a date, not {value!r}")


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` takes, wrapped at ``width`` characters."""
    return sum(max(1, math.ceil(len(line) / max(width, 1))) for line in text.split("\n"))


def write_sheet(
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    freeze: str = "A2",
) -> None:
    """Write the header and ``rows`` (one value per column) on ``sheet``."""
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        cell = sheet.cell(row=1, column=index, value=_text(column.header))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.alignment = WRAP
    header_lines = max((_lines(_text(c.header), c.width) for c in columns), default=1)
    sheet.row_dimensions[1].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * header_lines)
    number = 1
    for number, values in enumerate(rows, 2):
        lines = 1
        for index, (column, value) in enumerate(zip(columns, values, strict=True), 1):
            cell = sheet.cell(row=number, column=index)
            if column.kind in (DATE, DATETIME):
                cell.value = _moment(value, column.kind)
                cell.number_format = DATE_FORMAT if column.kind == DATE else DATETIME_FORMAT
            else:
                if column.kind == MARKDOWN:
                    value = markdown_to_text(str(value or ""))
                text = _text(value)
                cell.value = text
                # openpyxl takes "=…" for a formula: a string, whatever it holds.
                cell.data_type = "s"
                lines = max(lines, _lines(text, column.width))
            cell.alignment = WRAP
        sheet.row_dimensions[number].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)
    if freeze:
        sheet.freeze_panes = freeze
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{number}"


def sheet_title(text: str) -> str:
    """A valid sheet name: 31 characters at most, none of []*?/\\: ."""
    for character in "[]*?/\\:":
        text = text.replace(character, " ")
    return text[:31] or "-"


Sheet = tuple[str, Sequence[Column], Iterable[Sequence[object]]]


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX file of ``(title, columns, rows)`` sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        write_sheet(workbook.create_sheet(title=sheet_title(title)), columns, rows)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A one-sheet XLSX file to download."""
    response = HttpResponse(workbook_bytes([(title, columns, rows)]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def rows_of(columns: Sequence[Column], items: Iterable[Any]) -> list[list[object]]:
    """The rows of ``items`` through the columns' ``value`` functions."""
    return [[column.value(item) for column in columns] for item in items]
