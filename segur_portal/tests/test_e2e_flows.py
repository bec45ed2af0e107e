"""End-to-end flows across the apps, in Chromium on a live server with the
demo data, as people click them. Flows that one app owns are in that app's
test_browser.py (signing in with TOTP, inline editing, the catalogue's
search and import, questions, the calendar on a phone…); these are the
ones that go from one person or one app to another."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEW_STATEMENT = "Le système DOIT gérer a minima le numéro RPPS, le nom et le prénom d'un PS."


def test_an_editor_signs_out(page, login_as):
    login_as("editor")
    page.locator(".fr-header__tools").get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Connexion au portail de la concertation"
    )
    page.goto("/mes-decisions/")
    expect(page).to_have_url(re.compile(r"/compte/login/\?next=/mes-decisions/$"))


def test_a_lead_publishes_inline_and_the_editor_sees_it_new_with_its_diff(
    page, login_as, browser, live_server, browser_login
):
    editor_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    editor = editor_context.new_page()
    browser_login(editor, "editor")
    editor.goto("/mes-decisions/")  # a first visit: later changes are news
    expect(editor.get_by_role("heading", level=1)).to_have_text("Mes décisions")

    login_as("lead")
    page.goto("/calendrier/temps-de-partage-2023-09-25/arbitrages/")
    page.get_by_role("link", name="Modifier SC.SSI/IE.33").click()
    form = page.locator(".portal-editor")
    form.get_by_role("radio", name="Exigence modifiée").check(force=True)
    form.get_by_role("textbox", name="Commentaire").fill("Attributs allégés pour la ville")
    form.get_by_role("textbox", name="Nouvel énoncé").fill(NEW_STATEMENT)
    form.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator(".portal-editor")).to_have_count(0)
    publish = page.locator("button", has_text="Publier").filter(has_text="SC.SSI/IE.33")
    publish.click()
    expect(publish).to_have_count(0)
    assert page.url.endswith("/calendrier/temps-de-partage-2023-09-25/arbitrages/")

    editor.reload()
    row = editor.locator("tr").filter(has_text="Attributs allégés pour la ville")
    expect(row).to_contain_text("SC.SSI/IE.33")
    # News since the editor's last visit: IE.33 was kept for LGC, it is now modified.
    expect(row.locator(".fr-badge").first).to_have_text("modifié")
    expect(row).to_contain_text("Avant : Exigence conservée")
    row.get_by_role("link", name="Voir le nouvel énoncé et ses modifications").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("SC.SSI/IE.33")
    editor.get_by_role("link", name="Comparer deux versions au choix").click()
    expect(editor.locator(".portal-diff ins").first).to_be_visible()
    expect(editor.locator(".portal-diff")).to_contain_text("RPPS")
    editor_context.close()


def test_the_calendar_grid_an_event_and_its_ics_file(page, login_as):
    login_as("editor")
    page.goto("/calendrier/semaines/")
    grid = page.get_by_role("table")
    expect(grid).to_contain_text("SEPTEMBRE")
    grid.get_by_role("link", name=re.compile("1er temps de partage éditeur")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1er temps de partage éditeur")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as f:
        calendar = Calendar.from_ical(f.read())
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    assert "1er temps de partage éditeur" in str(events[0]["SUMMARY"])
    assert str(events[0].decoded("DTSTART")).startswith("2023-09-25")


def test_a_form_error_keeps_what_was_typed(page, login_as):
    login_as("lead")
    page.goto("/sujets/7/")
    page.get_by_role("link", name="Modifier SC.SSI/IE.33").click()
    form = page.locator(".portal-editor")
    form.get_by_label("LGC").uncheck(force=True)  # no SONS left
    form.get_by_role("radio", name="Exigence modifiée").check(force=True)
    form.get_by_role("textbox", name="Commentaire").fill("Sans SONS <b>gras</b>")
    form.get_by_role("textbox", name="Nouvel énoncé").fill(NEW_STATEMENT)
    form.get_by_role("button", name="Enregistrer le brouillon").click()
    # Refused: the form stays, says why, and keeps what was typed and chosen.
    form = page.locator(".portal-editor")
    expect(form).to_contain_text("Choisissez au moins un SONS.")
    expect(form.get_by_role("textbox", name="Commentaire")).to_have_value("Sans SONS <b>gras</b>")
    expect(form.get_by_role("textbox", name="Nouvel énoncé")).to_have_value(NEW_STATEMENT)
    expect(form.get_by_role("radio", name="Exigence modifiée")).to_be_checked()
