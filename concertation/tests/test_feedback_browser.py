"""The issue's check in Chromium, with the keyboard where a person would use
it: federation@ drafts feedback on SC.DMP/UX.10 with a proposed wording and
a DOCX and files it; editor@ co-signs; lead@ answers "acceptée avec
modifications"; the federation sees the notification."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .feedback_helpers import DOCX_TYPE, docx_bytes

pytestmark = pytest.mark.browser

PROPOSED = "Le système DOIT alimenter le DMP, sauf opposition du patient tracée."


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_draft_file_cosign_answer_in_chromium(page, login_as):
    csp_errors = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    login_as("federation")
    page.goto("/exigences/SC.DMP/UX.10")
    page.get_by_role("link", name="Rédiger un retour sur cette exigence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau retour argumenté")
    # The keyboard picks the kind of feedback.
    page.get_by_role("radio", name="Demande de modification").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Demande de modification")).to_be_checked()
    expect(page.get_by_label("SC.DMP/UX.10")).to_be_checked()
    page.get_by_role("textbox", name="Rédaction proposée").fill(PROPOSED)
    page.get_by_role("textbox", name="Argumentaire").fill(
        "Le refus du patient doit rester possible."
    )
    page.get_by_role("textbox", name="Élément nouveau").fill(
        "Avis de la CNIL publié après l'arbitrage."
    )
    page.get_by_label("Pièces jointes").set_input_files(
        {"name": "proposition.docx", "mimeType": DOCX_TYPE, "buffer": docx_bytes()}
    )
    page.get_by_role("button", name="Déposer le retour").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#feedback-status")).to_have_text("Déposé")
    expect(page.locator("#proposed-wording")).to_contain_text(PROPOSED)
    expect(page.get_by_role("link", name="proposition.docx")).to_be_visible()
    detail = page.url

    page.context.clear_cookies()
    login_as("editor")
    page.goto(detail)
    page.get_by_role("button", name="Cosigner au nom de Éditeur démo LGC").click()
    expect(page.locator("#cosigners")).to_contain_text("Éditeur démo LGC")

    page.context.clear_cookies()
    login_as("lead")
    page.goto(detail)
    page.get_by_label("Suite donnée").select_option(label="Acceptée avec modifications")
    page.locator("#id_text").fill("Acceptée : l'opposition sera tracée en V2.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.locator("#feedback-status")).to_have_text("Répondu")
    expect(page.locator("#answer")).to_contain_text("Acceptée avec modifications")

    page.context.clear_cookies()
    login_as("federation")
    page.goto("/notifications/")
    expect(page.get_by_text(re.compile("Acceptée avec modifications")).first).to_be_visible()
    assert not csp_errors, csp_errors
