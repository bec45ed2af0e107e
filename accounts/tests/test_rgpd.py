"""SC.SSI/IE.33 attributes on the profile; RGPD: my data, closing my account."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.testing import login_with_mfa
from arbitrations.models import Arbitration
from segur_portal.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = {
    "given_name": "Émile",
    "family_name": "Éditeur",
    "profession": "Directeur produit",
    "rpps": "",
    "private_identifier": "",
    "language": "fr",
}


def test_the_profile_keeps_the_ie33_attributes_with_their_rules(client_as, persona_user):
    client = client_as("editor")
    response = client.post(
        reverse("profile"), {**PROFILE, "rpps": "10101010101", "private_identifier": "EMI-42"}
    )
    assert response["Location"] == reverse("profile")
    editor = persona_user("editor")
    assert (editor.rpps, editor.private_identifier) == ("10101010101", "EMI-42")
    assert AuditEvent.objects.get(action="profile_changed").details == {
        "fields": ["profession", "rpps", "private_identifier"]
    }

    # RPPS: 11 digits or nothing. What was typed stays in the form.
    response = client.post(reverse("profile"), {**PROFILE, "rpps": "1234", "profession": "Autre"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le numéro RPPS compte 11 chiffres." in html
    assert 'value="Autre"' in html
    assert persona_user("editor").profession == "Directeur produit"

    # The private identifier is unique.
    response = client_as("editor2").post(
        reverse("profile"), {**PROFILE, "given_name": "Élise", "private_identifier": "EMI-42"}
    )
    assert response.status_code == 400
    assert "déjà attribué" in response.content.decode()
    # Empty means none: several people may have none.
    client_as("editor2").post(reverse("profile"), {**PROFILE, "given_name": "Élise"})
    client.post(reverse("profile"), PROFILE)
    assert User.objects.filter(private_identifier=None).count() == User.objects.count()


def test_my_data_holds_my_data_only(client_as, persona_user):
    response = client_as("editor").get(reverse("my_data"))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "editor@demo.example"
    assert data["account"]["organisation"] == "Éditeur démo LGC"
    assert data["email_addresses"] == [
        {"email": "editor@demo.example", "verified": True, "primary": True}
    ]
    text = response.content.decode()
    assert "editor2@demo.example" not in text
    assert "password" not in text
    assert AuditEvent.objects.filter(
        action="data_exported", subject=persona_user("editor")
    ).exists()
    # A lead's export lists their second factor, never its secret.
    lead_data = json.loads(client_as("lead").get(reverse("my_data")).content)
    assert {f["type"] for f in lead_data["second_factors"]} == {"totp", "recovery_codes"}
    assert "secret" not in json.dumps(lead_data)


def test_closing_my_account_removes_personal_data_and_keeps_contributions(persona_user):
    lead2 = persona_user("lead2")
    decision = Arbitration.objects.filter(status="published").first()
    decision.decided_by = lead2
    decision.save()
    client = login_with_mfa(Client(), lead2)
    response = client.get(reverse("close_account"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    assert client.post(reverse("close_account"), {}).status_code == 400  # not confirmed
    response = client.post(reverse("close_account"), {"confirm": "on"})
    assert response["Location"] == reverse("account_login")

    closed = User.objects.get(pk=lead2.pk)
    assert closed.email.endswith("@comptes.invalid")
    assert (closed.given_name, closed.family_name, closed.rpps) == ("", "", "")
    assert closed.private_identifier is None
    assert not closed.is_active
    assert not closed.has_usable_password()
    assert not EmailAddress.objects.filter(user=closed).exists()
    assert not Authenticator.objects.filter(user=closed).exists()
    assert not closed.task_forces.exists()
    # The decision stays, attributed to the organisation, no longer to a name.
    decision.refresh_from_db()
    assert decision.decided_by == closed
    assert str(closed) == "Compte clos"
    assert closed.organisation.kind == "authority"
    # No way back in.
    assert client.get("/").status_code == 302
    response = Client().post(
        reverse("account_login"), {"login": "lead2@demo.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="account_closed").actor_email == "lead2@demo.example"


def test_the_last_admin_cannot_close_their_account(client_as):
    client = client_as("admin")
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    response = client.post(reverse("close_account"), {"confirm": "on"}, follow=True)
    assert "seul administrateur" in response.content.decode()
    assert User.objects.get(email="admin@demo.example").is_active


def test_the_privacy_page_says_what_is_kept_and_how_long(client):
    html = client.get(reverse("privacy")).content.decode()
    assert "12 mois" in html
    assert "rattachées à l’organisation" in html
    assert "téléchargez toutes vos données" in html
