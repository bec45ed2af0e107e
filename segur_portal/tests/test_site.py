"""The skeleton's promises: health, headers, languages, dashboard, settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from core.testing import assert_queries_constant


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_broker_that_is_down(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "broker": "down"}


def test_publishing_a_task_fails_fast_when_the_broker_is_down():
    """A request that enqueues work must get an error, not hang on the broker:
    publish with the production settings to a Redis address where nothing
    listens, in a process of its own (the timeout bounds a hang)."""
    script = (
        "import django; django.setup()\n"
        "from kombu.exceptions import OperationalError\n"
        "from core.tasks import ping\n"
        "try:\n"
        # Real tasks ignore their results: only the broker is involved.
        "    ping.apply_async(['nobody listens'], ignore_result=True)\n"
        "except OperationalError as error:\n"
        "    print('refused:', error)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "segur_portal.settings",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout


@pytest.mark.django_db
def test_csp_forbids_inline_script(client_as):
    response = client_as("editor").get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'none'" in directives["frame-ancestors"]
    nonce = next(v for v in directives["script-src"] if v.startswith("'nonce-"))[7:-1]
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page loads DSFR and htmx"
    for tag in scripts:
        assert "src=" in tag, f"inline script: {tag}"
        assert f'nonce="{nonce}"' in tag, f"script without the page's nonce: {tag}"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert " style=" not in html, "inline style attribute (CSP style-src 'self')"


@pytest.mark.django_db
def test_security_headers(client_as):
    response = client_as("editor").get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_htmx_is_served_from_the_portal(client_as):
    html = client_as("editor").get("/").content.decode()
    assert "/static/django_htmx/htmx-2" in html
    assert "https://" not in " ".join(re.findall(r'(?:src|href)="[^"]*"', html)), "no CDN"


@pytest.mark.django_db
def test_dashboard_is_french_first_whatever_the_browser_says(client_as):
    client = client_as("editor")
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Tableau de bord" in html
    assert "Prochains rendez-vous" in html


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client_as, persona_user):
    client = client_as("editor")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Dashboard" in html
    assert "Upcoming meetings" in html
    assert "Log out" in html
    assert persona_user("editor").language == "en"  # remembered on the profile

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "Tableau de bord" in client.get("/").content.decode()


@pytest.mark.django_db
def test_login_page_in_english_for_anonymous_visitors(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/compte/login/"})
    html = client.get(reverse("account_login")).content.decode()
    assert "Sign in to the concertation portal" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "title"),
    [
        ("legal_notice", "Mentions légales"),
        ("accessibility", "Déclaration d’accessibilité"),
        ("privacy", "Données personnelles"),
        ("sitemap", "Plan du site"),
    ],
)
def test_legal_pages_are_public_and_linked_from_every_page(client, client_as, url_name, title):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()
    assert f'href="{reverse(url_name)}"' in client_as("editor").get("/").content.decode()


@pytest.mark.django_db
def test_accessibility_statement_states_its_level(client):
    """Honest: partially compliant, from automated axe checks and keyboard
    tests, no full RGAA audit — in French and in English."""
    html = client.get(reverse("accessibility")).content.decode()
    assert "partiellement conforme" in html
    assert "RGAA" in html
    assert "axe-core" in html
    assert "au clavier seul" in html
    assert "non un audit RGAA complet" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accessibility")).content.decode()
    assert "partially compliant" in html
    assert "axe-core" in html
    assert "keyboard alone" in html
    assert "not a full RGAA audit" in html


@pytest.mark.django_db
def test_dashboard_counts_come_from_the_database(client_as):
    from topics.models import Sons, Topic

    html = client_as("lead").get("/").content.decode()
    # create_demo_accounts makes the six SONS of DESIGN.md.
    assert re.search(r'id="count-sons">6<', html)
    topic = Topic.objects.create(slug="essai", title="Essai", kind=Topic.Kind.TECHNICAL, number=99)
    topic.scope.set(Sons.objects.all())
    html = client_as("lead").get("/").content.decode()
    assert re.search(rf'id="count-topics">{Topic.objects.count()}<', html)


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_the_data(client_as):
    from calendar_app.models import Event
    from topics.models import Requirement, Topic

    batches = iter(range(100))

    def grow():
        batch = next(batches)
        for n in range(batch * 20, batch * 20 + 20):
            Topic.objects.create(slug=f"t{n}", title=f"T{n}", kind=Topic.Kind.TECHNICAL)
            Requirement.objects.create(reference=f"SC.TEST/{n:02}")
            Event.objects.create(
                kind=Event.Kind.WORKSHOP,
                title=f"Atelier {n}",
                slug=f"atelier-{n}",
                starts_at="2999-01-01T10:00:00+01:00",
            )

    for persona in ("admin", "lead", "federation", "editor"):
        assert_queries_constant(client_as(persona), "/", grow)


def test_secret_key_is_required_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "segur_portal.settings", "DEBUG": "0"},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"Missing migrations:\n{out.getvalue()} ({exit_})")


@pytest.mark.django_db
def test_demo_accounts_log_in_with_the_documented_password(client):
    from allauth.account.models import EmailAddress

    from segur_portal.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    emails = [account[0] for account in DEMO_ACCOUNTS]
    assert len(emails) == 8  # README.md's seven, and the matrix's outsider
    # DEBUG is off in tests: leads and admins go on to their second factor.
    with_totp = {"admin@demo.example", "lead@demo.example", "lead2@demo.example"}
    for email in emails:
        assert EmailAddress.objects.get(email=email).verified
        response = client.post(
            reverse("account_login"), {"login": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        expected = reverse("mfa_authenticate") if email in with_totp else reverse("dashboard")
        assert response["Location"] == expected, email
        client.post(reverse("account_logout"))


@pytest.mark.django_db
def test_create_demo_accounts_is_idempotent():
    from accounts.models import Organisation, TaskForce, User
    from topics.models import Sons

    def snapshot():
        return (
            sorted(User.objects.values_list("email", "role", "organisation__name")),
            sorted(Organisation.objects.values_list("name", "kind")),
            sorted(TaskForce.objects.values_list("name", flat=True)),
            sorted(Sons.objects.values_list("code", "task_force__name")),
        )

    before = snapshot()
    call_command("create_demo_accounts", stdout=StringIO())
    assert snapshot() == before


@pytest.mark.django_db
def test_demo_personas_have_their_documented_roles(persona_user):
    """README.md: lead in Médecine de ville, lead2 in Hôpital, editor sells
    LGC and belongs to the first federation, editor2 sells DPI and belongs to
    the second."""
    lead = persona_user("lead")
    assert [t.name for t in lead.task_forces.all()] == ["Médecine de ville"]
    assert [t.name for t in persona_user("lead2").task_forces.all()] == ["Hôpital"]
    editor, editor2 = persona_user("editor"), persona_user("editor2")
    federation, federation2 = persona_user("federation"), persona_user("federation2")
    assert [s.code for s in editor.organisation.sons.all()] == ["LGC"]
    assert [s.code for s in editor2.organisation.sons.all()] == ["DPI"]
    assert list(editor.organisation.federations.all()) == [federation.organisation]
    assert list(editor2.organisation.federations.all()) == [federation2.organisation]
    assert persona_user("admin").is_portal_admin


@pytest.mark.django_db
def test_dashboard_next_events_follow_the_frozen_clock(client_as):
    """The 12/10/2023 14h sharing session is "next" on 1 October 2023, not on
    13 October (the deck's own dates)."""
    import time_machine

    from calendar_app.models import Event

    Event.objects.create(
        kind=Event.Kind.SHARING_SESSION,
        title="2ème temps de partage éditeur",
        slug="tdp-2",
        starts_at="2023-10-12T14:00:00+02:00",
    )
    client = client_as("editor")
    with time_machine.travel("2023-10-01 09:00 +0200", tick=False):
        assert "2ème temps de partage éditeur" in client.get("/").content.decode()
    with time_machine.travel("2023-10-13 09:00 +0200", tick=False):
        assert "2ème temps de partage éditeur" not in client.get("/").content.decode()
