"""Files people download: the decisions as spreadsheets (XLSX, through
core.spreadsheets: text cells never evaluated, real dates, plain text for
Markdown) and the PDF decision record.

The columns of a spreadsheet of decisions are one spec, ``DECISION_COLUMNS``:
"Mes décisions" and the decision records (of a session, of a topic) each
show a selection of them."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext_lazy as _

from core.spreadsheets import DATETIME, MARKDOWN, Column

from .models import Arbitration

logger = logging.getLogger(__name__)


# --- Spreadsheets of decisions ---------------------------------------------------------


@dataclass(frozen=True)
class DecisionRow:
    """One decision as a spreadsheet shows it: on a requirement (or, when
    None, on its topic itself), for some SONS (``codes``), and in "Mes
    décisions" the decision it replaced for that SONS."""

    arbitration: Arbitration
    requirement: object | None
    topic: object | None
    codes: str
    previous: Arbitration | None = None


def _subject(row: DecisionRow) -> str:
    return row.requirement.reference if row.requirement else str(_("Le sujet lui-même"))


DECISION_COLUMNS = {
    "topic": Column(_("Sujet"), 40, value=lambda r: r.topic.label if r.topic else ""),
    "subject": Column(_("Exigence"), 22, value=_subject),
    "sons": Column(_("SONS"), 14, value=lambda r: r.codes),
    "decision": Column(_("Arbitrage"), 22, value=lambda r: r.arbitration.get_decision_display()),
    "comment": Column(_("Commentaire"), 70, MARKDOWN, value=lambda r: r.arbitration.comment),
    "statement": Column(
        _("Nouvel énoncé"), 70, MARKDOWN, value=lambda r: r.arbitration.new_statement
    ),
    "session": Column(
        _("Annoncé lors de"),
        30,
        value=lambda r: r.arbitration.session.title if r.arbitration.session else "",
    ),
    "status": Column(_("Statut"), 12, value=lambda r: r.arbitration.get_status_display()),
    "published": Column(_("Publié le"), 17, DATETIME, value=lambda r: r.arbitration.published_at),
    "previous": Column(
        _("Arbitrage précédent"),
        22,
        value=lambda r: r.previous.get_decision_display() if r.previous else "",
    ),
}


def decision_columns(*names: str) -> list[Column]:
    return [DECISION_COLUMNS[name] for name in names]


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
    mime_type, _encoding = mimetypes.guess_type(found)
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
    """The PDF of an HTML page, tagged for assistive technologies (RGAA):
    PDF/UA-1 as far as WeasyPrint goes — a structure tree from the HTML's
    headings, paragraphs and lists, the language of ``<html lang>`` as /Lang,
    fonts embedded, the title shown. Raises PdfUnavailable when WeasyPrint's
    system libraries (pango) cannot be loaded."""
    try:
        import weasyprint
        import weasyprint.urls
    except OSError as error:  # cffi could not dlopen pango/gobject
        logger.error("WeasyPrint unavailable: %s", error)
        raise PdfUnavailable(str(error)) from error
    fetcher = _fetcher_class(weasyprint.urls)()
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")
