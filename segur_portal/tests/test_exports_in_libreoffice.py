"""Every spreadsheet the portal hands out, opened by LibreOffice (headless,
``soffice --convert-to``) as people open it, then read back (issue 21):
references stay text ("5:9:1" is no time, "007" keeps its zeros, "1/2" is no
date), dates are dates. The CSV is read the way most eager to turn text into
numbers (French, "detect special numbers" on, as Excel always does), and the
copy LibreOffice saves imports back without a false conflict.

Needs Debian's libreoffice-calc-nogui (installed by .ci/run; without it the
tests skip locally and fail in CI)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from arbitrations.models import Arbitration
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from catalogue.tests.catalogue_helpers import dry_run, rows_by
from concertation.feedback import services as feedback_services
from concertation.feedback.models import Feedback
from core.testing import CSV_FILTER, libreoffice_convert
from topics.models import Requirement, RequirementSons, Sons

pytestmark = pytest.mark.django_db

# Values a spreadsheet turns into numbers or dates when it can (the issue's
# list), as the catalogue holds them.
TRICKY = {"domain": "007", "block": "1/2", "function": "1E3"}


def _tricky_requirement(admin) -> Requirement:
    requirement = Requirement.objects.create(reference="SC.TEST/LO.01", **TRICKY)
    lgc = Sons.objects.get(code="LGC")
    RequirementSons.objects.create(requirement=requirement, sons=lgc, statement="25/09/2023")
    record_decision(
        by=admin,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(decision=Arbitration.Decision.KEPT, comment="12 %"),
        base=snapshot(current_by_sons(requirement, admin), [lgc.pk]),
    ).arbitration.publish(by=admin)
    return requirement


def _file_feedback(federation) -> Feedback:
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    data = feedback_services.FeedbackInput(
        topic=requirement.topic,
        kind=Feedback.Kind.CHANGE_REQUEST,
        argument="Argument",
        requirements=[requirement],
        sons=[Sons.objects.get(code="LGC")],
        current_wording="Actuel",
        proposed_wording="1/2",
        new_element="Élément nouveau",
    )
    return feedback_services.save_feedback(by=federation, data=data, file=True)


def _download(client, url: str, path) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    path.write_bytes(response.content)


def test_the_catalogue_csv_keeps_references_as_text_and_imports_back(
    client_as, persona_user, tmp_path
):
    admin_user = persona_user("admin")
    _tricky_requirement(admin_user)
    admin = client_as("admin")
    source = tmp_path / "exigences.csv"
    _download(admin, reverse("requirement_export", args=["csv"]) + "?q=SC.", source)

    (opened,) = libreoffice_convert(
        [source], "xlsx", tmp_path / "opened", infilter=f"CSV:{CSV_FILTER}"
    )
    sheet = load_workbook(opened).active
    rows = [list(row) for row in sheet.iter_rows()]
    header = [cell.value for cell in rows[0]]
    base = header.index("Réf. arbitrage")
    by_key = {(row[0].value, row[1].value): row for row in rows[1:]}
    # Every cell of every row is text: no time, no number, no date, no formula.
    not_text = [
        (row[0].value, header[i], cell.value)
        for row in rows[1:]
        for i, cell in enumerate(row)
        if cell.value is not None and cell.data_type != "s"
    ]
    assert not not_text
    # The decision reference of the issue ("5:9:1", sons:decision:version), as text.
    ie33 = Requirement.objects.get(reference="SC.SSI/IE.33")
    lgc = Sons.objects.get(code="LGC")
    decision = current_by_sons(ie33, admin_user)[lgc.pk]
    expected = f"{lgc.pk}:{decision.pk}:{decision.version}"
    assert by_key[("SC.SSI/IE.33", "LGC")][base].value.lstrip("'") == expected
    tricky = by_key[("SC.TEST/LO.01", "LGC")]
    assert [tricky[header.index(h)].value.lstrip("'") for h in ("Domaine (Chantier)", "Bloc")] == [
        "007",
        "1/2",
    ]
    assert tricky[header.index("Fonction")].value.lstrip("'") == "1E3"
    assert tricky[header.index("Énoncé en vigueur")].value.lstrip("'") == "25/09/2023"

    # Saved again by LibreOffice as CSV, the file imports back unchanged: no
    # false conflict on the decision references.
    (saved,) = libreoffice_convert(
        [source],
        "csv:Text - txt - csv (StarCalc):59,34,76,1",
        tmp_path / "saved",
        infilter=f"CSV:{CSV_FILTER}",
    )
    entry = dry_run(admin, saved.read_bytes(), "exigences.csv")
    statuses = {key: row["status"] for key, row in rows_by(entry).items()}
    assert statuses[("SC.SSI/IE.33", "LGC")] == "unchanged", entry.report
    assert statuses[("SC.TEST/LO.01", "LGC")] == "unchanged", entry.report
    assert set(statuses.values()) == {"unchanged"}, entry.report


def test_every_xlsx_export_keeps_text_as_text_and_dates_as_dates(client_as, persona_user, tmp_path):
    admin_user = persona_user("admin")
    _tricky_requirement(admin_user)
    _file_feedback(persona_user("federation"))
    downloads = {
        "catalogue": ("admin", reverse("requirement_export", args=["xlsx"]) + "?q=SC."),
        "mes-decisions": ("editor", reverse("my_decisions_xlsx")),
        "releve-session": (
            "editor",
            reverse("session_record_xlsx", kwargs={"slug": "temps-de-partage-2023-09-25"}),
        ),
        "releve-sujet": ("editor", reverse("topic_record_xlsx", kwargs={"key": "7"})),
        "synthese": ("lead", reverse("feedback_export")),
    }
    sources = []
    for name, (persona, url) in downloads.items():
        path = tmp_path / f"{name}.xlsx"
        _download(client_as(persona), url, path)
        sources.append(path)
    converted = libreoffice_convert(sources, "xlsx", tmp_path / "opened")
    sheets = {path.stem: load_workbook(path) for path in converted}

    catalogue = sheets["catalogue"].active
    header = [cell.value for cell in catalogue[1]]
    cells = [cell for row in catalogue.iter_rows(min_row=2) for cell in row if cell.value]
    assert {cell.data_type for cell in cells} == {"s"}
    tricky = next(row for row in catalogue.iter_rows(min_row=2) if row[0].value == "SC.TEST/LO.01")
    assert tricky[header.index("Domaine (Chantier)")].value == "007"
    assert tricky[header.index("Bloc")].value == "1/2"
    assert tricky[header.index("Énoncé en vigueur")].value == "25/09/2023"
    assert ":" in tricky[header.index("Réf. arbitrage")].value

    # The deck's session of 25/09/2023: its decisions, published that day.
    for name in ("mes-decisions", "releve-session", "releve-sujet"):
        sheet = sheets[name].active
        header = [cell.value for cell in sheet[1]]
        published = header.index("Publié le")
        rows = list(sheet.iter_rows(min_row=2))
        assert rows, name
        for row in rows:
            assert row[1].data_type == "s", (name, row[1].value)  # the reference
            cell = row[published]
            assert cell.is_date, (name, row[1].value, cell.value)
            assert isinstance(cell.value, datetime)
        if name == "releve-session":
            days = {row[published].value.date() for row in rows}
            assert days == {date(2023, 9, 25)}

    synthesis = sheets["synthese"].worksheets[0]
    header = [cell.value for cell in synthesis[1]]
    (row, *_) = list(synthesis.iter_rows(min_row=2))
    assert row[0].value == "SC.DMP/UX.10"
    assert row[header.index("Rédaction proposée")].value == "1/2"
    assert row[header.index("Rédaction proposée")].data_type == "s"
    assert row[header.index("Déposé le")].is_date
