"""The authority's real files through the portal (issue 17), rebuilt from the
layouts the issue gives (catalogue.samples), dirt included: the IT2 file
(1,082 rows, 395 requirements, references with non-breaking spaces, a
106-character domain, a vendor's comment column before the authority's…),
on PostgreSQL as on SQLite; what the database refuses is found by the dry
run, named by row and column."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration
from catalogue.models import CatalogueImport
from catalogue.samples import (
    LOCATION_ROW,
    LONG_DOMAIN,
    NBSP,
    ZERO_ROW,
    Row,
    authority_workbook,
    it2_rows,
    it2_workbook,
)
from core.testing import unescaped
from topics.models import Requirement, RequirementSons, RequirementVersion

from .catalogue_helpers import confirm, dry_run, rows_by

pytestmark = pytest.mark.django_db

# The numbers for the IT2 file.
IT2_ROWS, IT2_REQUIREMENTS = 1082, 395
DECISION = {
    "Inchangée": "kept",
    "Modifiée": "modified",
    "En cours d'instruction": "under_instruction",
    "Nouvelle": "added",
    "Obsolète": "removed",
}


@pytest.fixture
def it2_imported(client_as, settings):
    # Confirmed in the request (the worker's turn is test_catalogue_worker.py).
    settings.CATALOGUE_IMPORT_ASYNC_ROWS = 5000
    admin = client_as("admin")
    before = Requirement.objects.count()
    checked = dry_run(admin, it2_workbook(), "IT2.xlsx", publish="on")
    done = confirm(admin, CatalogueImport.objects.get(pk=checked.pk), publish=True)
    return {"client": admin, "checked": checked, "done": done, "before": before}


def test_the_it2_file_imports_every_statement_and_decision_as_the_file_says(
    it2_imported, persona_user
):
    checked, done = it2_imported["checked"], it2_imported["done"]
    assert checked.status == CatalogueImport.Status.CHECKED, checked.message
    assert (checked.rows, checked.errors, checked.skipped) == (IT2_ROWS, 0, 0)
    assert done.status == CatalogueImport.Status.DONE, (done.message, done.report["base_errors"])
    # The dry run and the real run say the same of every row.
    assert [(r["row"], r["status"], r["changes"]) for r in checked.report["rows"]] == [
        (r["row"], r["status"], r["changes"]) for r in done.report["rows"]
    ]
    # 395 requirements, not 401: "SC.\u00a0DMP/HISTO.01" is SC.DMP/HISTO.01.
    rows = it2_rows()
    references = {row.clean_reference for row in rows}
    assert len(references) == IT2_REQUIREMENTS
    imported = Requirement.objects.filter(reference__in=references)
    assert imported.count() == IT2_REQUIREMENTS
    assert Requirement.objects.count() == it2_imported["before"] + IT2_REQUIREMENTS
    assert not Requirement.objects.filter(reference__contains=NBSP).exists()
    histo = RequirementSons.objects.filter(requirement__reference="SC.DMP/HISTO.06")
    assert sorted(histo.values_list("sons__code", flat=True)) == ["DB", "DPI", "LGC", "PFI", "RIS"]

    # Every (requirement, SONS): the statement and the decision of its row.
    statements = {
        (row.requirement.reference, row.sons.code): (row.statement, row.state)
        for row in RequirementSons.objects.filter(requirement__in=imported).select_related(
            "requirement", "sons"
        )
    }
    decisions = current_decisions(imported.values_list("pk", flat=True), persona_user("editor"))
    by_pair = {}
    for (requirement_id, sons_id), arbitration in decisions.items():
        by_pair[(requirement_id, sons_id)] = arbitration
    ids = dict(imported.values_list("reference", "pk"))
    sons_ids = dict(RequirementSons.objects.values_list("sons__code", "sons_id").distinct())
    assert len(statements) == IT2_ROWS
    for row in rows:
        code = "SGL" if row.sons == "BIO" else row.sons
        statement, state = statements[(row.clean_reference, code)]
        expected = (row.current or row.former).strip()
        assert statement == expected, (row.clean_reference, code)
        assert state == ("obsolete" if row.evolution == "Obsolète" else "in_force")
        arbitration = by_pair[(ids[row.clean_reference], sons_ids[code])]
        assert arbitration.decision == DECISION[row.evolution]
        assert arbitration.status == "published"
        # The authority's comment, never the vendor's column beside it.
        assert arbitration.comment == row.comment
    assert "Commentaire éditeur" in done.report["ignored_columns"]
    assert not Arbitration.objects.filter(comment__startswith="Avis de l'éditeur").exists()
    # The 106-character domain, whole; the numeric 0 as the file shows it.
    assert Requirement.objects.get(reference="SC.DMP/HISTO.01").domain == LONG_DOMAIN
    assert Requirement.objects.get(reference=rows[ZERO_ROW].clean_reference).block == "0"

    # The same file again changes nothing.
    admin = it2_imported["client"]
    again = confirm(admin, dry_run(admin, it2_workbook(), "IT2.xlsx"), publish=True)
    assert (again.unchanged, again.created, again.updated, again.errors) == (IT2_ROWS, 0, 0, 0)


def test_references_are_found_however_they_are_typed(it2_imported, client_as):
    editor = client_as("editor")
    for typed in ("SC.DMP/HISTO.06", f"SC.{NBSP}DMP/HISTO.06", "sc.DMP/HISTO.06 "):
        page = unescaped(editor.get(reverse("requirement_list"), {"q": typed}))
        assert "SC.DMP/HISTO.06" in page, typed
    # An address typed with the non-breaking space leads to the requirement.
    response = editor.get(f"/exigences/SC.{NBSP}DMP/HISTO.06")
    assert response.status_code == 302
    assert response["Location"] == "/exigences/SC.DMP/HISTO.06"
    assert editor.get(response["Location"]).status_code == 200


def test_texts_are_shown_and_found_as_written(it2_imported, client_as):
    rows = it2_rows()
    reference = rows[LOCATION_ROW].clean_reference
    editor = client_as("editor")
    page = editor.get(reverse("requirement_detail", args=[reference])).content.decode()
    # "<location>" is text, not a tag to drop: the address shows whole.
    assert "https://&lt;location&gt;/drimbox/api/v1" in page
    assert "https:///drim" not in page
    # Each part of a slash-joined pair finds the statement.
    for word in ("RPPS", "ADELI", "télécharger", "intégrer", "RPPS/ADELI"):
        found = unescaped(editor.get(reverse("requirement_list"), {"q": word}))
        assert reference in found, word


def test_the_dry_run_finds_what_the_database_would_refuse(client_as, monkeypatch):
    """A value past the room the database keeps: refused by the dry run, with
    the row, the column and the cause in French, whatever checks it first."""
    admin = client_as("admin")
    too_long = "Domaine " * 40  # 320 characters
    rows = [
        Row("SC.TEST/LONG.01", "LGC", "Nouvelle", "Le système DOIT tracer."),
        Row("SC.TEST/LONG.02", "LGC", "Nouvelle", "Le système DOIT tracer.", domain=too_long),
    ]
    entry = dry_run(admin, authority_workbook(rows, title_rows=["Titre"]))
    assert entry.status == CatalogueImport.Status.REJECTED
    errors = {row["row"]: row["errors"] for row in entry.report["rows"] if row["errors"]}
    assert list(errors) == [4]
    assert errors[4][0]["column"] == "Domaine (Chantier)"
    assert "319 caractères, au-delà des 255" in errors[4][0]["message"]
    assert not Requirement.objects.filter(reference__startswith="SC.TEST/LONG").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps any length")
def test_a_refusal_the_checks_do_not_know_is_still_found_by_the_dry_run(client_as, monkeypatch):
    """Were a check missing, the dry run writes for real and rolls back: the
    database's refusal is reported, in French, on its row, before anything
    is confirmed."""
    import catalogue.plan

    monkeypatch.setitem(catalogue.plan.LIMITS, "domain", 10_000)
    admin = client_as("admin")
    rows = [
        Row("SC.TEST/LONG.01", "LGC", "Nouvelle", "Le système DOIT tracer."),
        Row("SC.TEST/LONG.02", "LGC", "Nouvelle", "Le système DOIT tracer.", domain="D" * 300),
    ]
    entry = dry_run(admin, authority_workbook(rows, title_rows=["Titre"]))
    assert entry.status == CatalogueImport.Status.REJECTED
    assert "valeur trop longue" in entry.report["base_errors"][0]
    located = rows_by(entry)[("SC.TEST/LONG.02", "LGC")]
    assert located["status"] == "error"
    assert "valeur trop longue" in located["errors"][0]["message"]
    assert rows_by(entry)[("SC.TEST/LONG.01", "LGC")]["status"] == "created"
    assert not Requirement.objects.filter(reference__startswith="SC.TEST/LONG").exists()


def test_only_the_authoritys_comment_column_is_read():
    from catalogue.columns import COMMENT, column_of

    for header in ("Commentaire ANS/DNS/CNAM", "Commentaire ANS / DNS / CNAM",
                   " commentaire  ans/dns/cnam "):  # fmt: skip
        assert column_of(header) == COMMENT, header
    for header in ("Commentaire éditeur", "Commentaires", "Commentaire interne ANS"):
        assert column_of(header) is None, header


def test_versions_belong_to_their_iterations(it2_imported):
    histo = RequirementVersion.objects.filter(requirement__reference="SC.DMP/HISTO.01")
    assert {(v.label, v.iteration.code) for v in histo} == {
        ("Itération #1", "IT1"),
        ("Itération #2", "IT2"),
    }


CSV = (
    "ID Exigence;REM;Evolution;Commentaire ANS/DNS/CNAM;Enoncé de l'exigence - Itération #2\r\n"
    "SC.SSI/IE.33;LGC;Modifiée;Autre avis.;Le système DOIT demander l'identifiant.\r\n"
).encode()


def test_a_csv_asks_for_its_date_then_checks_conflicts_against_it(client_as):
    """A CSV says nothing of when it was saved: the lead gives the date, and a
    decision changed since is a conflict, not overwritten."""
    from .catalogue_helpers import upload

    admin = client_as("admin")
    response = upload(admin, CSV, "exigences.csv")
    assert response.status_code == 400
    assert "ne dit pas quand il a été enregistré" in unescaped(response)
    # The deck's decision on IE.33 for LGC was recorded after 01/09/2023.
    entry = dry_run(admin, CSV, "exigences.csv", made_at="01/09/2023 09:00")
    row = rows_by(entry)[("SC.SSI/IE.33", "LGC")]
    assert row["status"] == "conflict"
    assert "après l'enregistrement du fichier" in row["messages"][0]
    assert entry.given_date
    # A date after every change: the file's decision is recorded.
    entry = dry_run(admin, CSV, "exigences.csv", made_at="01/01/2100 00:00")
    assert rows_by(entry)[("SC.SSI/IE.33", "LGC")]["status"] == "updated"


def test_the_command_takes_the_date_and_confirms_matches(tmp_path, persona_user):
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "exigences.csv"
    path.write_bytes(CSV)
    with pytest.raises(CommandError, match="ne dit pas quand"):
        call_command("import_requirements", str(path), "--as", "admin@demo.example",
                     stdout=StringIO())  # fmt: skip
    out = StringIO()
    call_command("import_requirements", str(path), "--as", "admin@demo.example", "--dry-run",
                 "--date", "2023-09-01T09:00", stdout=out)  # fmt: skip
    assert "conflit" in out.getvalue()
    # A reference written without "SC.": proposed, then confirmed with --accept-matches.
    written = tmp_path / "sans-prefixe.csv"
    written.write_bytes(CSV.replace(b"SC.SSI/IE.33", b"SSI/IE.33"))
    with pytest.raises(CommandError, match="accept-matches"):
        call_command("import_requirements", str(written), "--as", "admin@demo.example",
                     "--date", "2100-01-01T00:00", stdout=StringIO())  # fmt: skip
    out = StringIO()
    call_command("import_requirements", str(written), "--as", "admin@demo.example",
                 "--date", "2100-01-01T00:00", "--accept-matches", stdout=out)  # fmt: skip
    assert "modifiée" in out.getvalue()
    assert Requirement.objects.filter(reference="SC.SSI/IE.33").exists()
    from topics.models import ReferenceAlias

    assert ReferenceAlias.objects.get(reference="SSI/IE.33").requirement.reference == (
        "SC.SSI/IE.33"
    )
