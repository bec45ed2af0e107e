"""The accounts pages in both languages, their methods, and their cost."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AuditEvent, Invitation, Organisation, User
from core.testing import assert_queries_constant

pytestmark = pytest.mark.django_db


def _english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.mark.parametrize(
    ("persona", "url_name", "kwargs", "french", "english"),
    [
        ("editor", "profile", {}, "Mon compte", "My account"),
        ("admin", "audit_log", {}, "Journal d’audit", "Audit log"),
        ("lead", "organisation_create", {}, "Nouvelle organisation", "New organisation"),
        ("lead", "editor_sons", {"slug": "editeur-demo-ris"}, "SONS vendus par cet éditeur",
         "SONS sold by this editor"),
        ("editor", "organisation_detail", {"slug": "editeur-demo-lgc"}, "SONS vendus", "SONS sold"),
        ("anonymous", "invitation_accept", {"token": "x"}, "Invitation non valable",
         "Invitation not valid"),
    ],
)  # fmt: skip
def test_pages_in_french_then_english(client_as, persona, url_name, kwargs, french, english):
    client = client_as(persona)
    url = reverse(url_name, kwargs=kwargs)
    assert french in client.get(url).content.decode()
    assert english in _english(client).get(url).content.decode()


def test_the_lockout_page_in_english(client):
    _english(client)
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "editor@demo.example", "password": "nope"}
        )
    assert response.status_code == 429
    assert "Sign-in temporarily blocked" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "kwargs"),
    [
        ("person_reset_mfa", {"pk": 1}),
        ("invitation_revoke", {"pk": 1}),
        ("my_data", {}),
        ("audit_log", {}),
        ("organisation_list", {}),
    ],
)
def test_wrong_methods_are_refused(client_as, url_name, kwargs):
    client = client_as("admin")
    url = reverse(url_name, kwargs=kwargs)
    method = client.get if url_name in ("person_reset_mfa", "invitation_revoke") else client.post
    assert method(url).status_code == 405


def test_role_changes_in_the_admin_site_are_logged(persona_user):
    model_admin = admin.site._registry[User]
    editor = persona_user("editor")
    request = RequestFactory().post("/admin/")
    request.user = persona_user("admin")
    editor.role = User.Role.FEDERATION
    editor.organisation = Organisation.objects.get(slug="federation-demo-des-editeurs-de-sante")
    model_admin.save_model(request, editor, form=None, change=True)
    actions = set(AuditEvent.objects.filter(subject=editor).values_list("action", flat=True))
    assert actions == {"role_changed", "organisation_changed"}


def test_person_and_sons_pages_cost_the_same_whatever_the_data(client_as, persona_user):
    from accounts import audit
    from topics.models import Sons

    editor = persona_user("editor")
    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    counter = iter(range(1000))

    def grow():
        for _ in range(25):
            n = next(counter)
            audit.record(audit.Action.LOGIN, actor=editor, subject=editor)
            Invitation.objects.create(
                email=f"q{n}@example.org",
                role="editor",
                organisation=lgc,
                token_hash=f"q{n:063}",
                expires_at="2999-01-01T00:00:00Z",
            )
            Sons.objects.create(code=f"X{n}", name=f"Sons {n}")

    admin_client = client_as("admin")
    assert_queries_constant(admin_client, reverse("person_detail", args=[editor.pk]), grow)
    assert_queries_constant(admin_client, reverse("editor_sons", args=[lgc.slug]), grow)
    assert_queries_constant(client_as("editor"), reverse("profile"), grow)
