"""What a person clicks, in Chromium: follow a topic, see the badge, read."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from notifications.tests.helpers import publish_decision

pytestmark = pytest.mark.browser


def test_follow_a_topic_then_read_what_was_published(page, login_as, persona_user):
    login_as("editor")
    page.goto("/sujets/7/")
    follow = page.get_by_role("button", name="Suivre #7 (SSI/IE)")
    follow.click()
    unfollow = page.get_by_role("button", name="Ne plus suivre #7 (SSI/IE)")
    expect(unfollow).to_be_focused()  # the focus stays on the button that was swapped
    expect(page.locator("#portal-live-region")).to_contain_text("Vous suivez désormais #7")
    assert "/suivis/" not in page.url  # swapped in place, no reload

    publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
    page.reload()
    badge = page.locator("#portal-unread-count")
    expect(badge).to_have_text("1")

    page.get_by_role("link", name="Notifications (1 non lue)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    item = page.get_by_role("listitem").filter(has_text="Arbitrage publié sur SC.SSI/IE.33")
    item.get_by_role("button", name="Marquer comme lue").click()
    expect(badge).to_have_count(0)
    expect(item.get_by_role("button", name="Marquer comme lue")).to_have_count(0)
    expect(page.locator("#portal-live-region")).to_have_text("Notification marquée comme lue.")

    page.get_by_role("link", name="Arbitrage publié sur SC.SSI/IE.33 : Exigence conservée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SC.SSI/IE.33")


def test_choose_the_daily_digest_from_what_i_follow(page, login_as, persona_user):
    login_as("editor")
    page.goto("/suivis/")
    page.get_by_role("button", name="Suivre LGC — Logiciel de gestion de cabinet").click()
    expect(
        page.get_by_role("button", name="Ne plus suivre LGC — Logiciel de gestion de cabinet")
    ).to_be_visible()
    page.get_by_role("link", name="modifier").click()
    # DSFR draws the radio on its label: a person clicks the label.
    page.locator("label", has_text="Résumé hebdomadaire").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos préférences de courriel sont enregistrées.")).to_be_visible()
    expect(page.get_by_label("Résumé hebdomadaire")).to_be_checked()
