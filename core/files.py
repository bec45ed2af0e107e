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

A package (ODT, DOCX, XLSX) is a ZIP: one that would hold more than
``UPLOAD_MAX_UNCOMPRESSED_BYTES`` once uncompressed (a "zip bomb": 1 MiB of
zeros compressed, 1 GiB uncompressed) is refused before any member is read
(``TooLargeUncompressed``). The catalogue import applies the same check with
its own limit.
"""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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
MAX_MEMBERS = 10_000  # a document has dozens; a million empty entries is an attack too


class TooLargeUncompressed(Exception):
    """A package that would be too large once uncompressed (a zip bomb)."""

    def __init__(self, size: int, members: int, limit: int):
        super().__init__(f"{size} bytes in {members} members once uncompressed (limit {limit})")
        self.size, self.members, self.limit = size, members, limit

    @property
    def message(self) -> str:
        """Why, in words for the person who sent it."""
        if self.members > MAX_MEMBERS:
            return _("Ce fichier compte %(count)s éléments compressés : %(max)s au plus.") % {
                "count": self.members,
                "max": MAX_MEMBERS,
            }
        return _(
            "Ce fichier occuperait %(size)s une fois décompressé, au-delà de la limite de "
            "%(limit)s : il est refusé."
        ) % {"size": filesizeformat(self.size), "limit": filesizeformat(self.limit)}


def check_uncompressed_size(package: zipfile.ZipFile, limit: int) -> None:
    """Refuse (``TooLargeUncompressed``) a ZIP whose members would hold more
    than ``limit`` bytes once uncompressed, or that has too many members,
    from its directory alone: nothing is uncompressed. Python's zipfile never
    reads a member past the size the directory gives it."""
    members = package.infolist()
    size = sum(member.file_size for member in members)
    if size > limit or len(members) > MAX_MEMBERS:
        raise TooLargeUncompressed(size, len(members), limit)


def sniff(upload) -> str | None:
    """The MIME type of an uploaded file's content (one of PDF, ODT, DOCX,
    XLSX above), or None. Leaves the file at its start. Raises
    ``TooLargeUncompressed`` for a package past the limit."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" in head:
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as package:
            check_uncompressed_size(package, settings.UPLOAD_MAX_UNCOMPRESSED_BYTES)
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
