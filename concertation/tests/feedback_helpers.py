"""Real files for attachment tests, built with the standard library as the
formats define them (no fixture file to trust), and shortcuts to file
feedback through the real forms."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT_TYPE = "application/vnd.oasis.opendocument.text"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{main}"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{part}"/></Relationships>'
)


def docx_bytes(text: str = "Proposition de la fédération") -> bytes:
    """A minimal WordprocessingML package (ECMA-376): content types, the
    package relationship and word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                part="word/document.xml",
                main="application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document.main+xml",
            ),
        )
        package.writestr("_rels/.rels", RELS.format(part="word/document.xml"))
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    """A real workbook, written by openpyxl."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Impact"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    """A minimal OpenDocument text: the uncompressed ``mimetype`` first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        package.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
        package.writestr(
            "content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content/>'
        )
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "pas un document")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def feedback_post(**overrides) -> dict:
    """A complete, valid feedback on SC.DMP/UX.10 (topic 9), as the form posts it."""
    from topics.models import Requirement, Sons

    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    data = {
        "sujet": str(requirement.topic.number),
        "kind": "change_request",
        "requirements": [str(requirement.pk)],
        "sons": [str(Sons.objects.get(code="LGC").pk)],
        "current_wording": "Le système DOIT permettre l'alimentation du DMP.",
        "proposed_wording": "Le système DOIT permettre l'alimentation du DMP, "
        "sauf refus du patient tracé.",
        "argument": "Les éditeurs LGC ne peuvent pas tracer le refus autrement.",
        "impact_effort": "20 jours-homme",
        "impact_cost": "",
        "impact_deadline": "Trois mois après publication",
        "impact_feasibility": "Faisable",
        "new_element": "Nouvelle doctrine CNIL publiée après l'arbitrage.",
        "brouillon": "1",
    }
    data.update(overrides)
    return data
