"""Signing in with a second factor, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from segur_portal.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_lead_signs_in_with_password_then_totp(page, login_as):
    login_as("lead")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.get_by_text("Bonjour Louise")).to_be_visible()


def test_lead_without_totp_is_made_to_set_one_up(page, persona_user):
    from allauth.mfa.models import Authenticator

    from accounts.testing import TEST_TOTP_SECRET, totp_code

    Authenticator.objects.filter(user=persona_user("lead2")).delete()
    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill("lead2@demo.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # No page before the second factor: first the password again, then the app.
    page.goto("/sujets/")
    expect(page).to_have_url(re.compile(r"/compte/"))
    if "/reauthenticate/" in page.url:
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirmer").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Activer l'application d'authentification")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Codes de récupération")
    page.goto("/sujets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sujets de la concertation")
    assert secret != TEST_TOTP_SECRET
