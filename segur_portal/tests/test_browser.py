"""What a person clicks, in Chromium, against a live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_editor_logs_in_and_sees_the_dashboard(page, login_as):
    login_as("editor")
    expect(page).to_have_title("Tableau de bord — Concertation Ségur numérique — vague 2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.get_by_text("Bonjour Émile")).to_be_visible()


def test_language_switch_in_the_header(page, login_as):
    login_as("editor")
    page.locator(".fr-header__tools").get_by_title("Sélectionner une langue").click()
    page.locator(".fr-header__tools").get_by_role("button", name="EN - English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The choice follows the person to other pages, and back to French.
    page.goto("/sujets/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sujets de la concertation")
    page.locator(".fr-header__tools").get_by_title("Select a language").click()
    page.locator(".fr-header__tools").get_by_role("button", name="FR - Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sujets de la concertation")
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_anonymous_visitor_is_sent_to_the_login_page(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/compte/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Connexion au portail de la concertation"
    )
