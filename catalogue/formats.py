"""File formats of the catalogue (django-import-export formats).

Exports never let a spreadsheet evaluate a value: in XLSX every cell is
written as text (never a formula, never a number); in CSV a value starting
with =, +, -, @, a tab or a carriage return, or one that a spreadsheet
would read as a number, a date, a time or a truth value ("5:9:1", "007",
"1/2", "1E3", "VRAI"), is written after an apostrophe, which the import
removes again (reading.escape_formula / unescape_formula).
Imports read the authority's files as they are (reading.read_table): the
admin's import page uses these formats too.
"""

from __future__ import annotations

import csv
import io
import json

import tablib
from import_export.formats import base_formats
from openpyxl import Workbook

from core.spreadsheets import Column, sheet_title, write_sheet

from . import columns
from .engine import dataset_from_table
from .reading import FileRejected, escape_formula, read_table


def _cell_text(value) -> str:
    return "" if value is None else str(value)


class _CatalogueFormat:
    """Reads the whole file itself (title rows, sheets, merged cells…)."""

    extension = ""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return self.extension

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode()
        return dataset_from_table(read_table(in_stream, f"import.{self.extension}"))

    def can_import(self):
        return True

    def can_export(self):
        return True


class CatalogueODS(_CatalogueFormat, base_formats.ODS):
    """Imports only (LibreOffice's own format): exports are XLSX, CSV, JSON."""

    extension = "ods"

    def get_title(self):
        return "ods"

    def can_export(self):
        return False


class CatalogueCSV(_CatalogueFormat, base_formats.CSV):
    extension = "csv"

    def get_title(self):
        return "csv"

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> str:
        buffer = io.StringIO(newline="")
        # A BOM and semicolons: what Excel in French opens directly; LibreOffice asks.
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([escape_formula(_cell_text(h)) for h in dataset.headers])
        for row in dataset:
            writer.writerow([escape_formula(_cell_text(value)) for value in row])
        return buffer.getvalue()


class CatalogueXLSX(_CatalogueFormat, base_formats.XLSX):
    extension = "xlsx"

    def get_title(self):
        return "xlsx"

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        # Text cells only (core.spreadsheets: "=SOMME(A1)" stays words, "007"
        # keeps its zeros), Markdown kept as written: the import reads it back.
        columns = [Column(header, _width(header)) for header in dataset.headers]
        title = dataset.title or "Exigences"
        workbook = Workbook()
        write_sheet(workbook.active, columns, list(dataset), freeze="C2")
        workbook.active.title = sheet_title(title)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _width(header: str) -> int:
    """Room for statements and comments; a reference or a SONS code is short."""
    key = columns.column_of(header)
    if key in (columns.STATEMENT, columns.COMMENT, columns.REMARK) or (key or "").startswith(
        columns.VERSION_PREFIX
    ):
        return 60
    return {columns.REFERENCE: 22, columns.SONS: 8, columns.TOPIC: 30}.get(key, 16)


class CatalogueJSON(_CatalogueFormat, base_formats.JSON):
    extension = "json"

    def get_title(self):
        return "json"

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> str:
        rows = [
            {header: _cell_text(value) for header, value in zip(dataset.headers, row, strict=True)}
            for row in dataset
        ]
        text = json.dumps(rows, ensure_ascii=False, indent=2)
        # The same data, but no "<" or "&" a browser could take for markup
        # (as Django's json_script does): JSON readers decode it unchanged.
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


FORMATS = {"csv": CatalogueCSV, "xlsx": CatalogueXLSX, "json": CatalogueJSON}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

__all__ = ["CONTENT_TYPES", "FORMATS", "FileRejected"]
