"""What an uploaded document really is, read from its content, never from its
name or the browser's word: PDF, OpenDocument text (ODT) or Word (DOCX).

PDF is recognised by its header (ISO 32000: ``%PDF-`` in the first 1024
bytes). ODT and DOCX are ZIP packages: an ODT starts with an uncompressed
``mimetype`` entry saying ``application/vnd.oasis.opendocument.text``
(OpenDocument 1.2, part 3, §3.3); a DOCX has ``[Content_Types].xml`` that
declares a ``wordprocessingml.document.main+xml`` part (ECMA-376, part 2).
Generic detectors (puremagic, filetype) take any ZIP for a DOCX, and
libmagic would be a system dependency: the standard library reads the
package itself.
"""

from __future__ import annotations

import zipfile

from .models import EventDocument

MAX_UPLOAD_SIZE = 20 * 1024 * 1024  # 20 Mio

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN_PART = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def sniff(upload) -> str | None:
    """The ``EventDocument.Format`` of an uploaded file, or None."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" in head:
        return EventDocument.Format.PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
            if names and names[0] == "mimetype":
                info = package.getinfo("mimetype")
                if info.file_size <= 100 and package.read("mimetype").strip() == ODT_MIMETYPE:
                    return EventDocument.Format.ODT
                return None
            if "[Content_Types].xml" in names:
                info = package.getinfo("[Content_Types].xml")
                if info.file_size <= 1024 * 1024 and DOCX_MAIN_PART in package.read(
                    "[Content_Types].xml"
                ):
                    return EventDocument.Format.DOCX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None
