"""Issue 16: private pages, exports and "Mes données" send
``Cache-Control: private, no-store`` — no shared cache keeps what one person
was shown, and the browser keeps no copy after they sign out. Checked over
every GET URL of the permission matrix, for every signed-in persona."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from core.testing import MATRIX_PERSONAS

from .test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

GET_ROWS = {name: row for name, row in MATRIX.items() if row.method == "get"}
PUBLIC = ["legal_notice", "accessibility", "privacy", "sitemap"]


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("persona", MATRIX_PERSONAS[1:])
def test_every_answer_to_a_signed_in_person_is_private_and_not_stored(client_as, persona):
    client = client_as(persona)
    wrong = []
    for name, row in GET_ROWS.items():
        url = reverse(name, kwargs=row.url_kwargs()) + row.query
        response = client.get(url)
        if not {"private", "no-store"} <= directives(response):
            wrong.append(f"{url} ({response.status_code}): {response.get('Cache-Control')!r}")
    assert not wrong, f"{persona}: {wrong}"


def test_my_data_and_an_export_are_private_and_not_stored(client_as):
    client = client_as("editor")
    for url in ("/compte/mes-donnees.json", reverse("my_decisions_xlsx")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= directives(response), url


def test_public_pages_and_static_files_are_left_as_they_were(client, client_as, settings):
    for name in PUBLIC:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "Cache-Control" not in response, name
    # WhiteNoise serves static files before any page middleware (from the
    # apps' folders here, as `make run` does; from STATIC_ROOT in production).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    assert finders.find("js/portal.js")
    response = client_as("editor").get("/static/js/portal.js")
    assert response.status_code == 200
    assert "no-store" not in directives(response)


def test_a_views_own_cache_control_is_kept(client_as, persona_user):
    """The private iCalendar feed says how long a calendar application may
    keep it; a signed-in person opening it does not change that."""
    from calendar_app.models import CalendarFeed

    feed = CalendarFeed.objects.create(user=persona_user("editor"))
    response = client_as("editor").get(reverse("calendar_feed", kwargs={"token": feed.token}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"
