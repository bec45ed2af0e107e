"""Importing the authority's spreadsheets (issue 5): dry run, confirmation,
messy files, errors, conflicts, perimeters, publishing, the record."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from arbitrations.catalogue.samples import Row, authority_workbook
from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration
from topics.models import CatalogueImport, Requirement, RequirementSons, RequirementVersion

from .catalogue_helpers import confirm, dry_run, rows_by

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# A statement as people write them: a paragraph, then a list.
LISTED = "Le système DOIT :_x000D_\n- tracer les accès ;_x000D_\n- conserver les traces 6 mois.  "
LISTED_CLEAN = "Le système DOIT :\n- tracer les accès ;\n- conserver les traces 6 mois."
FORMER = "Le système DOIT tracer les accès."


def messy_rows() -> list[Row]:
    return [
        # A reference with a non-breaking space and trailing blanks, a REM code too.
        Row(f"SC.TEST/IMP.01{NBSP} ", f"LGC{NBSP}", "Modifiée", LISTED, FORMER,
            comment="Reformulée après la concertation.", remark="Préciser la durée ?  ",
            block=12, function="Traçabilité"),  # fmt: skip
        Row("SC.TEST/IMP.01", "DPI", "Inchangée", FORMER, FORMER, comment="Conservée."),
        # Obsolete in one SONS, with no new statement, kept in the others.
        Row("SC.TEST/IMP.01", "RIS", "Obsolète", "", FORMER, comment="Sans objet pour RIS."),
        Row("SC.TEST/IMP.02", "BIO", "Nouvelle", "Le système PEUT exporter en CSV.",
            nature="Préconisée"),  # fmt: skip
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
