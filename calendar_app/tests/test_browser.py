"""The calendar in Chromium: on a phone, in print, without JavaScript, and
with htmx."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
ARTIFACTS = settings.VAR_DIR / "test-artifacts" / "calendar"


@pytest.mark.parametrize(
    "path",
    [
        "/calendrier/",
        "/calendrier/semaines/",
        "/calendrier/mois/?mois=2023-10",
        "/calendrier/temps-de-partage-2023-10-12/",
    ],
)
def test_every_view_is_usable_on_a_375px_phone(phone, path, browser_login):
    browser_login(phone, "editor")
    phone.goto(path)
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    # The page itself never scrolls sideways (the week grid scrolls in its own box).
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width}px wide on a 375px screen"
    os.makedirs(ARTIFACTS, exist_ok=True)
    name = path.strip("/").replace("/", "_").replace("?", "_") or "calendar"
    phone.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    if "mois" in path:
        # On a phone the month is a list of the days that have events.
        expect(
            phone.get_by_role("link", name="14h00 2ème temps de partage éditeur")
        ).to_be_visible()
        expect(phone.locator("td.portal-month__empty").first).to_be_hidden()


def test_print_hides_the_controls(page, login_as):
    login_as("editor")
    page.goto("/calendrier/semaines/")
    page.emulate_media(media="print")
    expect(page.locator("form[role=search]")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Vues du calendrier")).to_be_hidden()
    expect(page.get_by_role("table")).to_be_visible()
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "print-grid.pdf"), landscape=True)


def test_a_lead_reorders_the_agenda_and_cancels_without_javascript(no_js, browser_login):
    browser_login(no_js, "lead")
    no_js.goto("/calendrier/temps-de-partage-2023-10-12/modifier/")
    items = no_js.locator(".portal-agenda > li > span")
    expect(items).to_have_text(
        [
            "(DOCS) Gestion des versions N1 et N3 d'un même document",
            "(MES/DMP) Circuit d'alimentation MES dans les cas d'annonce",
            "(MSS) Workflow MSS gestion des KO d'intégration automatique",
            "(INS) Indicateurs INSq",
        ]
    )
    no_js.get_by_role("button", name="Monter « (INS) Indicateurs INSq »").click()
    expect(items.nth(2)).to_have_text("(INS) Indicateurs INSq")
    no_js.get_by_label("Ou un autre point").fill("Questions-réponses")
    no_js.get_by_role("button", name="Ajouter au programme").click()
    expect(items.nth(4)).to_have_text("Questions-réponses")
    no_js.get_by_role("link", name="Annuler l’événement").click()
    no_js.get_by_label("Motif de l’annulation").fill("Reporté")
    no_js.get_by_role("button", name="Annuler l’événement").click()
    expect(no_js.get_by_role("heading", name="Événement annulé")).to_be_visible()


def test_an_editor_asks_a_question_with_htmx(page, login_as):
    with time_machine.travel(datetime(2023, 10, 12, 14, 30, tzinfo=PARIS)):
        login_as("editor")
        page.goto("/calendrier/temps-de-partage-2023-10-12/")
        url = page.url
        page.get_by_label("Votre question").fill("Le KO d'intégration est-il notifié ?")
        page.get_by_role("button", name="Poser la question").click()
        expect(page.locator("#questions")).to_contain_text("Le KO d'intégration est-il notifié ?")
        assert page.url == url  # swapped in place, no reload
        expect(page.get_by_label("Votre question")).to_have_value("")
        expect(page.locator("#questions")).to_contain_text("0 soutien")
