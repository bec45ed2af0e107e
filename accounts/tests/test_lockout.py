"""Throttling: five wrong passwords lock the account (and the address) for a
while, in the database, so that every gunicorn worker sees it."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import time_machine
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from core.testing import _database_url, python_module_command
from segur_portal.demo.accounts import DEMO_PASSWORD

LOGIN = "/compte/login/"


def attempt(client: Client, email: str, password: str, ip: str = "192.0.2.10"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_with_the_right_one():
    client = Client()
    with time_machine.travel("2023-10-02 09:00 +0200", tick=False):
        for _ in range(4):
            assert attempt(client, "federation@demo.example", "wrong-password").status_code == 200
        # The fifth failure reaches the limit.
        assert attempt(client, "federation@demo.example", "wrong-password").status_code == 429
        response = attempt(Client(), "federation@demo.example", DEMO_PASSWORD, ip="198.51.100.7")
        assert response.status_code == 429, "locked per account, whatever the address"
        assert "Connexion temporairement bloquée" in response.content.decode()
        assert "15 minutes" in response.content.decode()
    # Other accounts from another address are not affected.
    with time_machine.travel("2023-10-02 09:01 +0200", tick=False):
        response = attempt(Client(), "editor@demo.example", DEMO_PASSWORD, ip="198.51.100.8")
        assert response.status_code == 302
    # The cool-off ends after 15 minutes.
    with time_machine.travel("2023-10-02 09:16 +0200", tick=False):
        response = attempt(Client(), "federation@demo.example", DEMO_PASSWORD, ip="198.51.100.7")
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_five_failures_from_one_address_lock_that_address():
    client = Client()
    emails = [f"nobody{n}@example.org" for n in range(5)]
    with time_machine.travel("2023-10-02 09:00 +0200", tick=False):
        for email in emails:
            attempt(client, email, "wrong-password", ip="203.0.113.5")
        response = attempt(client, "editor@demo.example", DEMO_PASSWORD, ip="203.0.113.5")
        assert response.status_code == 429
        response = attempt(client, "editor@demo.example", DEMO_PASSWORD, ip="203.0.113.6")
        assert response.status_code == 302


@pytest.mark.django_db
def test_failures_and_lockout_are_in_the_audit_log_without_the_password(persona_user):
    client = Client()
    with time_machine.travel("2023-10-02 09:00 +0200", tick=False):
        for _ in range(5):
            attempt(client, "federation@demo.example", "S3cret-Typed-Password")
    failures = AuditEvent.objects.filter(action="login_failed")
    assert failures.count() == 5
    assert {event.subject for event in failures} == {persona_user("federation")}
    assert {event.ip_address for event in failures} == {"192.0.2.10"}
    assert AuditEvent.objects.filter(action="lockout", subject=persona_user("federation")).exists()
    dump = json.dumps(list(AuditEvent.objects.values("details", "target_label")))
    assert "S3cret-Typed-Password" not in dump


@pytest.mark.django_db(transaction=True)
def test_the_lock_holds_across_worker_processes(demo_data):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "segur_portal.settings",
        "DATABASE_URL": _database_url(connections["default"].settings_dict),
    }
    # A second process, as a second gunicorn worker would be, on the test's
    # clock: it fails five times against the same database; the lock then
    # holds here.
    result = subprocess.run(
        python_module_command("accounts.tests.second_login_worker"),
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "200", "200", "429"], result.stdout
    response = attempt(Client(), "editor2@demo.example", DEMO_PASSWORD, ip="198.51.100.9")
    assert response.status_code == 429
