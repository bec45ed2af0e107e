"""Zip bombs: a document (ODT, DOCX, XLSX: all zips) that would be too large
once uncompressed is refused from the archive's directory, before anything
is uncompressed — the same check for event documents, feedback attachments
and the catalogue import, each with its limit."""

from __future__ import annotations

import io
import zipfile
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import files
from core.testing import with_zeros

GIB = 1024**3


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@cache
def docx_with_a_gibibyte_of_zeros() -> bytes:
    return with_zeros(docx(), "word/media/zeros.bin", GIB)


def test_the_issue_s_docx_a_mebibyte_holding_a_gibibyte_of_zeros_is_refused_by_default():
    bomb = docx_with_a_gibibyte_of_zeros()
    assert len(bomb) < 1.1 * 1024 * 1024
    assert files.sniff(SimpleUploadedFile("cr.docx", docx())) == files.DOCX
    with pytest.raises(files.TooLargeUncompressed) as refused:
        files.sniff(SimpleUploadedFile("cr.docx", bomb))
    assert refused.value.size > GIB
    assert refused.value.limit == 100 * 1024 * 1024  # UPLOAD_MAX_UNCOMPRESSED_BYTES' default
    assert refused.value.message == (
        "Ce fichier occuperait 1,0\xa0Gio une fois décompressé, au-delà de la limite de "
        "100,0\xa0Mio : il est refusé."
    )


def test_the_limit_is_a_setting(settings):
    package = with_zeros(docx(), "word/media/zeros.bin", 300 * 1024)
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 400 * 1024
    assert files.sniff(SimpleUploadedFile("cr.docx", package)) == files.DOCX
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 200 * 1024
    with pytest.raises(files.TooLargeUncompressed):
        files.sniff(SimpleUploadedFile("cr.docx", package))


def test_a_package_of_too_many_members_is_refused():
    buffer = io.BytesIO(docx())
    with zipfile.ZipFile(buffer, "a") as package:
        for number in range(files.MAX_MEMBERS):
            package.writestr(f"word/media/{number}.xml", "")
    with pytest.raises(files.TooLargeUncompressed) as refused:
        files.sniff(SimpleUploadedFile("cr.docx", buffer.getvalue()))
    assert refused.value.message == "Ce fichier compte 10002 éléments compressés : 10000 au plus."
