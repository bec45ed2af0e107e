"""Comments in Chromium (issue 8): editor@demo.example comments on
SC.DMP/UX.10 with the keyboard, the federation replies (a double click posts
once), the editor sees the reply; the same without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from concertation.models import Comment

pytestmark = pytest.mark.browser

UX10 = "/exigences/SC.DMP/UX.10"
QUESTION = "Le délai de 2 secondes est-il mesuré sur le poste de l'utilisateur ?"
ANSWER = "Oui : du clic à l'affichage, sur le poste."


def test_editor_comments_federation_replies_editor_sees_the_reply(
    page, login_as, browser, live_server, browser_login
):
    csp_errors = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    login_as("editor")
    page.goto(UX10)
    page.evaluate("window.__notReloaded = true")
    thread = page.locator("#comments")
    expect(thread).to_contain_text("0 commentaire")
    # Keyboard only: the SONS list (LGC, the editor's), the text, the button.
    sons = page.get_by_label("Énoncé commenté")
    expect(sons).to_have_value("LGC")
    sons.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Votre commentaire")).to_be_focused()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Envoyer le commentaire")).to_be_focused()
    page.keyboard.press("Enter")
    expect(thread).to_contain_text(QUESTION)
    expect(thread).to_contain_text("1 commentaire")
    expect(page.locator("#portal-live-region")).to_have_text("Votre commentaire est publié.")
    assert page.evaluate("window.__notReloaded") is True  # htmx, no reload
    assert page.url.endswith(UX10)
    question = Comment.objects.get()
    assert question.sons.code == "LGC"

    # The federation, in its own browser, replies from the keyboard.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    other = context.new_page()
    other.set_default_timeout(15_000)
    browser_login(other, "federation")
    other.goto(UX10)
    reply_link = other.locator(f"#commentaire-{question.pk}").get_by_role("link", name="Répondre")
    reply_link.focus()
    other.keyboard.press("Enter")
    answer_box = other.locator(f"#commentaire-{question.pk}").get_by_label("Votre réponse")
    expect(answer_box).to_be_focused()  # the opened form takes the focus
    other.keyboard.type(ANSWER)
    # A double click on the button posts once.
    other.get_by_role("button", name="Envoyer la réponse").dblclick()
    expect(other.locator("#comments")).to_contain_text(ANSWER)
    expect(other.locator("#comments")).to_contain_text("2 commentaires")
    assert Comment.objects.filter(parent=question).count() == 1
    context.close()

    # The editor sees the reply under the question, and is told of it.
    page.reload()
    reply = page.locator(".portal-comment--depth-1")
    expect(reply).to_contain_text(ANSWER)
    expect(reply).to_contain_text("en réponse à")
    page.goto("/notifications/")
    expect(
        page.get_by_role("link", name="Réponse à votre commentaire sur SC.DMP/UX.10")
    ).to_be_visible()
    page.get_by_role("link", name="Réponse à votre commentaire sur SC.DMP/UX.10").click()
    expect(page).to_have_url(re.compile(r"/exigences/SC\.DMP/UX\.10#commentaire-\d+$"))
    assert not csp_errors, csp_errors


def test_an_empty_comment_shows_an_error_and_the_form_keeps_the_sons(page, login_as):
    login_as("editor2")
    page.goto(UX10)
    page.get_by_label("Énoncé commenté").select_option("RIS")
    page.get_by_role("button", name="Envoyer le commentaire").click()
    error = page.locator("#comments").get_by_text("Ce champ est obligatoire")
    expect(error).to_be_visible()
    expect(page.get_by_label("Énoncé commenté")).to_have_value("RIS")
    assert Comment.objects.count() == 0


def test_commenting_without_javascript(browser, live_server, demo_data, browser_login):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    browser_login(page, "federation")
    page.goto(UX10)
    page.get_by_label("Votre commentaire").fill("Sans JavaScript.")
    page.get_by_role("button", name="Envoyer le commentaire").click()
    expect(page).to_have_url(re.compile(r"/exigences/SC\.DMP/UX\.10#commentaire-\d+$"))
    expect(page.locator("#comments")).to_contain_text("Sans JavaScript.")
    # "Répondre" is a page with the form open.
    page.locator("#comments").get_by_role("link", name="Répondre").click()
    expect(page).to_have_url(re.compile(r"/commentaires/\d+/repondre/$"))
    page.get_by_label("Votre réponse").fill("Réponse sans JavaScript.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.locator(".portal-comment--depth-1")).to_contain_text("Réponse sans JavaScript.")
    context.close()
