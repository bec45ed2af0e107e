"""XSS harness (core.testing) on the catalogue's forms, pages and exports:
payloads in an uploaded file's name, sheet and cells, shown escaped
everywhere; the JSON export holds them without markup, the XLSX as text, the
CSV as an attachment that no browser renders."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.samples import Row, authority_workbook
from core.testing import XSS_PAYLOADS, assert_no_xss

from .catalogue_helpers import confirm, dry_run, upload

pytestmark = pytest.mark.django_db


def test_payloads_in_a_rejected_file_are_shown_escaped(client_as):
    lead = client_as("lead")
    rows = [
        Row(f"SC.XSS/{index}", payload, payload, payload, comment=payload)
        for index, payload in enumerate(XSS_PAYLOADS)
    ] + [Row(payload, "LGC", payload, payload) for payload in XSS_PAYLOADS]
    entry = dry_run(lead, authority_workbook(rows), f"{XSS_PAYLOADS[0]}.xlsx")
    assert entry.errors
    for url in (
        reverse("catalogue_import_detail", args=[entry.pk]),
        reverse("catalogue_import_detail", args=[entry.pk]) + "?lignes=all",
        reverse("catalogue_import"),
    ):
        for headers in ({}, {"HX-Request": "true"}):
            page = lead.get(url, headers=headers)
            assert page.status_code == 200
            assert_no_xss(page.content, url)
    # The sheet's name, echoed in the form's error.
    response = upload(lead, authority_workbook(rows[:1]), sheet=XSS_PAYLOADS[1])
    assert response.status_code == 400
    assert_no_xss(response.content, "the sheet error")


@pytest.mark.parametrize("index", range(len(XSS_PAYLOADS)))
def test_payloads_imported_are_escaped_on_every_page_and_export(client_as, index):
    payload = XSS_PAYLOADS[index]
    admin = client_as("admin")
    reference = f"SC.XSS/OK.{index}"
    rows = [
        Row(reference, "LGC", "Modifiée", f"{payload} nouveau", f"{payload} ancien",
            comment=payload, remark=payload, domain=payload[:90], block=payload,
            function=payload),
    ]  # fmt: skip
    entry = confirm(admin, dry_run(admin, authority_workbook(rows), f"{payload}.xlsx"))
    assert entry.status == "done", entry.report
    editor = client_as("editor")
    pages = [
        (admin, reverse("catalogue_import_detail", args=[entry.pk]) + "?lignes=all"),
        (admin, reverse("catalogue_import")),
        (admin, reverse("requirement_detail", args=[reference])),
        (admin, reverse("requirement_diff", args=[reference]) + "?sons=LGC"),
        (admin, reverse("requirement_list") + "?q=SC.XSS"),
        (admin, reverse("requirement_list") + f"?domaine={payload[:90]}"),
        (editor, reverse("requirement_list") + "?q=SC.XSS"),
    ]
    for client, url in pages:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            assert_no_xss(response.content, url)
    exported = admin.get(reverse("requirement_export", args=["json"]) + "?q=SC.XSS")
    assert_no_xss(exported.content, "the JSON export")
    assert json.loads(exported.content)[0]["Commentaire ANS/DNS/CNAM"] == payload
    sheet = load_workbook(
        io.BytesIO(admin.get(reverse("requirement_export", args=["xlsx"]) + "?q=SC.XSS").content)
    ).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    assert {cell.data_type for cell in cells} == {"s"}
    assert payload in [cell.value for cell in cells]
    csv_export = admin.get(reverse("requirement_export", args=["csv"]) + "?q=SC.XSS")
    assert csv_export["Content-Type"].startswith("text/csv")
    assert csv_export["Content-Disposition"].startswith("attachment;")
    assert csv_export["X-Content-Type-Options"] == "nosniff"
