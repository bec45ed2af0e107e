"""What a lead clicks, in Chromium: inline editing from the topic page and
the session page (htmx, indicator, the rest of the page usable), the
conflict answer, publication, and the presentation driven by the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arbitrations.models import Arbitration

pytestmark = pytest.mark.browser
NEW_STATEMENT = "Le système DOIT gérer a minima le numéro RPPS, le nom et le prénom d'un PS."


def test_a_lead_changes_ie33_for_lgc_inline_and_publishes_it(page, login_as):
    csp_errors = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    login_as("lead")
    page.goto("/sujets/7/")
    row = page.locator("#decision-row-" + str(_pk("SC.SSI/IE.33")))
    row.get_by_role("link", name="Modifier SC.SSI/IE.33").click()
    editor = page.locator(".portal-editor")
    expect(editor).to_be_visible()
    expect(page).to_have_url(re.compile(r"/sujets/7/$"))  # still on the topic page
    # The form took the focus; the rest of the page stays usable.
    expect(editor.get_by_label("LGC")).to_be_checked()
    editor.get_by_role("radio", name="Exigence modifiée").check(
        force=True
    )  # DSFR: the label covers it
    editor.get_by_role("textbox", name="Commentaire").fill("Liste d'attributs allégée")
    editor.get_by_role("textbox", name="Nouvel énoncé").fill(NEW_STATEMENT)
    expect(page.get_by_role("link", name="Relevé de décisions du sujet")).to_be_enabled()
    editor.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator(".portal-editor")).to_have_count(0)
    expect(row).to_contain_text("LGC : Exigence modifiée (brouillon)")
    expect(page.get_by_role("status").filter(has_text="enregistré en brouillon")).to_be_visible()
    assert page.url.endswith("/sujets/7/")

    page.goto("/exigences/SC.SSI/IE.33")
    page.get_by_role("button", name=re.compile("^Publier")).click()
    expect(page.locator("#timeline")).to_contain_text("Publication — Exigence modifiée (LGC)")
    expect(page.locator("ol.portal-versions").last).to_contain_text(NEW_STATEMENT)
    assert not csp_errors, csp_errors


def test_the_indicator_shows_while_the_inline_form_loads(page, login_as):
    login_as("lead")
    page.goto("/calendrier/temps-de-partage-2023-09-25/arbitrages/")
    indicator = page.locator("#session-indicator")
    seen = []

    def slow(route):
        seen.append(indicator.evaluate("e => e.classList.contains('htmx-request')"))
        route.continue_()

    page.route(re.compile(r".*/arbitrages/arbitrer/SC\.SSI/IE\.30.*"), slow)
    page.get_by_role("link", name="Modifier SC.SSI/IE.30").click()
    expect(page.locator(".portal-editor")).to_be_visible()
    assert seen == [True], "the indicator shows while the request runs"
    # Cancel closes the inline form and gives the focus back to its link.
    page.locator(".portal-editor").get_by_role("link", name="Annuler").click()
    expect(page.locator(".portal-editor")).to_have_count(0)
    expect(page.get_by_role("link", name="Modifier SC.SSI/IE.30")).to_be_focused()


def test_two_browsers_the_second_save_is_refused_with_the_first_change(
    browser, live_server, page, login_as, browser_login
):
    login_as("lead")
    page.goto("/arbitrages/arbitrer/SC.SSI/IE.33?sons=LGC")
    other_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    other = other_context.new_page()
    browser_login(other, "admin")
    other.goto("/arbitrages/arbitrer/SC.SSI/IE.33?sons=LGC")

    page.get_by_role("radio", name="Exigence supprimée").check(force=True)
    page.get_by_role("textbox", name="Commentaire").fill("Supprimée par le lead")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/exigences/SC\.SSI/IE\.33$"))

    other.get_by_role("radio", name="Instruction en cours").check(force=True)
    other.get_by_role("textbox", name="Commentaire").fill("Instruction, dit l'admin")
    other.get_by_role("button", name="Enregistrer le brouillon").click()
    alert = other.locator("#conflict")
    expect(alert).to_contain_text("Quelqu’un a modifié cet arbitrage")
    expect(alert).to_contain_text("Supprimée par le lead")
    expect(other.get_by_role("textbox", name="Commentaire")).to_have_value(
        "Instruction, dit l'admin"
    )
    other_context.close()
    assert Arbitration.objects.drafts().get().comment == "Supprimée par le lead"


def test_the_presentation_follows_the_arrow_keys(page, login_as):
    def slide_shows(reference: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(reference)
        # The keys work once the page's script has run (deferred, at the end of
        # its loading): a key pressed as soon as the heading shows was lost
        # whenever the scripts came slowly (they do when the server's clock is
        # behind the files' dates, as under TEST_CLOCK: each is revalidated).
        page.wait_for_load_state("load")

    login_as("editor")
    page.goto("/calendrier/temps-de-partage-2023-09-25/presentation/")
    slide_shows("SC.SSI/GEN.08")
    page.keyboard.press("ArrowRight")
    slide_shows("SC.SSI/IE.30")
    page.keyboard.press("ArrowRight")
    slide_shows("SC.SSI/IE.31")
    page.keyboard.press("ArrowLeft")
    slide_shows("SC.SSI/IE.30")
    expect(page.get_by_text("Commentaire", exact=True)).to_be_visible()


def _pk(reference):
    from topics.models import Requirement

    return Requirement.objects.get(reference=reference).pk
