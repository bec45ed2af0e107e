"""SC.SSI/IE.31/32: a new address takes effect once verified, and the old one
is told; the change asks for the password again."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from segur_portal.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NEW = "fanny.federation@federation.example"


def test_changing_the_address_of_federation(client_as, persona_user):
    """The issue: changing the e-mail of federation@demo.example sends a
    verification to the new address and a notice to the old one."""
    client = client_as("federation")
    assert client.get(reverse("account_email")).status_code == 200
    response = client.post(reverse("account_email"), {"action_add": "", "email": NEW})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    mail.outbox.clear()
    # The password again, then the change goes through (allauth resumes the POST).
    response = client.post(
        reverse("account_reauthenticate") + "?next=" + reverse("account_email"),
        {"password": DEMO_PASSWORD},
    )
    if not EmailAddress.objects.filter(email=NEW).exists():
        response = client.post(reverse("account_email"), {"action_add": "", "email": NEW})
    assert response.status_code == 302

    # Only a verification, to the new address; the account keeps the old one.
    assert [message.to for message in mail.outbox] == [[NEW]]
    user = persona_user("federation")
    assert user.email == "federation@demo.example"
    assert not EmailAddress.objects.get(email=NEW).verified
    page = client.get(reverse("account_email")).content.decode()
    assert NEW in page

    # Following the link makes the change, and the old address is told.
    link = re.search(r"https?://[^/\s]+(/compte/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    mail.outbox.clear()
    response = client.post(link.group(1))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == NEW
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        (NEW, True)
    ]
    assert [message.to for message in mail.outbox] == [["federation@demo.example"]]
    assert NEW in mail.outbox[0].body
    actions = list(
        AuditEvent.objects.filter(subject=user, action__startswith="email").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["email_change_requested", "email_changed"]


def test_the_address_change_needs_the_password_again(client_as):
    client = client_as("editor")
    response = client.post(reverse("account_email"), {"action_add": "", "email": NEW})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email=NEW).exists()
    response = client.post(reverse("account_reauthenticate"), {"password": "not-my-password"})
    assert response.status_code == 200
    response = client.post(reverse("account_email"), {"action_add": "", "email": NEW})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email=NEW).exists()


def test_an_address_already_in_use_is_never_taken(client_as, persona_user):
    client = client_as("editor")
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    mail.outbox.clear()
    client.post(reverse("account_email"), {"action_add": "", "email": "editor2@demo.example"})
    # allauth does not say the address is taken (no account enumeration): the
    # verification goes to the address' owner, and even if followed it never
    # takes the address from them.
    assert [message.to for message in mail.outbox] == [["editor2@demo.example"]]
    link = re.search(r"(/compte/confirm-email/[^\s]+/)", mail.outbox[0].body)
    if link:
        client.post(link.group(1))
    assert persona_user("editor").email == "editor@demo.example"
    owner = EmailAddress.objects.get(email="editor2@demo.example", verified=True)
    assert owner.user == persona_user("editor2")
    assert owner.primary
