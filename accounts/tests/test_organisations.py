"""Leads and admins manage organisations and invite people with a role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Invitation, Organisation, User
from core.testing import assert_queries_constant
from topics.models import Sons

pytestmark = pytest.mark.django_db


def test_a_lead_creates_a_federation_with_its_member_editors(client_as):
    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    ris = Organisation.objects.get(slug="editeur-demo-ris")
    response = client_as("lead").post(
        reverse("organisation_create"),
        {"name": "Fédération nouvelle", "kind": "federation", "member_editors": [lgc.pk, ris.pk]},
    )
    federation = Organisation.objects.get(name="Fédération nouvelle")
    assert response["Location"] == reverse("organisation_detail", args=[federation.slug])
    assert set(federation.member_editors.all()) == {lgc, ris}
    assert federation in ris.federations.all()  # the same link, seen from the editor
    event = AuditEvent.objects.get(action="organisation_created")
    assert event.actor.email == "lead@demo.example"
    assert event.details["member_editors"]["to"] == sorted([lgc.name, ris.name])


def test_an_invalid_organisation_is_refused_and_keeps_what_was_typed(client_as):
    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    response = client_as("lead").post(
        reverse("organisation_create"),
        {"name": "Éditeur qui se trompe", "kind": "editor", "member_editors": [lgc.pk]},
    )
    assert response.status_code == 400
    assert "Seule une fédération a des éditeurs membres." in response.content.decode()
    assert 'value="Éditeur qui se trompe"' in response.content.decode()
    assert not Organisation.objects.filter(name="Éditeur qui se trompe").exists()


def test_changing_an_editors_federations_is_logged_with_the_change(client_as):
    ris = Organisation.objects.get(slug="editeur-demo-ris")
    federation = Organisation.objects.get(slug="federation-demo-des-editeurs-de-sante")
    response = client_as("admin").post(
        reverse("organisation_edit", args=[ris.slug]),
        {"name": ris.name, "kind": "editor", "federations": [federation.pk]},
    )
    assert response.status_code == 302
    assert list(ris.federations.all()) == [federation]
    event = AuditEvent.objects.get(action="organisation_changed")
    assert event.details == {"federations": {"from": [], "to": [federation.name]}}


def test_the_sons_of_an_editor_are_set_by_the_authority(client_as):
    ris_editor = Organisation.objects.get(slug="editeur-demo-ris")
    db = Sons.objects.get(code="DB")
    ris = Sons.objects.get(code="RIS")
    url = reverse("editor_sons", args=[ris_editor.slug])
    assert client_as("outsider").post(url, {"sons": [db.pk]}).status_code == 403
    response = client_as("lead2").post(url, {"sons": [ris.pk, db.pk]})
    assert response.status_code == 302
    assert set(ris_editor.sons.all()) == {ris, db}
    event = AuditEvent.objects.get(action="organisation_changed")
    assert event.details == {"sons": {"from": ["RIS"], "to": ["DB", "RIS"]}}
    page = client_as("outsider").get(reverse("organisation_detail", args=[ris_editor.slug]))
    assert "DRIMbox" in page.content.decode()  # members see their organisation's SONS


def test_members_see_their_own_organisation_only(client_as):
    lgc = reverse("organisation_detail", args=["editeur-demo-lgc"])
    page = client_as("editor").get(lgc).content.decode()
    assert "Émile" in page
    assert "Modifier" not in page
    assert client_as("editor2").get(lgc).status_code == 403
    assert client_as("outsider").get(lgc).status_code == 403
    assert client_as("federation").get(lgc).status_code == 403


def _invite(client, **data):
    defaults = {"email": "nouvelle@editeur.example", "role": "editor"}
    return client.post(reverse("invitation_list"), {**defaults, **data})


def test_an_invitation_creates_an_account_with_a_verified_address(
    client_as, client, django_capture_on_commit_callbacks
):
    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client_as("lead"), organisation=lgc.pk)
    assert response["Location"] == reverse("invitation_list")
    assert [message.to for message in mail.outbox] == [["nouvelle@editeur.example"]]
    body = mail.outbox[0].body
    assert "Éditeur démo LGC" in body
    path = re.search(r"https?://[^/\s]+(/invitation/[^\s]+/)", body).group(1)
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash  # only a hash is kept
    assert token not in str(list(AuditEvent.objects.values("details", "target_label")))

    page = client.get(path)
    assert page.status_code == 200
    assert "nouvelle@editeur.example" in page.content.decode()
    data = {"given_name": "Nina", "family_name": "Nouvelle", "profession": "Cheffe de produit"}
    refused = client.post(path, {**data, "password1": "court", "password2": "court"})
    assert refused.status_code == 400
    assert 'value="Nouvelle"' in refused.content.decode()  # nothing typed is lost
    password = "un-mot-de-passe-solide-2023"
    response = client.post(path, {**data, "password1": password, "password2": password})
    assert response["Location"] == reverse("account_login")

    user = User.objects.get(email="nouvelle@editeur.example")
    assert (user.role, user.organisation, user.given_name) == ("editor", lgc, "Nina")
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(path).status_code == 404  # used once
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response["Location"] == reverse("dashboard")
    assert AuditEvent.objects.filter(action="invitation_accepted", subject=user).exists()


def test_invitations_expire(client_as, client):
    from accounts import services

    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    with time_machine.travel("2023-10-02 09:00 +0200", tick=False):
        response = _invite(client_as("lead"), organisation=lgc.pk)
        assert response.status_code == 302
    invitation = Invitation.objects.get()
    token = "known-token"
    invitation.token_hash = services.hash_token(token)
    invitation.save()
    url = reverse("invitation_accept", args=[token])
    with time_machine.travel(invitation.expires_at - timedelta(minutes=1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(invitation.expires_at + timedelta(minutes=1), tick=False):
        response = client.get(url)
        assert response.status_code == 404
        assert "Invitation non valable" in response.content.decode()


def test_a_lead_cannot_invite_an_admin_and_roles_fit_organisations(client_as):
    authority = Organisation.objects.get(kind="authority")
    lead = client_as("lead")
    response = _invite(lead, role="admin", organisation=authority.pk)
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    response = _invite(lead, role="federation", organisation=lgc.pk)
    assert response.status_code == 400
    assert "ne correspond pas" in response.content.decode()
    response = _invite(lead, email="editor@demo.example", organisation=lgc.pk)
    assert "Un compte existe déjà pour cette adresse." in response.content.decode()
    assert not Invitation.objects.exists()


def test_revoking_an_invitation(client_as, client):
    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    _invite(client_as("lead"), organisation=lgc.pk)
    invitation = Invitation.objects.get()
    url = reverse("invitation_revoke", args=[invitation.pk])
    assert client_as("editor").post(url).status_code == 403
    client_as("lead2").post(url)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert AuditEvent.objects.filter(action="invitation_revoked").exists()


def test_an_admin_changes_a_role_and_it_is_logged(client_as, persona_user):
    editor = persona_user("editor")
    federation_org = Organisation.objects.get(slug="federation-demo-des-editeurs-de-sante")
    url = reverse("person_detail", args=[editor.pk])
    data = {"role": "federation", "organisation": federation_org.pk, "is_active": "on"}
    assert client_as("lead").post(url, data).status_code == 403
    response = client_as("admin").post(url, data)
    assert response.status_code == 302
    editor.refresh_from_db()
    assert (editor.role, editor.organisation) == ("federation", federation_org)
    role = AuditEvent.objects.get(action="role_changed")
    assert role.details == {"from": "editor", "to": "federation"}
    assert role.actor == persona_user("admin")
    moved = AuditEvent.objects.get(action="organisation_changed")
    assert moved.details == {"from": "Éditeur démo LGC", "to": federation_org.name}


def test_a_role_that_does_not_fit_the_organisation_is_refused(client_as, persona_user):
    editor = persona_user("editor")
    authority = Organisation.objects.get(kind="authority")
    response = client_as("admin").post(
        reverse("person_detail", args=[editor.pk]),
        {"role": "editor", "organisation": authority.pk, "is_active": "on"},
    )
    assert response.status_code == 400
    editor.refresh_from_db()
    assert editor.organisation.slug == "editeur-demo-lgc"


def test_organisation_pages_in_english(client_as):
    client = client_as("lead")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "<h1>Organisations</h1>" in client.get(reverse("organisation_list")).content.decode()
    assert "Send the invitation" in client.get(reverse("invitation_list")).content.decode()


def test_organisation_list_query_count_is_constant(client_as):
    batches = iter(range(100))

    def grow():
        batch = next(batches)
        federation = Organisation.objects.create(
            name=f"Fédération {batch}", slug=f"federation-{batch}", kind="federation"
        )
        for n in range(10):
            editor = Organisation.objects.create(
                name=f"Éditeur {batch}-{n}", slug=f"editeur-{batch}-{n}", kind="editor"
            )
            editor.federations.add(federation)
            editor.sons.add(Sons.objects.get(code="LGC"))

    assert_queries_constant(client_as("lead"), reverse("organisation_list"), grow)


def test_invitation_and_audit_pages_query_counts_are_constant(client_as, persona_user):
    from accounts import audit

    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    lead = persona_user("lead")
    counter = iter(range(1000))

    def grow():
        for _ in range(10):
            n = next(counter)
            Invitation.objects.create(
                email=f"p{n}@example.org",
                role="editor",
                organisation=lgc,
                invited_by=lead,
                token_hash=f"{n:064}",
                expires_at="2999-01-01T00:00:00Z",
            )
            audit.record(audit.Action.EXPORT, actor=lead, subject=lead, target=lgc)

    assert_queries_constant(client_as("lead"), reverse("invitation_list"), grow)
    assert_queries_constant(client_as("admin"), reverse("audit_log"), grow)
    detail = reverse("organisation_detail", args=[lgc.slug])
    assert_queries_constant(client_as("admin"), detail, grow)
