"""Every new page in French first and in English, with one of its own
strings each (the deck's content stays in French in both)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.testing import unescaped

pytestmark = pytest.mark.django_db
SESSION = {"slug": "temps-de-partage-2023-09-25"}

PAGES = [
    ("lead", "decide_requirement", {"reference": "SC.SSI/IE.33"},
     "Enregistrer le brouillon", "Save the draft"),
    ("lead", "decide_topic", {"key": "7"}, "Arbitrage actuel", "Current decision"),
    ("lead", "bulk_decide", {"key": "7"},
     "Un arbitrage et un commentaire par exigence", "One decision and one comment per requirement"),
    ("lead", "session_decisions", SESSION,
     "Sujets à l’ordre du jour", "Topics on the agenda"),
    ("editor", "session_record", SESSION,
     "Relevé de décisions — 1er temps de partage éditeur",
     "Decision record — 1er temps de partage éditeur"),
    ("editor", "topic_record", {"key": "7"}, "Tableur (XLSX)", "Spreadsheet (XLSX)"),
    ("editor", "session_presentation", SESSION,
     "Flèches gauche et droite du clavier", "Left and right arrow keys"),
    ("editor", "my_decisions", {}, "Tout marquer comme vu", "Mark all as seen"),
    ("editor", "my_decisions_feed_settings", {},
     "Créer mon adresse privée", "Create my private address"),
    ("editor", "requirement_detail", {"reference": "SC.SSI/IE.33"},
     "Premier arbitrage publié pour ces SONS.", "First decision published for these SONS."),
    ("lead", "topic_detail", {"key": "7"},
     "Arbitrer plusieurs exigences à la fois", "Decide on several requirements at once"),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _french_again():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize(
    ("persona", "name", "kwargs", "french", "english"), PAGES, ids=[p[1] for p in PAGES]
)
def test_new_pages_in_french_and_in_english(client_as, persona, name, kwargs, french, english):
    client = client_as(persona)
    url = reverse(name, kwargs=kwargs)
    assert french in unescaped(client.get(url))
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page = unescaped(client.get(url))
    assert '<html lang="en"' in page
    assert english in page


def test_the_pdf_unavailable_page_in_english(client_as, monkeypatch):
    from arbitrations import exports

    def unavailable(html, base_url):
        raise exports.PdfUnavailable("no pango")

    monkeypatch.setattr("arbitrations.record_views.render_pdf", unavailable)
    client = client_as("editor")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("session_record_pdf", kwargs=SESSION))
    assert response.status_code == 503
    assert "The PDF cannot be produced on this server" in unescaped(response)


def test_marking_as_seen_and_the_feed_settings_refuse_wrong_methods_and_actions(
    client_as, persona_user
):
    from arbitrations.models import DecisionFeedToken

    client = client_as("editor")
    assert client.get(reverse("my_decisions_seen")).status_code == 405
    assert client.delete(reverse("my_decisions_feed_settings")).status_code == 405
    response = client.post(reverse("my_decisions_feed_settings"), {"action": "nonsense"})
    assert response.status_code == 302
    assert not DecisionFeedToken.objects.filter(user=persona_user("editor")).exists()
