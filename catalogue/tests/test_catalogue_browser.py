"""What people click in the catalogue, in Chromium: results as one types
(htmx) with the address following, and a lead's import from the file
picker to the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arbitrations.models import Arbitration
from catalogue.samples import Row, authority_workbook

pytestmark = pytest.mark.browser


def test_results_follow_the_typing_and_the_address_keeps_them(page, login_as):
    csp_errors = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    login_as("editor")
    page.goto("/exigences/")
    results = page.locator("#results")
    expect(results).to_contain_text("SC.DMP/UX.10")
    page.get_by_label("Rechercher").fill("geographique")  # no accent typed
    expect(results).not_to_contain_text("SC.DMP/UX.10")
    expect(results).to_contain_text("SC.SSI/IE.33")
    expect(page).to_have_url(re.compile(r"q=geographique"))
    page.get_by_label("SONS").select_option("LGC")
    expect(page).to_have_url(re.compile(r"sons=LGC"))
    # The shared address gives the same results.
    page.goto(page.url)
    expect(page.get_by_label("Rechercher")).to_have_value("geographique")
    expect(results).to_contain_text("SC.SSI/IE.33")
    assert not csp_errors, csp_errors


def test_a_lead_imports_a_spreadsheet(page, login_as, tmp_path):
    login_as("lead")
    path = tmp_path / "exigences-lgc.xlsx"
    rows = [
        Row("SC.NAV/IMP.01", "LGC", "Modifiée", "Le système DOIT chiffrer.", "Le système DOIT."),
        Row("SC.NAV/IMP.01", "DPI", "Inchangée", "Le système DOIT.", "Le système DOIT."),
    ]
    path.write_bytes(authority_workbook(rows, title_rows=["Exigences vague 2"]))
    page.goto("/exigences/")
    page.get_by_role("link", name="Importer un tableur d’exigences").click()
    page.get_by_label("Fichier").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("exigences-lgc.xlsx")
    expect(page.locator("table")).to_contain_text("créée")
    page.get_by_label("Lignes affichées").select_option("all")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("table")).to_contain_text("Hors de votre périmètre")
    page.get_by_role("button", name="Confirmer l’import").click()
    expect(page.locator("#import-status")).to_contain_text("Importé")
    assert Arbitration.objects.get(requirement__reference="SC.NAV/IMP.01").decision == "modified"
    page.get_by_role("link", name="SC.NAV/IMP.01").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SC.NAV/IMP.01")
    page.get_by_role("link", name="Comparer deux versions au choix").click()
    expect(page.locator(".portal-diff ins")).to_contain_text("chiffrer")


def test_a_lead_finds_requirements_ticks_two_and_attaches_them_to_a_topic(page, login_as):
    """The results (kept rendered for all leads) hold the boxes, the topic and
    the button; the form they belong to, with the lead's CSRF token, is
    outside them (form="assign-topic"), and survives the results' swaps."""
    from topics.models import Requirement, Topic

    login_as("lead")
    page.goto("/exigences/")
    results = page.locator("#results")
    page.get_by_label("Rechercher").fill("IE.3")
    expect(page).to_have_url(re.compile(r"q=IE.3"))
    expect(results).not_to_contain_text("SC.DMP/UX.10")
    for reference in ("SC.SSI/IE.31", "SC.SSI/IE.32"):  # ticked with the keyboard
        box = page.get_by_label(f"Sélectionner {reference}")
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    topic = Topic.objects.get(number=5)
    page.locator("#assign-topic-select").select_option(str(topic.pk))
    page.get_by_role("button", name="Rattacher").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("2 exigence")
    expect(page).to_have_url(re.compile(r"q=IE.3"))
    attached = Requirement.objects.filter(topic=topic, reference__startswith="SC.SSI/IE.3")
    assert set(attached.values_list("reference", flat=True)) >= {"SC.SSI/IE.31", "SC.SSI/IE.32"}


@pytest.mark.worker
def test_a_large_workbook_is_checked_in_the_background_with_its_progress(
    page, login_as, tmp_path, settings
):
    """Issue 17: the page answers at once, shows the check's progress while a
    Celery worker reads the file, and turns into the report by itself."""
    from catalogue.samples import generated_rows
    from core.testing import celery_worker

    settings.CATALOGUE_IMPORT_ASYNC_BYTES = 1024  # a "large" file: checked in the worker
    path = tmp_path / "grand-classeur.xlsx"
    path.write_bytes(authority_workbook(generated_rows(references=60, rows=150)))
    login_as("admin")
    with celery_worker() as queue:
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
        page.goto("/exigences/import/")
        page.get_by_label("Fichier").set_input_files(str(path))
        page.get_by_role("button", name="Vérifier le fichier").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("grand-classeur.xlsx")
        # Polled by htmx until the worker is done, then the page shows the report.
        expect(page.locator("#import-status")).to_contain_text(
            "Vérifié, en attente de confirmation", timeout=60_000
        )
        expect(page.get_by_role("button", name="Confirmer l’import")).to_be_visible()
        expect(page.locator(".fr-badges-group")).to_contain_text("150 lignes")
