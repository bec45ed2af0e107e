"""Importing the authority's spreadsheets (issue 5): dry run, confirmation,
messy files, errors, conflicts, perimeters, publishing, the record."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F

from accounts.models import AuditEvent
from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration
from catalogue.models import CatalogueImport
from catalogue.samples import Row, authority_workbook
from topics.models import Requirement, RequirementSons, RequirementVersion

from .catalogue_helpers import confirm, dry_run, rows_by

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
# A statement as people write them: a paragraph, then a list.
LISTED = "Le système DOIT :_x000D_\n- tracer les accès ;_x000D_\n- conserver les traces 6 mois.  "
LISTED_CLEAN = "Le système DOIT :\n- tracer les accès ;\n- conserver les traces 6 mois."
FORMER = "Le système DOIT tracer les accès."


def messy_rows() -> list[Row]:
    return [
        # A reference with a non-breaking space and trailing blanks, a REM code too.
        Row(
            f"SC.TEST/IMP.01{NBSP} ",
            f"LGC{NBSP}",
            "Modifiée",
            LISTED,
            FORMER,
            comment="Reformulée après la concertation.",
            remark="Préciser la durée ?  ",
            block=12,
            function="Traçabilité",
        ),
        Row("SC.TEST/IMP.01", "DPI", "Inchangée", FORMER, FORMER, comment="Conservée."),
        # Obsolete in one SONS, with no new statement, kept in the others.
        Row("SC.TEST/IMP.01", "RIS", "Obsolète", "", FORMER, comment="Sans objet pour RIS."),
        Row(
            "SC.TEST/IMP.02",
            "BIO",
            "Nouvelle",
            "Le système PEUT exporter en CSV.",
            nature="Préconisée",
        ),
        Row("SC.TEST/IMP.03", "PFI", "En cours d'instruction", FORMER, FORMER),
    ]


def messy_file(rows=None) -> bytes:
    return authority_workbook(
        rows or messy_rows(),
        title_rows=["Concertation Ségur vague 2 — exigences", "Version du 12/10/2023", ""],
        other_sheets=["Lisez-moi"],
        merge_domain=True,
    )


def test_a_messy_authority_file_is_checked_then_imported(client_as, persona_user):
    admin = client_as("admin")
    before = Requirement.objects.count()
    entry = dry_run(admin, messy_file())
    # The dry run wrote nothing but its record.
    assert Requirement.objects.count() == before
    assert entry.status == CatalogueImport.Status.CHECKED, (entry.message, entry.report)
    assert entry.sheet == "Exigences"
    assert entry.sheets == ["Lisez-moi", "Exigences"]
    assert entry.report["header_row"] == 4
    report = rows_by(entry)
    assert [row["row"] for row in entry.report["rows"]] == [5, 6, 7, 8, 9]
    assert {row["status"] for row in report.values()} == {"created"}
    assert report[("SC.TEST/IMP.02", "SGL")]["row"] == 8  # BIO is SGL
    assert (entry.rows, entry.created, entry.errors) == (5, 5, 0)

    entry = confirm(admin, entry)
    assert entry.status == CatalogueImport.Status.DONE, entry.message
    assert Requirement.objects.count() == before + 3
    imp01 = Requirement.objects.get(reference="SC.TEST/IMP.01")
    assert (imp01.domain, imp01.block, imp01.function) == ("SSI", "12", "Traçabilité")
    statements = {
        row.sons.code: (row.statement, row.state, row.remark)
        for row in imp01.applicabilities.select_related("sons")
    }
    assert statements == {
        "LGC": (LISTED_CLEAN, "in_force", "Préciser la durée ?"),
        "DPI": (FORMER, "in_force", ""),
        "RIS": (FORMER, "obsolete", ""),
    }
    versions = {
        (v.sons.code, v.label): v.statement
        for v in RequirementVersion.objects.filter(requirement=imp01).select_related("sons")
    }
    assert versions == {
        ("LGC", "Itération #1"): FORMER,
        ("LGC", "Itération #2"): LISTED_CLEAN,
        ("DPI", "Itération #1"): FORMER,
        ("DPI", "Itération #2"): FORMER,
        ("RIS", "Itération #1"): FORMER,
    }
    admin_user = persona_user("admin")
    decisions = current_decisions(
        Requirement.objects.filter(reference__startswith="SC.TEST/").values_list("pk", flat=True),
        admin_user,
    )
    by_pair = {
        (a.requirement.reference, code): (a.decision, a.status, a.comment)
        for (requirement_id, sons_id), a in decisions.items()
        for code in [a.sons.get(pk=sons_id).code]
    }
    assert by_pair == {
        ("SC.TEST/IMP.01", "LGC"): ("modified", "draft", "Reformulée après la concertation."),
        ("SC.TEST/IMP.01", "DPI"): ("kept", "draft", "Conservée."),
        ("SC.TEST/IMP.01", "RIS"): ("removed", "draft", "Sans objet pour RIS."),
        ("SC.TEST/IMP.02", "SGL"): ("added", "draft", ""),
        ("SC.TEST/IMP.03", "PFI"): ("under_instruction", "draft", ""),
    }
    assert Requirement.objects.get(reference="SC.TEST/IMP.02").nature == "recommended"
    # Recorded, and in the audit log with its counts.
    event = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).latest("pk")
    assert event.actor == admin_user
    assert event.details["created"] == 5
    assert event.details["file"] == "exigences.xlsx"

    # The same file again changes nothing.
    again = confirm(admin, dry_run(admin, messy_file()))
    assert again.status == CatalogueImport.Status.DONE
    assert (again.unchanged, again.created, again.updated) == (5, 0, 0)
    assert Arbitration.objects.filter(requirement__reference__startswith="SC.TEST/").count() == 5
    assert RequirementVersion.objects.filter(requirement=imp01).count() == 5


def test_any_invalid_row_saves_nothing_and_errors_name_row_and_column(client_as):
    admin = client_as("admin")
    rows = [
        Row("SC.TEST/ERR.01", "LGC", "Inchangée", FORMER, FORMER),
        Row("SC.TEST/ERR.02", "XYZ", "Inchangée", FORMER),
        Row("SC.TEST/ERR.01", "LGC", "Modifiée", LISTED, FORMER),
        Row("   ", "DPI", "Inchangée", FORMER),
        Row("SC.TEST/ERR.03", "DPI", "Abandonnée", FORMER),
        Row("SC.TEST/ERR.04", "PFI", "Modifiée", "", ""),
    ]
    content = authority_workbook(rows, title_rows=["Exigences vague 2"])
    before = (Requirement.objects.count(), Arbitration.objects.count())
    entry = dry_run(admin, content)
    assert entry.status == CatalogueImport.Status.REJECTED
    errors = {row["row"]: row["errors"] for row in entry.report["rows"] if row["errors"]}
    # The header is on row 2: data rows are numbered from 3, as the spreadsheet shows them.
    assert errors == {
        4: [{"column": "REM", "message": errors[4][0]["message"]}],
        6: [{"column": "ID Exigence", "message": errors[6][0]["message"]}],
        7: [{"column": "Evolution", "message": errors[7][0]["message"]}],
    }
    assert "SONS inconnu « XYZ »" in errors[4][0]["message"]
    assert "BIO" in errors[4][0]["message"]  # the known codes, aliases included
    assert "vide" in errors[6][0]["message"]
    assert "« Abandonnée »" in errors[7][0]["message"]
    # A second row for a (reference, SONS) and an empty statement are skipped
    # with their reason (issue 17): the rest of a file stays importable.
    skipped = {row["row"]: row["messages"] for row in entry.report["rows"]
               if row["status"] == "skipped"}  # fmt: skip
    assert set(skipped) == {5, 8}
    assert "Doublon : la ligne 3" in skipped[5][0]
    assert "L'énoncé de l'exigence est vide" in skipped[8][0]
    assert "Enoncé de l'exigence - Itération #2" in skipped[8][0]
    assert (entry.errors, entry.skipped) == (3, 2)
    assert (Requirement.objects.count(), Arbitration.objects.count()) == before
    # The report page says it, with the row and column, and offers no confirmation.
    page = admin.get(f"/exigences/import/{entry.pk}/?lignes=error").content.decode()
    assert "Colonne « REM »" in page
    assert "SONS inconnu « XYZ »" in page
    assert "Confirmer l’import" not in page
    assert admin.post(f"/exigences/import/{entry.pk}/confirmer/").status_code == 302
    assert Requirement.objects.count() == before[0]


def zip_bomb() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "settings_", "expected"),
    [
        ("exigences.pdf", b"%PDF-1.7 ...", {}, "Type de fichier non pris en charge"),
        ("exigences.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, {},
         "Excel 97-2003"),
        ("exigences.xlsx", b"ceci n'est pas un classeur", {}, "n'est pas un classeur XLSX"),
        ("exigences.xlsx", None, {"CATALOGUE_IMPORT_MAX_BYTES": 1000}, "au-delà de la limite"),
        ("exigences.xlsx", None, {"CATALOGUE_IMPORT_MAX_ROWS": 3}, "lignes d'exigences"),
        ("bombe.xlsx", "bomb", {"CATALOGUE_IMPORT_MAX_UNCOMPRESSED_BYTES": 1024 * 1024},
         "une fois décompressé"),
        ("vide.csv", b"", {}, "est vide"),
        # PostgreSQL keeps no NUL in text; JSON writes one as \u0000.
        ("nul.json", b'[{"ID Exigence": "SC.DMP/UX.10", "REM": "LGC \\u0000"}]', {},
         "caractère nul (U+0000)"),
        ("profond.json", b"[" * 100_000, {}, "trop de niveaux imbriqués"),
        ("sans-entete.csv", b"a;b;c\n1;2;3\n", {}, "Aucune ligne d'en-tête"),
    ],
)  # fmt: skip
def test_files_that_cannot_be_read_get_their_own_message(
    client_as, settings, name, content, settings_, expected
):
    from .catalogue_helpers import upload

    for key, value in settings_.items():
        setattr(settings, key, value)
    if content is None:
        content = messy_file()
    elif content == "bomb":
        content = zip_bomb()
    before = Requirement.objects.count()
    response = upload(client_as("lead"), content, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert expected.replace("'", "&#x27;") in page or expected in page
    assert "fr-error-text" in page or "fr-message--error" in page
    assert Requirement.objects.count() == before


def test_a_sheet_is_picked_by_name(client_as):
    admin = client_as("admin")
    content = authority_workbook(messy_rows(), other_sheets=["Lisez-moi"])
    response = __import__("catalogue.tests.catalogue_helpers", fromlist=["upload"]).upload(
        admin, content, sheet="Inexistante"
    )
    assert response.status_code == 400
    assert "pas de feuille « Inexistante »" in response.content.decode().replace("&#x27;", "'")
    entry = dry_run(admin, content, sheet="Exigences")
    assert entry.status == CatalogueImport.Status.CHECKED


def test_a_lead_imports_the_rows_of_their_sons_only(client_as):
    lead = client_as("lead")  # decides for LGC
    entry = confirm(lead, dry_run(lead, messy_file()))
    assert entry.status == CatalogueImport.Status.DONE
    statuses = {key: row["status"] for key, row in rows_by(entry).items()}
    assert statuses == {
        ("SC.TEST/IMP.01", "LGC"): "created",
        ("SC.TEST/IMP.01", "DPI"): "ignored",
        ("SC.TEST/IMP.01", "RIS"): "ignored",
        ("SC.TEST/IMP.02", "SGL"): "ignored",
        ("SC.TEST/IMP.03", "PFI"): "ignored",
    }
    assert list(
        RequirementSons.objects.filter(requirement__reference__startswith="SC.TEST/").values_list(
            "sons__code", flat=True
        )
    ) == ["LGC"]


def decided_at_the_deck_session(reference: str) -> None:
    """The demo's decisions on ``reference`` as last changed when the deck's
    session published them (25/09/2023): the demo loads them at the time of
    loading, which moves with the clock (and is the test's second when it
    runs first)."""
    Arbitration.objects.filter(requirement__reference=reference).update(
        updated_at=F("published_at")
    )


def test_a_decision_changed_after_the_file_was_made_is_a_conflict(client_as, persona_user):
    decided_at_the_deck_session("SC.SSI/IE.33")
    rows = [Row("SC.SSI/IE.33", "LGC", "Modifiée", LISTED, FORMER, comment="Autre avis.")]
    # Saved the week before the session.
    with time_machine.travel(datetime(2023, 9, 18, 9, tzinfo=PARIS), tick=False):
        content = authority_workbook(rows)
    admin = client_as("admin")
    entry = dry_run(admin, content)
    row = rows_by(entry)[("SC.SSI/IE.33", "LGC")]
    assert row["status"] == "conflict"
    assert "après l'enregistrement du fichier" in row["messages"][0]
    entry = confirm(admin, entry)
    assert entry.status == CatalogueImport.Status.DONE
    decision = current_decisions(
        [Requirement.objects.get(reference="SC.SSI/IE.33").pk], persona_user("admin")
    )
    lgc = next(a for (_, sons_id), a in decision.items() if a.sons.filter(code="LGC").exists())
    assert lgc.decision == "kept"  # the deck's decision stands


def test_a_decision_changed_between_dry_run_and_confirmation_is_a_conflict(client_as, persona_user):
    from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
    from topics.models import Sons

    decided_at_the_deck_session("SC.SSI/IE.33")
    rows = [Row("SC.SSI/IE.33", "LGC", "Modifiée", LISTED, FORMER, comment="Reformulée.")]
    # The file is saved and checked after the session, whatever today is.
    with time_machine.travel(datetime(2023, 10, 5, 9, tzinfo=PARIS), tick=True):
        admin = client_as("admin")
        entry = dry_run(admin, authority_workbook(rows))
        assert rows_by(entry)[("SC.SSI/IE.33", "LGC")]["status"] == "updated"
        # Meanwhile the LGC lead decides otherwise, through the service.
        lead = persona_user("lead")
        requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
        lgc = Sons.objects.get(code="LGC")
        current = current_by_sons(requirement, lead)
        record_decision(
            by=lead,
            subject=requirement,
            sons=[lgc],
            data=DecisionInput(decision="removed", comment="Finalement supprimée."),
            base=snapshot(current, [lgc.pk]),
        )
        entry = confirm(admin, entry)
    assert entry.status == CatalogueImport.Status.DONE
    row = rows_by(entry)[("SC.SSI/IE.33", "LGC")]
    assert row["status"] == "conflict"
    assert "Finalement" not in row["messages"][0]
    assert "Exigence supprimée" in row["messages"][0]
    assert current_by_sons(requirement, lead)[lgc.pk].comment == "Finalement supprimée."


def test_publishing_on_import(client_as):
    admin = client_as("admin")
    entry = confirm(admin, dry_run(admin, messy_file()), publish=True)
    assert entry.status == CatalogueImport.Status.DONE
    decisions = Arbitration.objects.filter(requirement__reference__startswith="SC.TEST/")
    assert decisions.count() == 5
    assert set(decisions.values_list("status", flat=True)) == {"published"}
    # Editors see them now (LGC's editor: the modified one).
    page = client_as("editor").get("/exigences/SC.TEST/IMP.01").content.decode()
    assert "Exigence modifiée" in page


def test_drafts_imported_then_published_by_a_second_import(client_as):
    admin = client_as("admin")
    confirm(admin, dry_run(admin, messy_file()))
    entry = confirm(admin, dry_run(admin, messy_file()), publish=True)
    assert entry.updated == 5
    assert set(
        Arbitration.objects.filter(requirement__reference__startswith="SC.TEST/").values_list(
            "status", flat=True
        )
    ) == {"published"}


def test_command_line_prints_the_report_and_counts(tmp_path, persona_user):
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "exigences.xlsx"
    path.write_bytes(messy_file())
    out = StringIO()
    records = CatalogueImport.objects.count()
    call_command("import_requirements", str(path), "--as", "admin@demo.example", "--dry-run",
                 stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "ligne 5\tSC.TEST/IMP.01\tLGC\tcréée" in text
    assert "created : 5" in text
    assert not Requirement.objects.filter(reference__startswith="SC.TEST/").exists()
    assert CatalogueImport.objects.count() == records  # a dry run saves nothing

    out = StringIO()
    call_command("import_requirements", str(path), "--as", "admin@demo.example", "--publish",
                 "--sheet", "Exigences", stdout=out)  # fmt: skip
    assert Arbitration.objects.filter(
        requirement__reference="SC.TEST/IMP.02", status="published"
    ).exists()
    assert CatalogueImport.objects.count() == records + 1

    bad = tmp_path / "erreurs.xlsx"
    bad.write_bytes(authority_workbook([Row("SC.TEST/X", "XYZ", "Inchangée", FORMER)]))
    with pytest.raises(CommandError, match="Fichier refusé"):
        call_command("import_requirements", str(bad), "--as", "admin@demo.example",
                     stdout=StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="aucun SONS"):
        call_command("import_requirements", str(path), "--as", "editor@demo.example")


def test_followers_are_told_of_an_imported_statement_change(client_as, persona_user):
    from notifications.models import Notification
    from notifications.services import follow

    editor = persona_user("editor")
    follow(editor, Requirement.objects.get(reference="SC.SSI/IE.33"))
    admin = client_as("admin")
    rows = [Row("SC.SSI/IE.33", "LGC", "Modifiée", LISTED, comment="Reformulée.")]
    confirm(admin, dry_run(admin, authority_workbook(rows)))
    notification = Notification.objects.filter(
        recipient=editor, kind=Notification.Kind.STATEMENT_CHANGED
    ).latest("pk")
    assert notification.target.label == "Itération #2"
    assert notification.target.statement == LISTED_CLEAN


def test_lenient_with_the_words_of_real_files(client_as):
    admin = client_as("admin")
    rows = [
        # An evolution with a precision, an unchanged row without a new statement.
        Row("SC.TEST/LEN.01", "LGC", "Modifiée (reformulation)", LISTED, FORMER),
        Row("SC.TEST/LEN.02", "DPI", "inchangee", "", FORMER, nature="Obligatoire (DOIT)"),
    ]
    entry = confirm(admin, dry_run(admin, authority_workbook(rows)))
    assert entry.status == CatalogueImport.Status.DONE, entry.report
    assert Arbitration.objects.get(requirement__reference="SC.TEST/LEN.01").decision == "modified"
    row = RequirementSons.objects.get(requirement__reference="SC.TEST/LEN.02")
    assert row.statement == FORMER


def test_a_requirement_obsolete_in_one_sons_and_kept_in_others_shows_both(client_as):
    admin = client_as("admin")
    confirm(admin, dry_run(admin, messy_file()), publish=True)
    page = admin.get("/exigences/SC.TEST/IMP.01").content.decode()
    assert "Exigence supprimée" in page
    assert "Exigence conservée" in page
    assert "Obsolète dans le référentiel RIS" in page
    assert "Remarques (LGC)" in page
    # Remarks are the authority's working notes.
    assert (
        "Remarques (LGC)"
        not in client_as("editor").get("/exigences/SC.TEST/IMP.01").content.decode()
    )


def test_another_sheet_is_checked_on_request(client_as):
    lead = client_as("lead")
    content = authority_workbook(messy_rows(), other_sheets=["Lisez-moi", "Brouillon"])
    entry = dry_run(lead, content)
    assert entry.sheets == ["Lisez-moi", "Brouillon", "Exigences"]
    page = lead.get(f"/exigences/import/{entry.pk}/").content.decode()
    assert '<option value="Exigences" selected>' in page
    response = lead.post(f"/exigences/import/{entry.pk}/", {"sheet": "Lisez-moi"})
    fresh = CatalogueImport.objects.latest("pk")
    assert response["Location"] == f"/exigences/import/{fresh.pk}/"
    assert fresh.status == CatalogueImport.Status.REJECTED
    assert "« Lisez-moi »" in fresh.message
    entry.refresh_from_db()
    assert entry.status == CatalogueImport.Status.REJECTED
    assert entry.content is None
    # Someone else's check is not theirs to run again.
    assert (
        client_as("lead2").post(f"/exigences/import/{fresh.pk}/", {"sheet": "x"}).status_code == 403
    )


def test_the_sweep_resumes_queued_imports_and_tidies_old_ones(persona_user, broker_down):
    from datetime import timedelta

    from django.utils import timezone

    from catalogue.importing import resume_imports

    lead = persona_user("lead")
    old = timezone.now() - timedelta(days=8)
    queued = CatalogueImport.objects.create(created_by=lead, file_name="q.xlsx", status="queued")
    stale = CatalogueImport.objects.create(created_by=lead, file_name="r.xlsx", status="running")
    forgotten = CatalogueImport.objects.create(
        created_by=lead, file_name="c.xlsx", status="checked", content=b"x"
    )
    CatalogueImport.objects.filter(pk__in=[stale.pk, forgotten.pk]).update(created_at=old)
    assert resume_imports() == 1  # the broker is down: it stays queued, no error
    for entry in (queued, stale, forgotten):
        entry.refresh_from_db()
    assert queued.status == "queued"
    assert stale.status == "failed"
    assert (forgotten.status, forgotten.content) == ("rejected", None)
