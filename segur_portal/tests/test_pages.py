"""Every page renders for every demo role, in French and in English.

The expected strings are the page's own words (French as written in the
templates, English as the catalogue translates them) and the deck's
content, which stays in French whatever the language."""

from __future__ import annotations

import pytest
from django.urls import reverse

PERSONAS = ("admin", "lead", "lead2", "federation", "federation2", "editor", "editor2")

# url name, kwargs, French strings, English strings (deck content is in both)
PAGES = [
    ("dashboard", {}, ["Tableau de bord", "Arbitrages par SONS", "Sujets par statut"],
     ["Dashboard", "Decisions per SONS", "Topics by status"]),
    ("topic_list", {}, ["Sujets de la concertation", "Périmètre technique", "Sujet spécifique LGC",
                        "(SSI) Antivirus"],
     ["Topics of the concertation", "Technical scope", "LGC-specific topic", "(SSI) Antivirus"]),
    ("topic_detail", {"key": "7"}, ["Exigences", "Au calendrier", "SC.SSI/IE.33"],
     ["Requirements", "On the calendar", "SC.SSI/IE.33"]),
    ("requirement_list", {}, ["Rechercher", "Arbitrage par SONS", "SC.SSI/GEN.08"],
     ["Search", "Decision per SONS", "SC.SSI/GEN.08"]),
    ("requirement_detail", {"reference": "SC.SSI/GEN.08"},
     ["Exigence supprimée", "Commentaire", "Faible risque résiduel"],
     ["Requirement removed", "Comment", "Faible risque résiduel"]),
    ("calendar", {}, ["Calendrier de la concertation", "Temps de partage", "Atelier N1/N3"],
     ["Calendar of the concertation", "Sharing session", "Atelier N1/N3"]),
    ("calendar_grid", {}, ["Calendrier de la concertation par semaine", "S3 18/09 au 22/09"],
     ["Calendar of the concertation by week", "S3 18/09 au 22/09"]),
    ("event_detail", {"slug": "temps-de-partage-2023-09-25"},
     ["Ordre du jour", "Arbitrages présentés", "1er temps de partage éditeur"],
     ["Agenda", "Decisions presented", "1er temps de partage éditeur"]),
    ("documents", {}, ["Documents de référence", "MDV-LGC-Va2-RC-Juillet 2023"],
     ["Reference documents", "MDV-LGC-Va2-RC-Juillet 2023"]),
    ("contacts", {}, ["Vos points de contact", "Médecine de ville"],
     ["Your points of contact", "Médecine de ville"]),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs", "french", "english"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_for_every_role_in_both_languages(client_as, name, kwargs, french, english):
    url = reverse(name, kwargs=kwargs)
    for persona in PERSONAS:
        client = client_as(persona)
        html = client.get(url).content.decode()
        for text in french:
            assert text in html, f"{persona}, fr: {text!r} missing on {url}"
        client.post(reverse("set_language"), {"language": "en", "next": url})
        html = client.get(url).content.decode()
        assert '<html lang="en"' in html
        for text in english:
            assert text in html, f"{persona}, en: {text!r} missing on {url}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("topic_list", "(SSI) Antivirus"),
        ("requirement_list", "SC.SSI/GEN.08"),
        ("calendar", "Atelier N1/N3"),
        ("calendar_grid", "S3 18/09 au 22/09"),
    ],
)
def test_an_htmx_request_of_a_list_gets_the_results_fragment_alone(client_as, name, text):
    client = client_as("editor")
    fragment = client.get(reverse(name), headers={"hx-request": "true"})
    assert fragment.status_code == 200
    assert "HX-Request" in fragment["Vary"]
    html = fragment.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="results"')
    assert text in html
    # Without htmx, the same URL is the whole page.
    assert "<html" in client.get(reverse(name)).content.decode()
