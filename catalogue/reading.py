"""Reading a requirement spreadsheet as the authority sends it.

Real files are messy: title rows above the header, several sheets (hidden
ones, working ones, one holding an API's credentials), merged cells,
``_x000D_`` left by Excel for carriage returns, non-breaking spaces, trailing
blanks, numbers stored as text or as numbers. This module turns the bytes of
an XLSX or ODS workbook, a CSV or a JSON file into a ``Table``: the header
row found wherever it is, each data row with its number as the spreadsheet
shows it.
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
from collections.abc import Callable
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


class NoHeader(FileRejected):
    """The file has no header row of the layout asked for (another kind of
    file may have one)."""


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

XLSX_TYPE = "xlsx"
ODS_TYPE = "ods"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def detect_format(content: bytes, file_name: str) -> str:
    name = file_name.lower()
    head = content[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(
            _(
                "Ce fichier est un classeur Excel 97-2003 (.xls), que le portail ne lit pas : "
                "enregistrez-le au format XLSX (ou ODS, ou CSV) et importez-le de nouveau."
            )
        )
    if head.startswith(b"PK"):
        # An OpenDocument file says what it is in its first entry, "mimetype".
        if b"mimetypeapplication/vnd.oasis.opendocument." in content[:200]:
            if ODS_MIMETYPE not in content[:200] or ODS_MIMETYPE + b"-template" in content[:200]:
                raise FileRejected(
                    _(
                        "Ce fichier OpenDocument n'est pas un classeur (.ods) : enregistrez le "
                        "tableur au format ODS ou XLSX."
                    )
                )
            return ODS_TYPE
        if name.endswith(".ods"):
            raise FileRejected(
                _("Ce fichier porte l'extension .ods mais n'est pas un classeur ODS.")
            )
        return XLSX_TYPE
    if head.startswith(b"%PDF") or not name.endswith((".csv", ".json", ".xlsx", ".ods", ".txt")):
        raise FileRejected(
            _(
                "Type de fichier non pris en charge (« %(name)s ») : importez un classeur XLSX "
                "ou ODS, un fichier CSV ou un export JSON du portail."
            )
            % {"name": file_name}
        )
    if name.endswith(".xlsx"):
        raise FileRejected(_("Ce fichier porte l'extension .xlsx mais n'est pas un classeur XLSX."))
    if name.endswith(".ods"):
        raise FileRejected(_("Ce fichier porte l'extension .ods mais n'est pas un classeur ODS."))
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


@dataclass(frozen=True)
class Layout:
    """What a kind of file looks like: how to recognise its header row, and
    the sheet its exports always use (read alone when it is there)."""

    is_header: Callable[[list[object]], bool]
    sheet: str = ""
    expected: str = ""  # the columns the header must have, for messages


REQUIREMENTS = Layout(
    is_header=columns.is_header_row,
    sheet="export_final",
    expected="« ID Exigence » et « REM »",
)


def read_table(
    content: bytes,
    file_name: str,
    sheet: str = "",
    *,
    layout: Layout = REQUIREMENTS,
) -> Table:
    """The table of a file, or ``FileRejected``."""
    check_size(len(content))
    if not content.strip():
        raise FileRejected(_("Le fichier est vide."))
    file_format = detect_format(content, file_name)
    if file_format in (XLSX_TYPE, ODS_TYPE):
        table = _read_workbook(content, file_format, sheet, layout)
    elif file_format == "csv":
        table = _read_csv(content, layout)
    else:
        table = _read_json(content, layout)
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


def _no_header(where: str, layout: Layout) -> FileRejected:
    return NoHeader(
        _(
            "Aucune ligne d'en-tête trouvée %(where)s : les colonnes %(expected)s sont "
            "attendues dans les %(rows)s premières lignes."
        )
        % {"where": where, "rows": HEADER_SEARCH_ROWS, "expected": layout.expected}
    )


def _table_from_rows(
    numbered: list[tuple[int, list[object]]], file_format: str, where: str, layout: Layout
) -> Table:
    """Find the header row among the first rows, keep the rows below it that
    hold something (a repeat of the header, from a merged header, is skipped)."""
    for position, (number, values) in enumerate(numbered[:HEADER_SEARCH_ROWS]):
        if layout.is_header(values):
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
    raise _no_header(where, layout)


# Sheets that hold what no import may read: logins, passwords, tokens, the
# HTTP headers of an API. Recognised by their name, or by their first cells.
_SECRET_NAME = re.compile(
    r"identifiant|credential|password|passwd|mot[ _-]?de[ _-]?passe|\bmdp\b|token|jeton|"
    r"secret|\bapi\b|header|en-t[êe]te|\bauth|connexion|login",
    re.IGNORECASE,
)
_SECRET_CELL = re.compile(
    r"^(authorization|cookie|set-cookie|x-api-key|api[-_ ]?key|bearer\b|basic\b|"
    r"password|mot de passe|token|client[-_ ]secret)\b\s*[:=]?",
    re.IGNORECASE,
)


def _holds_secrets(numbered: list[tuple[int, list[object]]]) -> bool:
    for _number, values in numbered[:HEADER_SEARCH_ROWS]:
        for value in values:
            if isinstance(value, str) and _SECRET_CELL.match(value.strip()):
                return True
    return False


def _check_zip(content: bytes, file_format: str) -> set[str]:
    """A workbook is a zip: refuse one whose content, once uncompressed, would
    be too large (a "zip bomb"), before any XML is parsed."""
    label = "ODS" if file_format == ODS_TYPE else "XLSX"
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileRejected(
            _("Ce classeur %(format)s est illisible (archive endommagée).") % {"format": label}
        ) from None
    with archive:
        try:
            files.check_uncompressed_size(archive, settings.CATALOGUE_IMPORT_MAX_UNCOMPRESSED_BYTES)
        except files.TooLargeUncompressed as error:
            raise FileRejected(
                _(
                    "Ce classeur %(format)s occuperait %(size)s une fois décompressé, au-delà de "
                    "la limite de %(limit)s : il n'est pas lu."
                )
                % {
                    "format": label,
                    "size": filesizeformat(error.size),
                    "limit": filesizeformat(error.limit),
                }
            ) from None
        names = set(archive.namelist())
    expected = "content.xml" if file_format == ODS_TYPE else "xl/workbook.xml"
    if expected not in names:
        raise FileRejected(_("Cette archive n'est pas un classeur %(format)s.") % {"format": label})
    return names


def _read_workbook(content: bytes, file_format: str, sheet: str, layout: Layout) -> Table:
    """An XLSX or ODS workbook, read by calamine: a stream reader that parses
    only the sheets it is asked for (in seconds, where openpyxl's normal mode
    took a minute on the authority's 22-sheet workbook). A sheet whose name
    or first cells look like credentials or HTTP headers is never read; hidden
    sheets are read only when asked for by name."""
    import python_calamine

    _check_zip(content, file_format)
    label = "ODS" if file_format == ODS_TYPE else "XLSX"
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = list(workbook.sheets_metadata)
    except Exception as error:  # calamine raises its own kinds on a broken file
        raise FileRejected(
            _("Ce classeur %(format)s est illisible (%(error)s).")
            % {"format": label, "error": type(error).__name__}
        ) from None
    names = [meta.name for meta in sheets]
    visible = {meta.name for meta in sheets if str(meta.visible).endswith("Visible")}
    listing = ", ".join(f"« {name} »" for name in names)
    if sheet:
        if sheet not in names:
            raise FileRejected(
                _("Le classeur n'a pas de feuille « %(sheet)s ». Ses feuilles : %(names)s.")
                % {"sheet": sheet, "names": listing}
            )
        candidates = [sheet]
    elif layout.sheet and layout.sheet in names:
        # The export's own sheet; the others are working sheets.
        candidates = [layout.sheet]
    else:
        candidates = [name for name in names if name in visible]
    table = None
    skipped = []
    for name in candidates:
        if _SECRET_NAME.search(name):
            skipped.append(name)
            continue
        try:
            numbered = _sheet_rows(workbook.get_sheet_by_name(name))
        except Exception as error:
            raise FileRejected(
                _("La feuille « %(sheet)s » est illisible (%(error)s).")
                % {"sheet": name, "error": type(error).__name__}
            ) from None
        if _holds_secrets(numbered):
            skipped.append(name)
            continue
        try:
            table = _table_from_rows(
                numbered, file_format, _("dans la feuille « %s »") % name, layout
            )
        except NoHeader:
            if sheet:
                raise
            continue
        table.sheet = name
        break
    if table is None:
        if sheet and skipped:
            raise FileRejected(
                _(
                    "La feuille « %(sheet)s » semble contenir des identifiants ou des en-têtes "
                    "HTTP : elle n'est pas lue."
                )
                % {"sheet": sheet}
            )
        raise NoHeader(
            _(
                "Aucune feuille du classeur n'a de ligne d'en-tête avec les colonnes "
                "%(expected)s. Ses feuilles : %(names)s."
            )
            % {"names": listing, "expected": layout.expected}
        )
    table.sheets = names
    table.made_at = _saved_at(content, file_format)
    return table


def _sheet_rows(worksheet) -> list[tuple[int, list[object]]]:
    """The rows of a sheet, numbered as the spreadsheet shows them, with each
    merged range's value in every one of its cells (people merge a domain
    over the rows it spans)."""
    first_row, first_col = worksheet.start or (0, 0)
    rows = [
        (first_row + index + 1, [None] * first_col + list(values))
        for index, values in enumerate(worksheet.iter_rows())
    ]
    by_number = {number: values for number, values in rows}
    for (top, left), (bottom, right) in worksheet.merged_cell_ranges or ():
        values = by_number.get(top + 1)
        if values is None or left >= len(values):
            continue
        value = values[left]
        for row in range(top + 1, bottom + 2):
            cells = by_number.get(row)
            if cells is None:
                continue
            for col in range(left, min(right + 1, len(cells))):
                if cells[col] in (None, ""):
                    cells[col] = value
    return rows


_DATE_TAGS = {
    XLSX_TYPE: ("docProps/core.xml", "{http://purl.org/dc/terms/}modified"),
    ODS_TYPE: ("meta.xml", "{http://purl.org/dc/elements/1.1/}date"),
}


def _saved_at(content: bytes, file_format: str) -> dt.datetime | None:
    """When the workbook was last saved, as its properties say (a decision
    changed after that is a conflict); None when they say nothing usable."""
    from defusedxml import ElementTree

    path, tag = _DATE_TAGS[file_format]
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if path not in archive.namelist():
                return None
            root = ElementTree.fromstring(archive.read(path))
    except Exception:  # properties are optional: a file without them is still read
        return None
    element = root.find(f".//{tag}")
    if element is None or not (element.text or "").strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(element.text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        # ODS writes local time without a zone; XLSX writes UTC with "Z".
        zone = dt.UTC if file_format == XLSX_TYPE else timezone.get_default_timezone()
        moment = timezone.make_aware(moment, zone)
    return moment


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_("Ce fichier CSV n'est ni en UTF-8 ni en Windows-1252."))


def _read_csv(content: bytes, layout: Layout = REQUIREMENTS) -> Table:
    data = _decode(content)
    if "\x00" in data:
        raise FileRejected(_("Ce fichier n'est pas un fichier texte CSV."))
    # The separator is the one that shows the header row (French Excel writes
    # ";", others ","): values full of commas cannot mislead it.
    rejected = None
    for delimiter in (";", ",", "\t"):
        try:
            return _table_from_rows(
                _csv_rows(data, delimiter), "csv", _("dans le fichier CSV"), layout
            )
        except NoHeader as error:
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


def _read_json(content: bytes, layout: Layout = REQUIREMENTS) -> Table:
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
    if not layout.is_header(headers):
        raise _no_header(_("dans le fichier JSON"), layout)
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
