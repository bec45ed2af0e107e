"""SC.DMP/UX.10 on the portal itself, as the deck tests it: "interface réseau
bridée avec une latence de 3 secondes". Chromium adds 3 s to every request
(DevTools network emulation; nothing slows the product down): while an htmx
request runs, an indicator shows, and the person keeps typing, scrolling and
clicking elsewhere; a double click submits once.

If a template loses its ``hx-indicator``, its ``hx-disabled-elt`` or its
htmx target, one of these tests fails."""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LATENCY_MS = 3000
PARIS = ZoneInfo("Europe/Paris")


def throttle(page, latency_ms: int = LATENCY_MS) -> None:
    """Every request of the page from now on takes ``latency_ms`` more."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def wait_until_shown(page, selector: str) -> None:
    """The indicator is drawn (htmx hides it with opacity, which Playwright's
    visibility does not see)."""
    page.wait_for_function(
        "s => { const e = document.querySelector(s);"
        " return e && parseFloat(getComputedStyle(e).opacity) > 0.9; }",
        arg=selector,
        timeout=LATENCY_MS,
    )


def indicator_is_on(page, selector: str) -> bool:
    return page.evaluate(
        "s => { const e = document.querySelector(s); return !!e && ("
        "e.classList.contains('htmx-request') || !!e.closest('.htmx-request')); }",
        selector,
    )


def test_the_search_never_blocks_the_page_under_3_seconds_of_latency(page, login_as):
    login_as("lead")
    page.goto("/exigences/")
    results = page.locator("#results")
    expect(results).to_contain_text("SC.DMP/UX.10")
    page.set_viewport_size({"width": 1280, "height": 500})  # the page scrolls
    throttle(page)

    # A filter starts a search: the indicator shows at once.
    started = time.monotonic()
    page.get_by_label("SONS").select_option("LGC")
    wait_until_shown(page, "#requirements-indicator")

    # While it runs, the person types in another field...
    search = page.get_by_label("Rechercher")
    search.press_sequentially("geographique", delay=20)
    expect(search).to_have_value("geographique")
    # ... scrolls ...
    page.mouse.wheel(0, 400)
    page.wait_for_function("window.scrollY > 0", timeout=LATENCY_MS)
    # ... and uses another control of the page (the language menu of the header).
    page.mouse.wheel(0, -2000)
    language = page.locator(".fr-header__tools").get_by_title("Sélectionner une langue")
    language.click()
    expect(language).to_have_attribute("aria-expanded", "true", timeout=LATENCY_MS)
    assert indicator_is_on(page, "#requirements-indicator"), "the search still runs"
    assert time.monotonic() - started < LATENCY_MS / 1000, "all of that while the request ran"

    # In the end the results are those of everything chosen, and the address says so.
    expect(results).not_to_contain_text("SC.DMP/UX.10", timeout=4 * LATENCY_MS)
    expect(results).to_contain_text("SC.SSI/IE.33", timeout=4 * LATENCY_MS)
    expect(page).to_have_url(
        re.compile(r"(?=.*q=geographique)(?=.*sons=LGC)"), timeout=4 * LATENCY_MS
    )
    page.wait_for_function(
        "!document.querySelector('.htmx-request')", timeout=4 * LATENCY_MS, polling=200
    )


def test_a_double_click_asks_the_question_once_under_latency(page, login_as):
    from calendar_app.models import Question

    with time_machine.travel(datetime(2023, 10, 12, 14, 30, tzinfo=PARIS)):
        login_as("editor")
        page.goto("/calendrier/temps-de-partage-2023-10-12/")
        posts = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        throttle(page)
        page.get_by_label("Votre question").fill("La double saisie est-elle évitée ?")
        page.get_by_role("button", name="Poser la question").dblclick()
        wait_until_shown(page, "#questions-indicator")
        expect(page.get_by_role("button", name="Poser la question")).to_be_disabled()
        expect(page.locator("#questions")).to_contain_text(
            "La double saisie est-elle évitée ?", timeout=4 * LATENCY_MS
        )
        page.wait_for_timeout(LATENCY_MS + 500)  # a second request would have arrived by now
        assert len(posts) == 1, posts
        assert Question.objects.filter(text="La double saisie est-elle évitée ?").count() == 1


def test_a_double_click_saves_a_decision_once_under_latency(page, login_as):
    from arbitrations.models import Arbitration

    login_as("lead")
    page.goto("/sujets/7/")
    throttle(page)
    page.get_by_role("link", name="Modifier SC.SSI/IE.33").click()
    wait_until_shown(page, "#topic-decisions-indicator")
    editor = page.locator(".portal-editor")
    expect(editor).to_be_visible(timeout=4 * LATENCY_MS)
    editor.get_by_role("radio", name="Exigence supprimée").check(force=True)
    editor.get_by_role("textbox", name="Commentaire").fill("Double clic")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    editor.get_by_role("button", name="Enregistrer le brouillon").dblclick()
    expect(editor.get_by_role("button", name="Enregistrer le brouillon")).to_be_disabled()
    expect(page.locator(".portal-editor")).to_have_count(0, timeout=4 * LATENCY_MS)
    page.wait_for_timeout(LATENCY_MS + 500)
    assert len(posts) == 1, posts
    assert Arbitration.objects.drafts().filter(comment="Double clic").count() == 1
