"""What a feedback attachment really is, read from its content, never from
its name or the browser's word: PDF, ODT, DOCX or XLSX.

- PDF: the ``%PDF-`` header in the first 1024 bytes (ISO 32000).
- ODT: a ZIP whose first entry is an uncompressed ``mimetype`` saying
  ``application/vnd.oasis.opendocument.text`` (OpenDocument 1.2, part 3).
- DOCX / XLSX: a ZIP with ``[Content_Types].xml`` declaring the main part
  (``wordprocessingml.document.main+xml`` / ``spreadsheetml.sheet.main+xml``)
  and the matching ``word/`` or ``xl/`` folder (ECMA-376, part 2).

The name's extension must say the same thing as the content: a ZIP renamed
``.docx`` is no DOCX, an XLSX renamed ``.odt`` is refused.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from .models import FeedbackAttachment

Format = FeedbackAttachment.Format

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
EXTENSIONS = {".pdf": Format.PDF, ".odt": Format.ODT, ".docx": Format.DOCX, ".xlsx": Format.XLSX}
MAX_MEMBER_BYTES = 1024 * 1024  # the small descriptive entries read to decide


def sniff(upload) -> str | None:
    """The ``FeedbackAttachment.Format`` of an uploaded file's content, or None."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" in head:
        return Format.PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
            if names and names[0] == "mimetype":
                info = package.getinfo("mimetype")
                if info.file_size <= 100 and package.read("mimetype").strip() == ODT_MIMETYPE:
                    return Format.ODT
                return None
            if "[Content_Types].xml" not in names:
                return None
            if package.getinfo("[Content_Types].xml").file_size > MAX_MEMBER_BYTES:
                return None
            types = package.read("[Content_Types].xml")
            if DOCX_MAIN in types and any(name.startswith("word/") for name in names):
                return Format.DOCX
            if XLSX_MAIN in types and any(name.startswith("xl/") for name in names):
                return Format.XLSX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def recognise(upload) -> str | None:
    """The format when the content is one we take and the name's extension
    says the same thing; None otherwise."""
    found = sniff(upload)
    if found is None:
        return None
    claimed = EXTENSIONS.get(PurePath(upload.name or "").suffix.lower())
    return found if claimed == found else None
