"""Accessibility in Chromium, on the demo data: axe-core (every rule, none
disabled) on every main page for every role, meaningful page titles, and a
focus that can be seen. The pages come from main_pages.MAIN_PAGES: one line
there adds a page to every check here."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .main_pages import ROLES, pages_for

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}


def axe_findings(page) -> list[str]:
    """Serious and critical violations of every axe rule on the page, one
    line per rule with the elements concerned."""
    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        rule = f"{violation['id']} ({violation['impact']}): {violation['help']}"
        lines.append(f"{page.url}: {rule} — {targets}")
    return lines


@pytest.mark.parametrize("role", ROLES)
def test_axe_finds_no_serious_violation_on_the_main_pages(page, browser_login, role):
    """One signed-in page per role visits every page that role reads."""
    if role != "anonymous":
        browser_login(page, role)
    findings = []
    for main_page in pages_for(role):
        response = page.goto(main_page.url())
        assert response.status == 200, f"{main_page.url_name} as {role}: {response.status}"
        page.wait_for_load_state("load")
        findings += axe_findings(page)
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("role", ["anonymous", "lead"])
def test_every_main_page_has_its_own_meaningful_title(page, browser_login, role):
    """Each <title> names what its <h1> is about, then the portal; no two
    main pages share a title."""
    if role != "anonymous":
        browser_login(page, role)
    titles = {}
    for main_page in pages_for(role):
        page.goto(main_page.url())
        title = page.title()
        heading = page.get_by_role("heading", level=1).inner_text()
        subject = main_page.subject.lower()
        assert subject in heading.lower(), (main_page.url_name, heading)
        assert subject in title.lower(), (main_page.url_name, title)
        assert title.endswith(" — Concertation Ségur numérique — vague 2"), title
        titles.setdefault(title, []).append(main_page.url())
    duplicates = {title: urls for title, urls in titles.items() if len(urls) > 1}
    assert not duplicates, duplicates


def focus_is_drawn(page) -> str:
    """What makes the focused element visible: its outline, or a box shadow."""
    return page.evaluate(
        """() => {
            // DSFR draws the ring of an "enlarged" link (a card, the header's
            // brand) on its ::before, which covers the block around it.
            const drawn = (style) => {
                if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) {
                    return 'outline ' + style.outlineStyle + ' ' + style.outlineWidth;
                }
                const shadow = style.boxShadow && style.boxShadow !== 'none';
                return shadow ? 'box-shadow ' + style.boxShadow : '';
            };
            const el = document.activeElement;
            return drawn(getComputedStyle(el)) || drawn(getComputedStyle(el, '::before'));
        }"""
    )


def test_the_keyboard_focus_is_always_visible(page, login_as):
    """Tab through the requirement list (links, fields, selects, buttons):
    each focused element draws a ring."""
    login_as("lead")
    page.goto("/exigences/")
    seen = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        tag = page.evaluate(
            "() => document.activeElement.tagName + '#' + (document.activeElement.id || "
            "document.activeElement.textContent.trim().slice(0, 30))"
        )
        ring = focus_is_drawn(page)
        assert ring, f"{tag} is focused but nothing shows it"
        seen.add(tag.split("#")[0])
    assert {"A", "INPUT", "SELECT", "BUTTON"} <= seen, seen


def test_the_skip_link_leads_to_the_content(page, login_as):
    login_as("editor")
    page.goto("/sujets/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Contenu")
    expect(skip).to_be_focused()
    assert focus_is_drawn(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
