"""Reading a requirement spreadsheet as the authority sends it.

Real files are messy: title rows above the header, several sheets, merged
cells, ``_x000D_`` left by Excel for carriage returns, non-breaking spaces,
trailing blanks, numbers stored as text or as numbers. This module turns the
bytes of an XLSX, CSV or JSON file into a ``Table``: the header row found
wherever it is, each data row with its number as the spreadsheet shows it.
Anything it cannot read is a ``FileRejected`` whose message says why, in
words a lead understands; nothing here writes to the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core import files

from . import columns

HEADER_SEARCH_ROWS = 30
# A spreadsheet must never evaluate a value nor change its type: in CSV, a
# value starting with one of these, or one a spreadsheet would read as a
# number, a date, a time or a truth value (``read_as_data``), is written
# after an apostrophe (exports), which the import removes again. Spreadsheets
# keep the apostrophe as part of a text cell: "'5:9:1" stays text, where
# "5:9:1" would open as the time 05:09:01, "007" as 7, "1/2" as 1 February.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What LibreOffice (with "detect special numbers") and Excel take for a
# number, a percentage, an amount, a time or a date: digits with separators,
# signs, brackets (accounting negatives), currency, an exponent…
_NUMBER_CHARS = r"[\d\s.,:;/\-+%()'’€$£¥eEtT\u00a0\u202f]"
_NUMBER_LIKE = re.compile(rf"{_NUMBER_CHARS}*\d{_NUMBER_CHARS}*(?:[aApP][mM]?)?")
# …month names with digits ("25 sept. 2023", "janv-24", "Jan 2023"), truth values.
_MONTHS = (
    "jan|janv|janvier|january|feb|fev|fév|févr|fevr|février|fevrier|february|mar|mars|march|"
    "apr|avr|avril|april|may|mai|jun|juin|june|jul|juil|juillet|july|aug|aou|aoû|août|aout|"
    "august|sep|sept|septembre|september|oct|octobre|october|nov|novembre|november|"
    "dec|déc|decembre|décembre|december"
)
_MONTH_DATE = re.compile(
    rf"(?:\d+[\s.,/\-]*)?(?:{_MONTHS})\.?(?:[\s.,/\-]*\d+)*|\d+[\s.,/\-]*(?:{_MONTHS})\.?",
    re.IGNORECASE,
)
_TRUTH = {"true", "false", "vrai", "faux"}


class FileRejected(Exception):
    """The file cannot be imported at all; the message says why."""


class Exact(str):
    """A value the portal itself wrote (an escaped CSV cell): kept exactly as
    it is, no blank trimmed."""


def read_as_data(value: str) -> bool:
    """Whether a spreadsheet opening ``value`` in a CSV file would make it
    something else than this text: a formula, a number, a date, a time, a
    truth value."""
    if value.startswith(FORMULA_STARTS):
        return True
    stripped = value.strip(" \t\r\n\u00a0\u202f")
    if not stripped:
        return False
    if stripped.casefold() in _TRUTH:
        return True
    if _NUMBER_LIKE.fullmatch(stripped):
        return True
    return bool(_MONTH_DATE.fullmatch(stripped)) and any(c.isdigit() for c in stripped)


def escape_formula(value: str) -> str:
    """The CSV cell for ``value``: never evaluated, never read as a number or
    a date. An apostrophe before a value that would be escaped is doubled,
    so that ``unescape_formula`` gives every value back as it was."""
    if _escaped(value):
        return "'" + value
    return value


def _escaped(value: str) -> bool:
    while True:
        if read_as_data(value):
            return True
        if not value.startswith("'"):
            return False
        value = value[1:]


def unescape_formula(value: str) -> str:
    if value.startswith("'") and _escaped(value[1:]):
        return Exact(value[1:])
    return value


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the file shows it, values)
    file_format: str
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    made_at: dt.datetime | None = None


def text(value: object) -> str:
    """A cell as text: numbers without a spurious ".0", dates in ISO form,
    Excel's escaped carriage returns and Windows line breaks as "\\n"."""
    if value is None:
        return ""
    if isinstance(value, Exact):
        return value
    if isinstance(value, bool):
        return columns.YES if value else columns.NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    value = str(value)
    value = value.replace("_x000D_\n", "\n").replace("_x000D_", "\n")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def clean_text(value: object) -> str:
    """A text cell (statement, comment…): line breaks and lists kept, blanks
    at the end of each line and around the whole removed."""
    if isinstance(value, Exact):
        return str(value)
    value = text(value)
    lines = [line.rstrip(" \t\u00a0\u202f") for line in value.split("\n")]
    return "\n".join(lines).strip(" \t\n\u00a0\u202f")


