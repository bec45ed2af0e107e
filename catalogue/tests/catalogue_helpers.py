"""Helpers of the catalogue's tests: building files, importing them as a
person does through the pages."""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import CatalogueImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, content: bytes, name: str = "exigences.xlsx", **fields):
    """Post a file to the import page; returns the response (not followed)."""
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return client.post(reverse("catalogue_import"), data)


def dry_run(client, content: bytes, name: str = "exigences.xlsx", **fields) -> CatalogueImport:
    response = upload(client, content, name, **fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    pk = int(re.search(r"/import/(\d+)/", response["Location"]).group(1))
    return CatalogueImport.objects.get(pk=pk)


def confirm(client, entry: CatalogueImport, publish: bool = False) -> CatalogueImport:
    data = {"publish": "on"} if publish else {}
    response = client.post(reverse("catalogue_import_confirm", args=[entry.pk]), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    return entry


def rows_by(entry: CatalogueImport) -> dict[tuple[str, str], dict]:
    return {(row["reference"], row["sons"]): row for row in entry.report["rows"]}


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
