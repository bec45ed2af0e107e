"""Sessions end after 30 minutes idle and 12 hours in all; a password change
ends the other sessions."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.testing import login_with_mfa
from segur_portal.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    return login_with_mfa(Client(), user)


def test_thirty_minutes_idle_end_the_session(persona_user):
    with time_machine.travel("2023-10-02 09:00 +0200", tick=False) as clock:
        client = signed_in(persona_user("editor"))
        assert client.get("/").status_code == 200
        clock.move_to("2023-10-02 09:29 +0200")
        assert client.get("/").status_code == 200
        clock.move_to("2023-10-02 09:58 +0200")  # 29 minutes after the last request
        assert client.get("/").status_code == 200
        clock.move_to("2023-10-02 10:29 +0200")  # 31 minutes
        response = client.get("/sujets/")
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login") + "?next=%2Fsujets%2F"
        page = client.get(response["Location"]).content.decode()
        assert "Votre session a expiré" in page
        assert client.get("/").status_code == 302  # signed out for good
    event = AuditEvent.objects.get(action="session_expired")
    assert event.details == {"reason": "idle"}


def test_twelve_hours_end_the_session_whatever_the_activity(persona_user):
    with time_machine.travel("2023-10-02 08:00 +0200", tick=False) as clock:
        client = signed_in(persona_user("federation"))
        for hour in range(8, 20):
            for minute in (0, 20, 40):
                clock.move_to(f"2023-10-02 {hour:02}:{minute:02} +0200")
                assert client.get("/").status_code == 200, f"{hour}:{minute}"
        clock.move_to("2023-10-02 20:01 +0200")  # 12 hours and a minute
        assert client.get("/").status_code == 302
    assert AuditEvent.objects.get(action="session_expired").details == {"reason": "max_age"}


def test_an_htmx_request_after_expiry_sends_the_whole_page_to_the_login(persona_user):
    with time_machine.travel("2023-10-02 09:00 +0200", tick=False) as clock:
        client = signed_in(persona_user("editor"))
        client.get("/")
        clock.move_to("2023-10-02 10:00 +0200")
        response = client.get("/exigences/?q=IE", headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == reverse("account_login")


def test_a_password_change_ends_the_other_sessions_not_this_one(persona_user):
    editor = persona_user("editor")
    other_browser = signed_in(editor)
    client = signed_in(editor)
    assert other_browser.get("/").status_code == 200
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEMO_PASSWORD,
            "password1": "un-nouveau-mot-de-passe-2023",
            "password2": "un-nouveau-mot-de-passe-2023",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="password_changed", subject=editor).exists()


def test_password_rules_refuse_short_and_common_passwords(persona_user):
    client = signed_in(persona_user("editor"))
    for weak in ("court-2023", "password1234", "123456789012"):
        response = client.post(
            reverse("account_change_password"),
            {"oldpassword": DEMO_PASSWORD, "password1": weak, "password2": weak},
        )
        assert response.status_code == 200, weak
    assert persona_user("editor").check_password(DEMO_PASSWORD)
