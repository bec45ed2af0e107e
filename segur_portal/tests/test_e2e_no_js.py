"""Without JavaScript (progressive enhancement): every main page reads, and
the main forms submit as plain HTML forms — signing in (with TOTP), the
requirement search's filters, a lead's decision, a question on a session,
an organisation's registration to a workshop."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from .main_pages import ROLES, pages_for

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_reads_without_javascript(no_js, browser_login, role):
    """Signing in is itself a form without JavaScript (and the TOTP step for
    leads and admins)."""
    if role != "anonymous":
        browser_login(no_js, role)
        expect(no_js.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    for main_page in pages_for(role):
        response = no_js.goto(main_page.url())
        assert response.status == 200, (main_page.url_name, role, response.status)
        expect(no_js.get_by_role("heading", level=1)).to_be_visible()
        expect(no_js.get_by_role("heading", level=1)).to_contain_text(
            re.compile(re.escape(main_page.subject), re.I)
        )
        # The main navigation is there to go on (DSFR's menu is a plain list of links).
        assert no_js.locator("#navigation a[href]").count() > 0 or role == "anonymous"


def test_the_requirement_filters_submit_without_javascript(no_js, browser_login):
    browser_login(no_js, "editor")
    no_js.goto("/exigences/")
    no_js.get_by_label("Rechercher").fill("geographique")
    no_js.get_by_label("SONS").select_option("LGC")
    no_js.get_by_role("button", name="Filtrer").click()
    expect(no_js).to_have_url(re.compile(r"(?=.*q=geographique)(?=.*sons=LGC)"))
    results = no_js.locator("#results")
    expect(results).to_contain_text("SC.SSI/IE.33")
    expect(results).not_to_contain_text("SC.DMP/UX.10")
    expect(no_js.get_by_label("Rechercher")).to_have_value("geographique")


def test_a_lead_records_a_decision_without_javascript(no_js, browser_login):
    from arbitrations.models import Arbitration

    browser_login(no_js, "lead")
    no_js.goto("/sujets/7/")
    no_js.get_by_role("link", name="Modifier SC.SSI/IE.33").click()  # the form's own page
    expect(no_js).to_have_url(re.compile(r"/arbitrages/arbitrer/SC\.SSI/IE\.33"))
    no_js.get_by_role("radio", name="Exigence supprimée").check(force=True)
    no_js.get_by_role("textbox", name="Commentaire").fill("Supprimée, sans JavaScript")
    no_js.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(no_js).to_have_url(re.compile(r"/sujets/7/$"))
    expect(no_js.get_by_text("LGC : Exigence supprimée (brouillon)")).to_be_visible()
    draft = Arbitration.objects.drafts().get(comment="Supprimée, sans JavaScript")
    assert draft.decision == "removed"


def test_a_question_and_a_registration_without_javascript(no_js, browser_login):
    from calendar_app.models import Question, Registration

    with time_machine.travel(datetime(2023, 9, 26, 10, 0, tzinfo=PARIS)):
        browser_login(no_js, "editor")
        no_js.goto("/calendrier/atelier-n1-n3-2023-10-03/")
        no_js.get_by_role("button", name=re.compile("^Inscrire ")).click()
        expect(no_js.get_by_text("Votre organisation est inscrite")).to_be_visible()
        assert Registration.objects.filter(event__slug="atelier-n1-n3-2023-10-03").count() == 1

    with time_machine.travel(datetime(2023, 10, 12, 14, 30, tzinfo=PARIS)):
        browser_login(no_js, "editor")
        no_js.goto("/calendrier/temps-de-partage-2023-10-12/")
        no_js.get_by_label("Votre question").fill("Posée sans JavaScript ?")
        no_js.get_by_role("button", name="Poser la question").click()
        expect(no_js).to_have_url(re.compile(r"/calendrier/temps-de-partage-2023-10-12/"))
        expect(no_js.locator("#questions")).to_contain_text("Posée sans JavaScript ?")
        assert Question.objects.filter(text="Posée sans JavaScript ?").count() == 1
