"""The next iteration (issue 17): the authority's test-management export
(IT3, sheet ``export_final``) after the IT2 file — references without "SC."
and renamed ones matched once a lead confirms, HIDEME rows for leads only,
HTML cells kept as text, rows that cannot be read skipped with their
reason — and the comparison of any two iterations."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.models import CatalogueImport
from catalogue.samples import SECRET_TOKEN, it2_rows, it2_workbook, it3_plan, it3_workbook
from core.testing import unescaped
from topics.models import IterationEntry, ReferenceAlias, Requirement, RequirementSons

from .catalogue_helpers import confirm, dry_run

pytestmark = pytest.mark.django_db

# The numbers for the IT3 export.
IT3_ROWS, HIDEME, EMPTY, DUPLICATES = 1312, 302, 23, 9


@pytest.fixture
def it3(client_as, settings):
    settings.CATALOGUE_IMPORT_ASYNC_ROWS = 5000
    settings.CATALOGUE_IMPORT_ASYNC_BYTES = 10 * 1024 * 1024
    admin = client_as("admin")
    rows = it2_rows()
    confirm(admin, dry_run(admin, it2_workbook(rows), "IT2.xlsx"), publish=True)
    plan = it3_plan(rows)
    return {"client": admin, "plan": plan, "content": it3_workbook(plan)}


def import_it3(it3) -> CatalogueImport:
    """Check, confirm the proposed matches (all), check again, import."""
    admin = it3["client"]
    checked = dry_run(admin, it3["content"], "export_recette_IT3.xlsx", publish="on")
    proposals = checked.report["proposals"]
    response = admin.post(
        reverse("catalogue_import_matches", args=[checked.pk]),
        {"accepted": [p["reference"] for p in proposals]},
    )
    assert response.status_code == 302
    fresh = CatalogueImport.objects.latest("pk")
    assert fresh.pk != checked.pk
    return confirm(admin, fresh, publish=True)


def test_the_export_waits_for_the_lead_to_confirm_matches(it3):
    admin, plan = it3["client"], it3["plan"]
    checked = dry_run(admin, it3["content"], "export_recette_IT3.xlsx")
    assert checked.status == CatalogueImport.Status.CHECKED, checked.message
    # Read from export_final only: the 21 other sheets are working sheets.
    assert checked.sheet == "export_final"
    assert len(checked.sheets) == 22
    assert checked.rows == IT3_ROWS
    assert checked.errors == 0
    # Rows whose reference waits for a match are not read further yet.
    assert checked.to_confirm > 0
    assert checked.hidden < HIDEME
    assert checked.skipped >= EMPTY
    assert checked.report["iteration"] == "IT3"
    assert "Profil" in checked.report["ignored_columns"]
    proposals = {p["reference"]: p for p in checked.report["proposals"]}
    # References written without "SC.": the same requirement.
    assert proposals["DMP/HISTO.06"]["target"] == "SC.DMP/HISTO.06"
    assert proposals["DMP/HISTO.06"]["kind"] == "same"
    # Renamed ones ("anciennement SC.…" in the comment): the new name.
    for new, old in plan.renamed.items():
        assert proposals[new]["kind"] == "renamed", new
        assert proposals[new]["target"] == old
        assert proposals[new]["new_reference"] == "SC." + new
    # New requirements are not matched to anything.
    assert "APCV.01" not in proposals
    assert checked.to_confirm > 0
    # Nothing can be confirmed while matches wait.
    page = admin.get(reverse("catalogue_import_detail", args=[checked.pk])).content.decode()
    assert "Confirmer ces correspondances" in page
    assert "Confirmer l’import" not in page
    response = admin.post(reverse("catalogue_import_confirm", args=[checked.pk]))
    assert response.status_code == 302
    checked.refresh_from_db()
    assert checked.status == CatalogueImport.Status.CHECKED
    # A sheet of credentials is never read: the secret is nowhere.
    assert SECRET_TOKEN not in str(checked.report)
    assert SECRET_TOKEN not in page


def test_the_export_imports_once_the_matches_are_confirmed(it3, client_as):
    plan = it3["plan"]
    done = import_it3(it3)
    assert done.status == CatalogueImport.Status.DONE, (done.message, done.report["base_errors"])
    assert (done.to_confirm, done.errors, done.hidden) == (0, 0, HIDEME)
    assert done.skipped == EMPTY + DUPLICATES
    reasons = [r["messages"][0] for r in done.report["rows"] if r["status"] == "skipped"]
    assert sum("L'énoncé de l'exigence est vide" in reason for reason in reasons) == EMPTY
    assert sum(reason.startswith("Doublon : la ligne") for reason in reasons) == DUPLICATES
    # The aliases are remembered: the same file again needs no confirmation.
    assert ReferenceAlias.objects.filter(reference="DMP/HISTO.06").exists()
    again = dry_run(it3["client"], it3["content"], "export_recette_IT3.xlsx", publish="on")
    assert (again.to_confirm, again.errors) == (0, 0)
    assert again.created == 0
    # Renamed: the new name, and the old one leads to it and is found.
    new, old = next(iter(plan.renamed.items()))
    assert Requirement.objects.filter(reference="SC." + new).exists()
    assert not Requirement.objects.filter(reference=old).exists()
    editor = client_as("editor")
    response = editor.get(f"/exigences/{old}")
    assert response.status_code == 302
    assert response["Location"] == f"/exigences/SC.{new}"
    found = unescaped(editor.get(reverse("requirement_list"), {"q": old}))
    assert f"SC.{new}" in found
    # HTML cells are text: no tag, entities read.
    statements = RequirementSons.objects.filter(requirement__reference="APCV.01")
    assert statements.exists()
    for row in statements:
        assert "<" not in row.statement, row.statement
        assert "&" not in row.statement, row.statement
        assert "l'_élément_" in row.statement


def test_hideme_rows_reach_leads_only(it3, client_as):
    import_it3(it3)
    hidden = IterationEntry.objects.filter(hidden=True)
    assert hidden.count() == HIDEME
    # A requirement the authority published nowhere: no SONS' set holds it.
    only_hidden = {
        e.requirement.reference
        for e in hidden.select_related("requirement")
        if not RequirementSons.objects.filter(requirement=e.requirement).exists()
    }
    assert only_hidden
    reference = sorted(only_hidden)[0]
    editor, lead = client_as("editor"), client_as("lead")
    assert editor.get(reverse("requirement_detail", args=[reference])).status_code == 404
    results = editor.get(
        reverse("requirement_list"), {"q": reference}, headers={"HX-Request": "true"}
    )
    assert reference not in unescaped(results)
    assert reference not in editor.get(
        reverse("requirement_export", args=["csv"]) + f"?q={reference}"
    ).content.decode("utf-8-sig")
    assert lead.get(reverse("requirement_detail", args=[reference])).status_code == 200
    compare_url = reverse("iteration_compare") + "?de=IT2&a=IT3"
    for client, sees in ((editor, False), (lead, True)):
        page = unescaped(client.get(compare_url + "&changement=&sons="))
        assert ("Masquée (HIDEME)" in page) is sees
        export = client.get(reverse("iteration_compare_export", args=["csv"]) + "?de=IT2&a=IT3")
        text = export.content.decode("utf-8-sig")
        assert ("HIDEMENOTE" in text) is sees  # the internal note of hidden rows
        assert (reference in text) is sees


def test_iterations_compare_per_sons_topic_and_catalogue(it3, client_as):
    plan = it3["plan"]
    import_it3(it3)
    editor = client_as("editor")
    expected = plan.per_sons
    # Per SONS, as the export was built: new, removed, statement and decision changes.
    for code, tally in expected.items():
        sons = "SGL" if code == "BIO" else code
        response = editor.get(
            reverse("iteration_compare_export", args=["csv"]) + f"?de=IT2&a=IT3&sons={sons}"
        )
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        header, body = rows[0], rows[1:]
        kinds = [row[header.index("Changements")] for row in body]
        assert sum("Nouvelle" in k for k in kinds) == tally["new"], code
        assert sum("Retirée" in k for k in kinds) == tally["removed"], code
        assert sum("Énoncé modifié" in k for k in kinds) == tally["statement"], code
        assert sum("Arbitrage changé" in k for k in kinds) == tally["decision"], code
        assert not any("Masquée" in k for k in kinds)
    # Leads see what was hidden, counted apart.
    lead = client_as("admin")
    workbook = load_workbook(
        io.BytesIO(
            lead.get(reverse("iteration_compare_export", args=["xlsx"]) + "?de=IT2&a=IT3").content
        )
    )
    sheet = workbook.active
    header = [cell.value for cell in next(sheet.iter_rows())]
    kinds = [row[header.index("Changements")].value for row in sheet.iter_rows(min_row=2)]
    assert sum("Masquée (HIDEME)" in k for k in kinds) == sum(
        t["hidden"] for t in expected.values()
    )
    # The page: a word diff for a reviewed statement, per topic too.
    page = editor.get(reverse("iteration_compare") + "?de=IT2&a=IT3&changement=statement")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<ins>" in html
    assert "exporter et archiver" in unescaped(page)
    fragment = editor.get(
        reverse("iteration_compare") + "?de=IT2&a=IT3&sujet=1", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()


def test_the_export_in_ods_reads_as_the_xlsx(client_as, settings):
    """LibreOffice's own format: the same rows, the same result."""
    from catalogue.samples import IT2_HEADERS, ods_workbook

    settings.CATALOGUE_IMPORT_ASYNC_ROWS = 5000
    admin = client_as("admin")
    rows = it2_rows()[:60]
    content = ods_workbook(
        {
            "Brouillon caché": [["ID Exigence", "REM"], ["SC.CACHEE.01", "LGC"]],
            "Exigences": [["Itération #2"], IT2_HEADERS, *[row.values() for row in rows]],
        },
        hidden={"Brouillon caché"},
    )
    entry = dry_run(admin, content, "IT2.ods")
    assert entry.status == CatalogueImport.Status.CHECKED, entry.message
    assert (entry.file_format, entry.sheet, entry.report["header_row"]) == ("ods", "Exigences", 2)
    assert entry.rows == 60
    assert entry.made_at is not None  # LibreOffice's save date (meta.xml)
    confirm(admin, entry)
    assert not Requirement.objects.filter(reference="SC.CACHEE.01").exists()
    assert Requirement.objects.get(reference=rows[0].clean_reference)
