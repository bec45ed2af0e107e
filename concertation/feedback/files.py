"""What a feedback attachment really is, read from its content (``core.files``),
never from its name or the browser's word: PDF, ODT, DOCX or XLSX.

The name's extension must say the same thing as the content: a ZIP renamed
``.docx`` is no DOCX, an XLSX renamed ``.odt`` is refused.
"""

from __future__ import annotations

from pathlib import PurePath

from core import files as core_files

from .models import FeedbackAttachment

Format = FeedbackAttachment.Format

EXTENSIONS = {".pdf": Format.PDF, ".odt": Format.ODT, ".docx": Format.DOCX, ".xlsx": Format.XLSX}


def sniff(upload) -> str | None:
    """The ``FeedbackAttachment.Format`` of an uploaded file's content, or None."""
    found = core_files.sniff(upload)
    return found if found in Format.values else None


def recognise(upload) -> str | None:
    """The format when the content is one we take and the name's extension
    says the same thing; None otherwise."""
    found = sniff(upload)
    if found is None:
        return None
    claimed = EXTENSIONS.get(PurePath(upload.name or "").suffix.lower())
    return found if claimed == found else None