def clean_code(value: object) -> str:
    """An identifier cell (reference, SONS, choice): one line, single spaces,
    no non-breaking or zero-width space."""
    value = text(value).replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"[\s\u00a0\u202f]+", " ", value).strip()


# --- Files ----------------------------------------------------------------------------


def detect_format(content: bytes, file_name: str) -> str:
    name = file_name.lower()
    head = content[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(
            _(
                "Ce fichier est un classeur Excel 97-2003 (.xls), que le portail ne lit pas : "
                "enregistrez-le au format XLSX (ou CSV) et importez-le de nouveau."
            )
        )
    if head.startswith(b"PK"):
        if name.endswith(".ods") or b"opendocument" in content[:200]:
            raise FileRejected(
                _("Les classeurs OpenDocument (.ods) ne sont pas lus : enregistrez-le en XLSX.")
            )
        return "xlsx"
    if head.startswith(b"%PDF") or not name.endswith((".csv", ".json", ".xlsx", ".txt")):
        raise FileRejected(
            _(
                "Type de fichier non pris en charge (« %(name)s ») : importez un classeur XLSX, "
                "un fichier CSV ou un export JSON du portail."
            )
            % {"name": file_name}
        )
    if name.endswith(".xlsx"):
        raise FileRejected(_("Ce fichier porte l'extension .xlsx mais n'est pas un classeur XLSX."))
    if name.endswith(".json"):
        return "json"
    return "csv"


def check_size(size: int) -> None:
    limit = settings.CATALOGUE_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRejected(
            _("Le fichier pèse %(size)s, au-delà de la limite de %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_table(content: bytes, file_name: str, sheet: str = "") -> Table:
    """The table of a file, or ``FileRejected``."""
    check_size(len(content))
    if not content.strip():
        raise FileRejected(_("Le fichier est vide."))
    file_format = detect_format(content, file_name)
    reader = {"xlsx": _read_xlsx, "csv": _read_csv, "json": _read_json}[file_format]
    table = reader(content, sheet) if file_format == "xlsx" else reader(content)
    limit = settings.CATALOGUE_IMPORT_MAX_ROWS
    if len(table.rows) > limit:
        raise FileRejected(
            _(
                "Le fichier compte %(rows)s lignes d'exigences, au-delà de la limite de "
                "%(limit)s : découpez-le en plusieurs fichiers."
            )
            % {"rows": len(table.rows), "limit": limit}
        )
    if not table.rows:
        raise FileRejected(_("Aucune ligne d'exigence sous la ligne d'en-tête."))
    return table


def _no_header(where: str) -> FileRejected:
    return FileRejected(
        _(
            "Aucune ligne d'en-tête trouvée %(where)s : les colonnes « ID Exigence » et "
            "« REM » sont attendues dans les %(rows)s premières lignes."
        )
        % {"where": where, "rows": HEADER_SEARCH_ROWS}
    )


def _table_from_rows(
    numbered: list[tuple[int, list[object]]], file_format: str, where: str
) -> Table:
    """Find the header row among the first rows, keep the rows below it that
    hold something (a repeat of the header, from a merged header, is skipped)."""
    for position, (number, values) in enumerate(numbered[:HEADER_SEARCH_ROWS]):
        if columns.is_header_row(values):
            headers = [text(value) for value in values]
            header_keys = [columns.key(h) for h in headers]
            width = len(headers)
            rows = []
            for row_number, row in numbered[position + 1 :]:
                row = (list(row) + [None] * width)[:width]
                if all(value is None or clean_code(value) == "" for value in row):
                    continue
                if (
                    columns.key(row[0]) == header_keys[0]
                    and [columns.key(v) for v in row] == header_keys
                ):
                    continue  # the header again (a merged header cell)
                rows.append((row_number, row))
            return Table(headers, rows, file_format, header_row=number)
    raise _no_header(where)


def _check_zip(content: bytes) -> None:
    """An XLSX is a zip: refuse one whose content, once uncompressed, would
    be too large (a "zip bomb"), before any XML is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileRejected(_("Ce classeur XLSX est illisible (archive endommagée).")) from None
    with archive:
        try:
            files.check_uncompressed_size(archive, settings.CATALOGUE_IMPORT_MAX_UNCOMPRESSED_BYTES)
        except files.TooLargeUncompressed as error:
            raise FileRejected(
                _(
                    "Ce classeur XLSX occuperait %(size)s une fois décompressé, au-delà de la "
                    "limite de %(limit)s : il n'est pas lu."
                )
                % {"size": filesizeformat(error.size), "limit": filesizeformat(error.limit)}
            ) from None
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise FileRejected(_("Cette archive n'est pas un classeur XLSX."))


def _read_xlsx(content: bytes, sheet: str = "") -> Table:
    import openpyxl

    _check_zip(content)
    try:
        # Not read-only: merged cells are only known in the normal mode.
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise FileRejected(
            _("Ce classeur XLSX est illisible (%(error)s).") % {"error": type(error).__name__}
        ) from None
    names = workbook.sheetnames
    if sheet and sheet not in names:
        raise FileRejected(
            _("Le classeur n'a pas de feuille « %(sheet)s ». Ses feuilles : %(names)s.")
            % {"sheet": sheet, "names": ", ".join(f"« {name} »" for name in names)}
        )
    candidates = [sheet] if sheet else names
    table = None
    for name in candidates:
        worksheet = workbook[name]
        numbered = _sheet_rows(worksheet)
        try:
            table = _table_from_rows(numbered, "xlsx", _("dans la feuille « %s »") % name)
        except FileRejected:
            if sheet:
                raise
            continue
        table.sheet = name
        break
    if table is None:
        raise FileRejected(
            _(
                "Aucune feuille du classeur n'a de ligne d'en-tête avec les colonnes « ID "
                "Exigence » et « REM ». Ses feuilles : %(names)s."
            )
            % {"names": ", ".join(f"« {name} »" for name in names)}
        )
    table.sheets = names
    modified = workbook.properties.modified
    if modified is not None:
        table.made_at = (
            timezone.make_aware(modified, dt.UTC) if timezone.is_naive(modified) else modified
        )
    return table


def _sheet_rows(worksheet) -> list[tuple[int, list[object]]]:
    """The rows of a sheet with each merged range's value in every one of its cells."""
    fill: dict[tuple[int, int], object] = {}
    for merged in worksheet.merged_cells.ranges:
        value = worksheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                fill[(row, col)] = value
    rows = []
    for cells in worksheet.iter_rows():
        values = []
        number = None
        for cell in cells:
            if number is None and hasattr(cell, "row"):
                number = cell.row
            position = (getattr(cell, "row", 0), getattr(cell, "column", 0))
            values.append(fill.get(position, cell.value))
        if number is not None:
            rows.append((number, values))
    return rows


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_("Ce fichier CSV n'est ni en UTF-8 ni en Windows-1252."))


def _read_csv(content: bytes) -> Table:
    data = _decode(content)
    if "\x00" in data:
        raise FileRejected(_("Ce fichier n'est pas un fichier texte CSV."))
    # The separator is the one that shows the header row (French Excel writes
    # ";", others ","): values full of commas cannot mislead it.
    rejected = None
    for delimiter in (";", ",", "\t"):
        try:
            return _table_from_rows(_csv_rows(data, delimiter), "csv", _("dans le fichier CSV"))
        except FileRejected as error:
            rejected = rejected or error
    raise rejected


def _csv_rows(data: str, delimiter: str) -> list[tuple[int, list[object]]]:
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    numbered = []
    line = 1
    try:
        for row in reader:
            numbered.append((line, [unescape_formula(value) for value in row]))
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileRejected(
            _("Fichier CSV illisible à la ligne %(line)s (%(error)s).")
            % {"line": line, "error": error}
        ) from None
    return numbered


def _read_json(content: bytes) -> Table:
    try:
        data = json.loads(_decode(content))
        holds_nul = _holds_nul(data)
    except json.JSONDecodeError as error:
        raise FileRejected(
            _("Fichier JSON illisible (ligne %(line)s : %(error)s).")
            % {"line": error.lineno, "error": error.msg}
        ) from None
    except RecursionError:  # "[[[[…": the reader goes no deeper than Python's stack
        raise FileRejected(_("Fichier JSON illisible (trop de niveaux imbriqués).")) from None
    if holds_nul:
        raise FileRejected(
            _(
                "Ce fichier JSON contient un caractère nul (U+0000), qu'aucun texte du "
                "portail ne peut garder : il n'est pas lu."
            )
        )
    if isinstance(data, dict):
        data = data.get("exigences", data.get("rows"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileRejected(
            _("Le fichier JSON doit être une liste d'objets, un par exigence et par SONS.")
        )
    headers: list[str] = []
    for item in data:
        headers.extend(name for name in item if name not in headers)
    if not columns.is_header_row(headers):
        raise _no_header(_("dans le fichier JSON"))
    rows = [
        (
            number,
            [_json_cell(value) for value in (item.get(h) for h in headers)],
        )
        for number, item in enumerate(data, 1)
    ]  # fmt: skip
    return Table(headers, rows, "json", header_row=0)


def _holds_nul(value: object) -> bool:
    """Whether a parsed JSON value holds a NUL character anywhere (``"\\u0000"``
    in the file): PostgreSQL refuses it in text (the CSV reader refuses it too)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _json_cell(value: object) -> object:
    """JSON is written by programs, the portal first: its strings are kept exactly."""
    if isinstance(value, str):
        return Exact(value)
    if value is None or isinstance(value, int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False)
