"""What an uploaded document really is, read from its content, never from its
name or the browser's word: PDF, OpenDocument text (ODT), Word (DOCX) or
Excel (XLSX). Event documents (calendar_app) and feedback attachments
(arbitrations) both ask here, each keeping the formats it takes.

- PDF: the ``%PDF-`` header in the first 1024 bytes (ISO 32000).
- ODT: a ZIP whose first entry is an uncompressed ``mimetype`` saying
  ``application/vnd.oasis.opendocument.text`` (OpenDocument 1.2, part 3, §3.3).
- DOCX / XLSX: a ZIP with ``[Content_Types].xml`` declaring the main part
  (``wordprocessingml.document.main+xml`` / ``spreadsheetml.sheet.main+xml``)
  and the matching ``word/`` or ``xl/`` folder (ECMA-376, part 2).

Generic detectors (puremagic, filetype) take any ZIP for a DOCX, and
libmagic would be a system dependency: the standard library reads the
package itself.
"""

from __future__ import annotations

import zipfile

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ODT_MIMETYPE = ODT.encode()
_OOXML_MAIN_PARTS = (
    (
        DOCX,
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "word/",
    ),
    (XLSX, b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/"),
)
MAX_MEMBER_BYTES = 1024 * 1024  # the small descriptive entries read to decide


def sniff(upload) -> str | None:
    """The MIME type of an uploaded file's content (one of PDF, ODT, DOCX,
    XLSX above), or None. Leaves the file at its start."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" in head:
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
            if names and names[0] == "mimetype":
                info = package.getinfo("mimetype")
                if info.file_size <= 100 and package.read("mimetype").strip() == _ODT_MIMETYPE:
                    return ODT
                return None
            if "[Content_Types].xml" not in names:
                return None
            if package.getinfo("[Content_Types].xml").file_size > MAX_MEMBER_BYTES:
                return None
            types = package.read("[Content_Types].xml")
            for mime, main_part, folder in _OOXML_MAIN_PARTS:
                if main_part in types and any(name.startswith(folder) for name in names):
                    return mime
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


class DocumentFormatMixin:
    """For a model with a ``Format`` TextChoices of the types above (labels
    "PDF", "DOCX"…) and a ``content_type`` field: how to name its file."""

    @property
    def extension(self) -> str:
        return "." + self.Format(self.content_type).label.lower()

    @property
    def format_label(self) -> str:
        return self.Format(self.content_type).label
