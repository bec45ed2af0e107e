"""SC.SSI/IE.34/35: a second factor, mandatory for leads and admins."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.testing import give_totp, login_with_mfa, totp_code
from segur_portal.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/", "/sujets/", "/exigences/SC.SSI/IE.33", "/calendrier/", "/organisations/"]


def _signed_in_without_mfa(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["lead", "lead2", "admin"])
def test_no_page_without_totp_for_leads_and_admins(persona, persona_user, settings):
    """The issue: lead@demo.example cannot reach any page without TOTP when
    DEBUG is off."""
    assert settings.DEBUG is False
    user = persona_user(persona)
    Authenticator.objects.filter(user=user).delete()
    client = _signed_in_without_mfa(user)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp")), url
    # An htmx request is sent to the same place as a whole page.
    response = client.get("/exigences/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("mfa_activate_totp")
    # POSTs are refused too.
    response = client.post(reverse("organisation_create"), {"name": "X", "kind": "editor"})
    assert response.status_code == 302
    assert not client.get("/").content


def test_a_lead_with_totp_must_enter_a_code_in_this_session(persona_user):
    lead = persona_user("lead")
    give_totp(lead)
    client = _signed_in_without_mfa(lead)
    response = client.get("/sujets/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fsujets%2F"
    response = client.post(reverse("mfa_reauthenticate"), {"code": "000000", "next": "/sujets/"})
    assert client.get("/sujets/").status_code == 302  # a wrong code changes nothing
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(), "next": "/sujets/"})
    assert response.status_code == 302
    assert client.get("/sujets/").status_code == 200


def test_signing_in_asks_leads_for_their_code(client, persona_user):
    give_totp(persona_user("lead"))
    response = client.post(
        reverse("account_login"), {"login": "lead@demo.example", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/").status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=persona_user("lead")).exists()


def test_a_code_typed_as_its_period_ends_is_accepted_once_and_an_older_one_refused(
    persona_user,
):
    """RFC 6238, 5.2: one time step of network delay is accepted; a code is
    used once only; a code two steps old is refused."""
    give_totp(persona_user("lead"))
    period = 30  # RFC 6238's default time step, which authenticator apps use

    def attempt(code: str) -> Client:
        client = Client()
        client.post(
            reverse("account_login"), {"login": "lead@demo.example", "password": DEMO_PASSWORD}
        )
        client.post(reverse("mfa_authenticate"), {"code": code})
        return client

    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as clock:
        now = timezone.now().timestamp()
        assert attempt(totp_code(at=now - 2 * period)).get("/").status_code == 302
        previous = totp_code(at=now - period)
        assert attempt(previous).get("/").status_code == 200
        assert attempt(previous).get("/").status_code == 302  # never twice
        clock.shift(period * 2)
        assert attempt(totp_code(at=now)).get("/").status_code == 302


def test_a_wrong_code_at_sign_in_is_refused_and_logged(client, persona_user):
    give_totp(persona_user("lead"))
    client.post(reverse("account_login"), {"login": "lead@demo.example", "password": DEMO_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="mfa_failed", subject=persona_user("lead")).exists()


@pytest.mark.parametrize("persona", ["federation", "editor", "outsider"])
def test_totp_is_optional_for_editors_and_federations(persona, persona_user):
    client = _signed_in_without_mfa(persona_user(persona))
    for url in PAGES[:4]:
        assert client.get(url).status_code == 200, url


def test_demo_accounts_skip_totp_only_when_debug_is_on(persona_user, settings):
    lead = persona_user("lead")
    Authenticator.objects.filter(user=lead).delete()
    settings.DEBUG = True
    settings.MFA_DEMO_EXEMPT_DOMAIN = "demo.example"
    assert _signed_in_without_mfa(lead).get("/").status_code == 200
    # An account outside the demo domain gets no such favour, even with DEBUG on.
    lead.email = "louise.ville@ans.example"
    lead.save()
    assert _signed_in_without_mfa(lead).get("/").status_code == 302
    settings.DEBUG = False
    lead.email = "lead@demo.example"
    lead.save()
    assert _signed_in_without_mfa(lead).get("/").status_code == 302


def test_totp_renewal_is_imposed_after_the_configured_period(persona_user, settings):
    settings.MFA_TOTP_RENEWAL_DAYS = 90
    editor = persona_user("editor")
    client = Client()
    with time_machine.travel("2023-09-01 09:00 +0200", tick=False):
        give_totp(editor)
        login_with_mfa(client, editor)
    with time_machine.travel("2023-11-29 09:00 +0200", tick=False):  # 89 days on
        client = login_with_mfa(Client(), editor)
        assert client.get("/").status_code == 200
    with time_machine.travel("2023-12-01 09:00 +0200", tick=False):  # 91 days on
        client = login_with_mfa(Client(), editor)
        response = client.get("/")
        assert response["Location"] == reverse("mfa_deactivate_totp")
        page = client.get(response["Location"], follow=True).content.decode()
        assert "plus de 90 jours" in page


@pytest.mark.django_db(transaction=True)
def test_activating_totp_needs_the_password_and_a_valid_code_and_is_logged(demo_data, persona_user):
    federation = persona_user("federation")
    client = _signed_in_without_mfa(federation)
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=federation).exists()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    types = set(Authenticator.objects.filter(user=federation).values_list("type", flat=True))
    assert types == {"totp", "recovery_codes"}
    assert AuditEvent.objects.filter(action="mfa_activated", subject=federation).count() == 2
    # The owner is told by e-mail (SC.SSI/IE.32's spirit: every security change).
    assert any(federation.email in message.to for message in mail.outbox)


def test_the_owner_deactivates_their_totp_and_it_is_logged(persona_user):
    editor = persona_user("editor")
    give_totp(editor)
    client = login_with_mfa(Client(), editor)
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code()})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=editor, type="totp").exists()
    assert AuditEvent.objects.filter(action="mfa_deactivated", subject=editor).exists()


@pytest.mark.django_db(transaction=True)
def test_an_admin_deactivates_a_lost_totp(demo_data, client_as, persona_user):
    lead = persona_user("lead")
    mail.outbox.clear()
    admin = client_as("admin")
    page = admin.get(reverse("person_detail", args=[lead.pk])).content.decode()
    assert "Désactiver son second facteur" in page
    response = admin.post(reverse("person_reset_mfa", args=[lead.pk]))
    assert response["Location"] == reverse("person_detail", args=[lead.pk])
    assert not Authenticator.objects.filter(user=lead).exists()
    event = AuditEvent.objects.get(action="mfa_reset_by_admin")
    assert (event.actor, event.subject) == (persona_user("admin"), lead)
    assert [message.to for message in mail.outbox] == [[lead.email]]
    # The lead must now set up a new one before anything else.
    assert (
        _signed_in_without_mfa(lead).get("/")["Location"].startswith(reverse("mfa_activate_totp"))
    )


def test_only_an_admin_resets_someone_elses_second_factor(client_as, persona_user):
    lead2 = persona_user("lead2")
    for persona in ("lead", "editor"):
        response = client_as(persona).post(reverse("person_reset_mfa", args=[lead2.pk]))
        assert response.status_code == 403
    assert Authenticator.objects.filter(user=lead2, type="totp").exists()


def test_renewal_check_uses_the_device_age(persona_user):
    from accounts.security import totp_renewal_due

    device = give_totp(persona_user("editor"))
    assert not totp_renewal_due(device, now=device.created_at + timedelta(days=364))
    assert totp_renewal_due(device, now=device.created_at + timedelta(days=365))
    assert timezone.now() >= device.created_at
