"""Files people download: spreadsheets (XLSX) and the PDF decision record.

Spreadsheets hold text only: every cell is written as a string, never as a
formula or a number, so that a comment starting with "=" opens as the text
it is, not as a formula (CSV/formula injection)."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text_cell(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    text = "" if value is None else str(value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    # openpyxl reads "=…" as a formula: force a string, whatever it holds.
    cell.data_type = "s"
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_response(
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[int] = (),
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_text_cell(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- PDF ------------------------------------------------------------------------------


class PdfUnavailable(Exception):
    """WeasyPrint cannot run here (Debian's pango libraries are missing)."""


def static_file(url: str) -> tuple[bytes, str] | None:
    """The bytes and type of one of our static files named by ``url``, read
    from disk (the finders, else STATIC_ROOT); None for anything else."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.STATIC_URL):
        return None
    relative = path[len(settings.STATIC_URL) :]
    found = finders.find(relative) or _collected(relative)
    if not found:
        return None
    mime_type, _ = mimetypes.guess_type(found)
    return Path(found).read_bytes(), mime_type or "application/octet-stream"


def _fetcher_class(weasyprint_urls):
    class StaticFilesFetcher(weasyprint_urls.URLFetcher):
        """Static files from disk; nothing is ever fetched over the network."""

        def fetch(self, url, headers=None):
            found = static_file(url)
            if found is None:
                raise ValueError(f"Refusing to fetch {url!r}: only our static files are read")
            body, mime_type = found
            return weasyprint_urls.URLFetcherResponse(
                url, body, {"Content-Type": mime_type}, status=200
            )

    return StaticFilesFetcher


def _collected(relative: str) -> str | None:
    candidate = Path(settings.STATIC_ROOT) / relative
    return str(candidate) if candidate.is_file() else None


def render_pdf(html: str, base_url: str) -> bytes:
    """The PDF of an HTML page. Raises PdfUnavailable when WeasyPrint's system
    libraries (pango) cannot be loaded."""
    try:
        import weasyprint
        import weasyprint.urls
    except OSError as error:  # cffi could not dlopen pango/gobject
        logger.error("WeasyPrint unavailable: %s", error)
        raise PdfUnavailable(str(error)) from error
    fetcher = _fetcher_class(weasyprint.urls)()
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
