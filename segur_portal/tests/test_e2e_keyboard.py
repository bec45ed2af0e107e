"""Every flow family with the keyboard alone: Tab to reach a control (never
a mouse click, never a programmatic focus), Enter or Space to use it, arrows
in radio groups, typing in fields. Each control reached shows its focus."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.testing import totp_code
from arbitrations.models import Arbitration
from catalogue.samples import Row, authority_workbook
from conftest import PERSONAS
from segur_portal.demo.accounts import DEMO_PASSWORD

from .test_e2e_accessibility import focus_is_drawn

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")


def tab_to(page, locator, limit: int = 200) -> None:
    """Press Tab until ``locator`` has the focus (Shift+Tab if it lies
    behind); it must show that it has it."""
    target = locator.element_handle()
    for key in ("Tab", "Shift+Tab"):
        for _ in range(limit):
            if target.evaluate("e => e === document.activeElement"):
                assert focus_is_drawn(page), f"{locator} has the focus but does not show it"
                return
            page.keyboard.press(key)
    raise AssertionError(f"{locator} cannot be reached with Tab")


def choose_radio(page, group, label: str) -> None:
    """Tab into a radio group, then arrows until ``label`` is checked."""
    tab_to(page, group.locator("input[type=radio]:checked, input[type=radio]").first)
    target = group.get_by_role("radio", name=label)
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label} cannot be chosen with the arrows")


def sign_in(page, persona: str) -> None:
    page.goto("/compte/login/")
    tab_to(page, page.get_by_label("Courriel"))
    page.keyboard.type(PERSONAS[persona])
    tab_to(page, page.get_by_label("Mot de passe"))
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/compte/login/" not in url)
    if "/compte/2fa/authenticate/" in page.url:
        tab_to(page, page.locator("input[name=code]"))
        page.keyboard.type(totp_code())
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/compte/2fa/" not in url)


def test_keyboard_sign_in_with_totp_switch_language_and_sign_out(page):
    sign_in(page, "lead")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    tools = page.locator(".fr-header__tools")
    tab_to(page, tools.get_by_title("Sélectionner une langue"))
    page.keyboard.press("Enter")
    tab_to(page, tools.get_by_role("button", name="EN - English"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    tab_to(page, tools.get_by_title("Select a language"))
    page.keyboard.press("Space")
    tab_to(page, tools.get_by_role("button", name="FR - Français"))
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    tab_to(page, tools.get_by_role("button", name="Se déconnecter"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Connexion au portail de la concertation"
    )


def test_keyboard_a_lead_is_refused_then_records_and_publishes_inline(page):
    sign_in(page, "lead")
    page.goto("/calendrier/temps-de-partage-2023-09-25/arbitrages/")
    tab_to(page, page.get_by_role("link", name="Modifier SC.SSI/IE.33"))
    page.keyboard.press("Enter")
    form = page.locator(".portal-editor")
    expect(form).to_be_visible()
    # No SONS: refused, and what was typed stays.
    lgc = form.get_by_label("LGC")
    tab_to(page, lgc)
    page.keyboard.press("Space")
    expect(lgc).not_to_be_checked()
    choose_radio(page, form, "Exigence modifiée")
    tab_to(page, form.get_by_role("textbox", name="Commentaire"))
    page.keyboard.press("Control+A")  # replaces the current comment
    page.keyboard.type("Au clavier")
    tab_to(page, form.get_by_role("button", name="Enregistrer le brouillon"))
    page.keyboard.press("Enter")
    form = page.locator(".portal-editor")
    expect(form).to_contain_text("Choisissez au moins un SONS.")
    expect(form.get_by_role("textbox", name="Commentaire")).to_have_value("Au clavier")
    # Then with its SONS.
    lgc = form.get_by_label("LGC")
    tab_to(page, lgc)
    page.keyboard.press("Space")
    tab_to(page, form.get_by_role("button", name="Enregistrer le brouillon"))
    page.keyboard.press("Enter")
    expect(page.locator(".portal-editor")).to_have_count(0)
    publish = page.locator("button", has_text="Publier").filter(has_text="SC.SSI/IE.33")
    tab_to(page, publish)
    page.keyboard.press("Enter")
    expect(publish).to_have_count(0)
    assert Arbitration.objects.published().filter(comment="Au clavier").count() == 1


def test_keyboard_search_then_import_a_spreadsheet(page, tmp_path):
    sign_in(page, "lead")
    page.goto("/exigences/")
    tab_to(page, page.get_by_label("Rechercher"))
    page.keyboard.type("geographique")
    expect(page).to_have_url(re.compile(r"q=geographique"))
    expect(page.locator("#results")).to_contain_text("SC.SSI/IE.33")
    expect(page.locator("#results")).not_to_contain_text("SC.DMP/UX.10")

    path = tmp_path / "exigences-clavier.xlsx"
    rows = [Row("SC.NAV/KBD.01", "LGC", "Modifiée", "Le système DOIT.", "Le système DOIT.")]
    path.write_bytes(authority_workbook(rows, title_rows=["Exigences vague 2"]))
    tab_to(page, page.get_by_role("link", name="Importer un tableur d’exigences"))
    page.keyboard.press("Enter")
    # The import page loaded in full before the keys: on a loaded CI machine,
    # a Space pressed while it still loads opened no file chooser.
    expect(page).to_have_url(re.compile(r"/exigences/import/$"))
    page.wait_for_load_state("load")
    # Playwright asks Chromium to report file choosers when the first
    # listener is added, without waiting for the answer: the Space pressed
    # right after ``expect_file_chooser`` could open the dialog before
    # Chromium reports them (one run in three here). Listen from before.
    page.on("filechooser", lambda _chooser: None)
    tab_to(page, page.get_by_label("Fichier"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(path))
    tab_to(page, page.get_by_role("button", name="Vérifier le fichier"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("exigences-clavier.xlsx")
    tab_to(page, page.get_by_role("button", name="Confirmer l’import"))
    page.keyboard.press("Enter")
    expect(page.locator("#import-status")).to_contain_text("Importé")
    assert Arbitration.objects.filter(requirement__reference="SC.NAV/KBD.01").exists()


def test_keyboard_calendar_event_ics_and_a_question(page):
    with time_machine.travel(datetime(2023, 10, 12, 14, 30, tzinfo=PARIS)):
        sign_in(page, "editor")
        page.goto("/calendrier/semaines/")
        tab_to(page, page.get_by_role("link", name=re.compile("2ème temps de partage")).first)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("2ème temps de partage éditeur")
        tab_to(page, page.get_by_role("link", name="Ajouter à mon agenda (.ics)"))
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        with open(download.value.path(), encoding="utf-8") as f:
            assert "SUMMARY:2ème temps de partage éditeur" in f.read()
        tab_to(page, page.get_by_label("Votre question"))
        page.keyboard.type("Posée au clavier ?")
        tab_to(page, page.get_by_role("button", name="Poser la question"))
        page.keyboard.press("Enter")
        expect(page.locator("#questions")).to_contain_text("Posée au clavier ?")
