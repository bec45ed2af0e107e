"""Event documents: PDF, ODT or DOCX, recognised from their content
(``core.files``), never from their name or the browser's word."""

from __future__ import annotations

from core import files

from .models import EventDocument

MAX_UPLOAD_SIZE = 20 * 1024 * 1024  # 20 Mio


def sniff(upload) -> str | None:
    """The ``EventDocument.Format`` of an uploaded file, or None (an XLSX too:
    events take no spreadsheet)."""
    found = files.sniff(upload)
    return found if found in EventDocument.Format.values else None
