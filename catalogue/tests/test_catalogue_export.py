"""Exports of the catalogue (issue 5): the filtered requirements with their
per-SONS statements, decisions and comments, in CSV, XLSX and JSON, that no
spreadsheet evaluates, and that the import reads back unchanged."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.models import AuditEvent
from arbitrations.models import Arbitration
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from catalogue.models import CatalogueImport
from catalogue.reading import FORMULA_STARTS, read_table
from catalogue.resources import same
from topics.models import Requirement, RequirementSons, Sons

from .catalogue_helpers import confirm, dry_run, rows_by
from .test_catalogue_import import messy_file

pytestmark = pytest.mark.django_db


def export(client, fmt: str, query: str = "") -> bytes:
    response = client.get(reverse("requirement_export", args=[fmt]) + query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_export_then_import_changes_nothing(client_as, fmt):
    admin = client_as("admin")
    confirm(admin, dry_run(admin, messy_file()))
    content = export(admin, fmt)
    entry = dry_run(admin, content, f"export.{fmt}")
    assert entry.status == CatalogueImport.Status.CHECKED, entry.report
    statuses = {row["status"] for row in entry.report["rows"]}
    assert statuses == {"unchanged"}, [
        row for row in entry.report["rows"] if row["status"] != "unchanged"
    ]
    # Every (requirement, SONS) row of the catalogue, the deck's and the import's.
    assert entry.rows == RequirementSons.objects.count()
    # A statement that starts with "- " came back as it was.
    row = RequirementSons.objects.get(requirement__reference="SC.TEST/IMP.01", sons__code="LGC")
    assert "\n- tracer les accès ;" in row.statement
    confirmed = confirm(admin, entry)
    assert (confirmed.created, confirmed.updated) == (0, 0)


def test_exports_hold_per_sons_statements_decisions_and_comments(client_as):
    admin = client_as("admin")
    confirm(admin, dry_run(admin, messy_file()))
    rows = json.loads(export(admin, "json", "?q=SC.TEST/IMP.01"))
    by_sons = {row["REM"]: row for row in rows}
    assert set(by_sons) == {"LGC", "DPI", "RIS"}
    assert by_sons["RIS"]["Evolution"] == "Obsolète"
    assert by_sons["RIS"]["État"] == "Obsolète"
    assert by_sons["DPI"]["Evolution"] == "Inchangée"
    assert by_sons["LGC"]["Commentaire ANS/DNS/CNAM"] == "Reformulée après la concertation."
    assert by_sons["LGC"]["Version : Itération #1"] == "Le système DOIT tracer les accès."
    assert by_sons["LGC"]["Statut de l'arbitrage"] == "Brouillon"
    # An export is in the audit log.
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("pk")
    assert event.details["format"] == "json"
    assert event.details["rows"] == 3


def test_drafts_never_reach_editors_exports(client_as):
    admin = client_as("admin")
    confirm(admin, dry_run(admin, messy_file()))  # drafts
    for fmt in ("csv", "json", "xlsx"):
        content = export(client_as("editor"), fmt, "?q=SC.TEST")
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(content)).active
            content = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row).encode()
        text = content.decode("utf-8-sig")
        assert "Reformulée après la concertation" not in text
        assert "Brouillon" not in text
    # Filters drive the export: the SONS filter keeps that SONS' rows.
    rows = json.loads(export(admin, "json", "?q=SC.TEST&sons=DPI"))
    assert {row["REM"] for row in rows} == {"DPI"}


HOSTILE = ["=1+1", "+33 1 23", "-2", "@SUM(A1:A2)", "\tx", "\r=cmd", '=HYPERLINK("http://x")']


def hostile_requirement(admin_user, value: str) -> Requirement:
    lgc = Sons.objects.get(code="LGC")
    requirement = Requirement.objects.create(reference="SC.TEST/F.01", domain=value, block=value)
    RequirementSons.objects.create(requirement=requirement, sons=lgc, statement=value, remark=value)
    record_decision(
        by=admin_user,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(decision=Arbitration.Decision.KEPT, comment=value),
        base=snapshot({}, [lgc.pk]),
    )
    return requirement


@pytest.mark.parametrize("value", HOSTILE)
def test_no_xlsx_cell_is_a_formula(client_as, persona_user, value):
    hostile_requirement(persona_user("admin"), value)
    content = export(client_as("admin"), "xlsx", "?q=SC.TEST/F.01")
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells} == {"s"}
    # Statement, remark, comment (XML keeps no lone carriage return: a line break).
    assert sum(same(cell.value, value) for cell in cells) >= 3
    # Read back by the import: unchanged.
    entry = dry_run(client_as("admin"), content)
    assert rows_by(entry)[("SC.TEST/F.01", "LGC")]["status"] == "unchanged", entry.report


def test_csv_cells_never_start_a_formula_and_come_back(client_as):
    admin = client_as("admin")
    requirement = Requirement.objects.create(reference="SC.TEST/CSV.01", domain="@dom")
    RequirementSons.objects.create(
        requirement=requirement, sons=Sons.objects.get(code="LGC"), statement="- item\n- item 2"
    )
    text = export(admin, "csv", "?q=SC.TEST/CSV.01").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert "'- item\n- item 2" in cells
    assert "'@dom" in cells


hostile_text = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'=", "''"]),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"
        )
        | st.sampled_from(["\n", "\t", "\r", "=", "'"]),
        max_size=30,
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(statement=hostile_text, comment=hostile_text, remark=hostile_text)
def test_hostile_values_survive_the_csv_round_trip_and_never_evaluate(
    client_as, persona_user, statement, comment, remark
):
    admin_user = persona_user("admin")
    lgc = Sons.objects.get(code="LGC")
    requirement, _ = Requirement.objects.get_or_create(reference="SC.TEST/HOSTILE")
    RequirementSons.objects.update_or_create(
        requirement=requirement, sons=lgc, defaults={"statement": statement, "remark": remark}
    )
    current = current_by_sons(requirement, admin_user)
    record_decision(
        by=admin_user,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(decision=Arbitration.Decision.KEPT, comment=comment),
        base=snapshot(current, [lgc.pk]),
    )
    stored = Arbitration.objects.filter(requirement=requirement).latest("pk").comment
    content = export(client_as("admin"), "csv", "?q=SC.TEST/HOSTILE")
    text = content.decode("utf-8-sig")
    raw = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]
    assert not [cell for cell in raw if cell.startswith(FORMULA_STARTS)], raw
    table = read_table(content, "export.csv")
    row = dict(zip(table.headers, table.rows[0][1], strict=True))
    assert row["Énoncé en vigueur"] == statement
    assert row["Remarques (proposition de reformulation, questions, etc.)"] == remark
    assert row["Commentaire ANS/DNS/CNAM"] == stored
    entry = dry_run(client_as("admin"), content, "export.csv")
    assert rows_by(entry)[("SC.TEST/HOSTILE", "LGC")]["status"] == "unchanged", entry.report
