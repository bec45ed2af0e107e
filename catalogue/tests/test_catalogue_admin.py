"""The catalogue's import and export in Django's admin site (issue 5): the
same reading of the authority's file, the same service for decisions."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from arbitrations.models import Arbitration
from catalogue.models import CatalogueImport
from topics.models import Requirement

from .test_catalogue_import import messy_file

pytestmark = pytest.mark.django_db

IMPORT = "/admin/topics/requirementsons/import/"


def test_admin_imports_the_authority_file_through_the_service(client_as):
    admin = client_as("admin")
    page = admin.get(IMPORT)
    assert page.status_code == 200
    assert "ID Exigence" in page.content.decode()
    response = admin.post(
        IMPORT,
        {"format": "0", "import_file": SimpleUploadedFile("exigences.xlsx", messy_file())},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Requirement.objects.filter(reference__startswith="SC.TEST/").exists()
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', html))
    assert "import_file_name" in fields, html[-3000:]
    response = admin.post(
        "/admin/topics/requirementsons/process_import/",
        {k: fields[k] for k in ("import_file_name", "original_file_name", "format", "resource")
         if k in fields},
    )  # fmt: skip
    assert response.status_code == 302
    assert Requirement.objects.filter(reference__startswith="SC.TEST/").count() == 3
    assert (
        Arbitration.objects.filter(requirement__reference="SC.TEST/IMP.01", status="draft").count()
        == 3
    )
    entry = CatalogueImport.objects.latest("pk")
    assert (entry.created, entry.status, entry.file_name) == (5, "done", "exigences.xlsx")


def test_admin_refuses_a_bad_file_with_its_reason(client_as):
    response = client_as("admin").post(
        IMPORT, {"format": "0", "import_file": SimpleUploadedFile("x.xlsx", b"pas un classeur")}
    )
    assert "n&#x27;est pas un classeur XLSX" in response.content.decode()


def test_admin_export_writes_the_portal_layout_as_text(client_as):
    response = client_as("admin").post(
        "/admin/topics/requirementsons/export/", {"format": "0", "resource": "0"}
    )
    assert response.status_code == 200, response.content.decode()[-2000:]
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in next(sheet.iter_rows())]
    assert headers[:2] == ["ID Exigence", "REM"]
    assert "Version : RC juillet 2023" in headers
    assert {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value} == {"s"}
