"""The password-reset form (issue 16, "Bad input"): a link goes to an address
that has an account, nothing to one that has none, and the page says the same
thing either way, so that it tells no one which addresses have an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# What differs from one request to the next, whatever the address.
VARYING = r'nonce="[^"]*"|csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"'


def request_reset(email: str):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": email}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    return re.sub(VARYING, "", page)


def test_a_known_address_gets_a_reset_link():
    request_reset("editor@demo.example")
    (message,) = mail.outbox
    assert message.to == ["editor@demo.example"]
    assert "/compte/password/reset/key/" in message.body


def test_an_address_without_an_account_gets_no_mail_and_the_same_page():
    known = request_reset("editor@demo.example")
    mail.outbox.clear()
    unknown = request_reset("personne@example.org")
    assert mail.outbox == []
    assert unknown == known
