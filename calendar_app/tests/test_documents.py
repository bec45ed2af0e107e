"""Documents and minutes of an event: PDF, ODT or DOCX, recognised from their
content (not their name), size-limited, served to signed-in people only."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calendar_app.models import Event, EventDocument
from calendar_app.uploads import MAX_UPLOAD_SIZE
from core.testing import unescaped, with_zeros

SLUG = "temps-de-partage-2023-10-12"

# ISO 32000-1, 7.5: a header, a body, a cross-reference table, a trailer.
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer << /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)


def odt() -> bytes:
    """OpenDocument 1.2 part 3, §3.3: ``mimetype`` first, stored uncompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        package.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
            ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def docx() -> bytes:
    """ECMA-376 part 2: [Content_Types].xml declares the main document part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "pas un document")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, name: str, content: bytes, *, kind="minutes", title="Compte rendu"):
    return client.post(
        reverse("document_upload", kwargs={"slug": SLUG}),
        {"kind": kind, "title": title, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "format_"),
    [
        ("cr.pdf", PDF, "application/pdf"),
        ("cr.odt", odt(), "application/vnd.oasis.opendocument.text"),
        (
            "cr.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        # Named wrongly, recognised from its content.
        ("cr.docx", odt(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_pdf_odt_and_docx_are_accepted(client_as, name, content, format_):
    response = upload(client_as("lead"), name, content)
    assert response.status_code == 302
    document = EventDocument.objects.get(event__slug=SLUG)
    assert document.content_type == format_
    assert document.size == len(content)
    assert document.filename == name
    download = client_as("editor").get(
        reverse("document_download", kwargs={"slug": SLUG, "pk": document.pk})
    )
    assert download.status_code == 200
    assert download["Content-Type"] == format_
    assert b"".join(download.streaming_content) == content
    extension = {"application/pdf": ".pdf"}.get(format_, "." + document.format_label.lower())
    assert f'filename="cr{extension}"' in download["Content-Disposition"]
    page = unescaped(client_as("editor").get(reverse("event_detail", kwargs={"slug": SLUG})))
    assert "Compte rendu" in page
    assert "Documents et comptes rendus" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("cr.pdf", PNG), ("cr.docx", plain_zip()), ("cr.odt", b"PK\x03\x04 broken"), ("cr.pdf", b"")],
)
def test_other_files_are_refused_from_their_content(client_as, name, content):
    response = upload(client_as("lead"), name, content, title="Mon compte rendu")
    assert response.status_code == 200
    html = unescaped(response)
    assert (
        "ni un PDF, ni un document ODT, ni un document DOCX" in html
        or "Le fichier soumis est vide" in html
    )
    assert 'value="Mon compte rendu"' in html
    assert not EventDocument.objects.exists()


@pytest.mark.django_db
def test_the_size_is_limited(client_as):
    big = PDF + b"0" * (MAX_UPLOAD_SIZE - len(PDF) + 1)
    response = upload(client_as("lead"), "gros.pdf", big)
    assert response.status_code == 200
    assert "Ce fichier pèse" in unescaped(response)
    assert not EventDocument.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "package", "member"),
    [("cr.docx", docx, "word/media/zeros.bin"), ("cr.odt", odt, "Pictures/zeros.bin")],
)
def test_a_zip_bomb_is_refused_with_why(client_as, settings, name, package, member):
    """A real document with 2 MiB of zeros that deflate to a few kB, against a
    limit of 1 MiB once uncompressed (the default, 100 MiB, is tested in
    core/tests/test_files.py with 1 GiB)."""
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = with_zeros(package(), member, 2 * 1024 * 1024)
    assert len(bomb) < 10 * 1024
    response = upload(client_as("lead"), name, bomb, title="Mon compte rendu")
    assert response.status_code == 200
    html = unescaped(response)
    assert (
        "Ce fichier occuperait 2,0\xa0Mio une fois décompressé, au-delà de la limite de "
        "1,0\xa0Mio : il est refusé." in html
    )
    assert 'value="Mon compte rendu"' in html
    assert not EventDocument.objects.exists()
    # The same document without its zeros is taken: the size is refused, not the format.
    assert upload(client_as("lead"), name, package()).status_code == 302


@pytest.mark.django_db
def test_documents_are_for_signed_in_people_and_leads_manage_them(
    client_as, django_capture_on_commit_callbacks
):
    upload(client_as("lead"), "cr.pdf", PDF)
    document = EventDocument.objects.get()
    url = reverse("document_download", kwargs={"slug": SLUG, "pk": document.pk})
    assert client_as("anonymous").get(url).status_code == 302
    assert upload(client_as("editor"), "cr.pdf", PDF).status_code == 403
    delete = reverse("document_delete", kwargs={"slug": SLUG, "pk": document.pk})
    assert client_as("federation").post(delete).status_code == 403
    path = document.file.path
    with django_capture_on_commit_callbacks(execute=True):
        assert client_as("lead2").post(delete).status_code == 302
    assert not EventDocument.objects.exists()
    assert not os.path.exists(path)  # the file goes with its row
    # Through another event's address: not found.
    upload(client_as("lead"), "cr.pdf", PDF)
    other = reverse(
        "document_download",
        kwargs={"slug": "atelier-n1-n3-2023-10-03", "pk": EventDocument.objects.get().pk},
    )
    assert client_as("editor").get(other).status_code == 404
    assert Event.objects.get(slug=SLUG).documents.count() == 1
