"""Finding requirements on /exigences/ (issue 5): French full-text search
without accents, filters that the URL keeps and the export follows,
pagination, drafts hidden from participants, constant query counts; the
version diff page; topics attached in bulk."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from django.db import connection
from django.urls import reverse

from arbitrations.models import Arbitration
from catalogue.samples import Row, authority_workbook
from core.testing import assert_queries_constant, unescaped
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons, Topic

from .catalogue_helpers import confirm, dry_run

pytestmark = pytest.mark.django_db


def references(html: str) -> list[str]:
    return re.findall(r'<a href="/exigences/[^"]+">([^<]+)</a>', html)


def test_search_finds_words_of_statements_without_accents(client_as):
    client = client_as("editor")
    # SC.SSI/IE.33's statement speaks of an "identifiant géographique" (the deck).
    statement = RequirementSons.objects.filter(requirement__reference="SC.SSI/IE.33").first()
    assert "identifiant géographique" in statement.statement
    for query in ("geographique", "GÉOGRAPHIQUE", "géographique identifiant"):
        found = references(unescaped(client.get("/exigences/", {"q": query})))
        assert "SC.SSI/IE.33" in found, query
    # A reference, or a part of it.
    assert references(unescaped(client.get("/exigences/", {"q": "UX.10"}))) == ["SC.DMP/UX.10"]
    assert references(unescaped(client.get("/exigences/", {"q": "zzzz-rien"}))) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming is PostgreSQL's")
def test_postgresql_search_stems_french_words_and_uses_its_index(client_as):
    client = client_as("editor")
    # "geographiques" finds IE.33's "identifiant géographique": stemming, no accents.
    found = references(unescaped(client.get("/exigences/", {"q": "geographiques"})))
    assert "SC.SSI/IE.33" in found
    from topics.search import matching_statements

    sql, params = matching_statements("sécurité").values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "topics_requirementsons_document" in plan, plan


def test_filters_narrow_the_list_and_the_url_keeps_them(client_as):
    client = client_as("lead")
    response = client.get("/exigences/", {"sons": "LGC", "sujet": "12"})
    assert references(unescaped(response)) == ["SC.DMP/ALI/PROG.02"]
    page = unescaped(response)
    # The form shows the filters, the export links carry them.
    assert '<option value="LGC" selected>' in page
    assert "/exigences/export.xlsx?sons=LGC&amp;sujet=12" in response.content.decode()
    # htmx: the fragment only, and the address bar follows (hx-push-url).
    fragment = client.get("/exigences/", {"arbitrage": "removed"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert set(references(unescaped(fragment))) == {"SC.SSI/GEN.08", "SC.SSI/IE.30"}
    assert 'hx-push-url="true"' in page
    # Nature, domain and blocking.
    Requirement.objects.filter(reference="SC.SSI/IE.30").update(
        nature=Requirement.Nature.RECOMMENDED, blocking=True
    )
    assert references(unescaped(client.get("/exigences/", {"nature": "recommended"}))) == [
        "SC.SSI/IE.30"
    ]
    assert references(unescaped(client.get("/exigences/", {"bloquante": "oui"}))) == [
        "SC.SSI/IE.30"
    ]
    assert set(references(unescaped(client.get("/exigences/", {"domaine": "DMP"})))) == {
        "SC.DMP/UX.10",
        "SC.DMP/ALI/PROG.02",
    }
    # The same filters drive the export.
    rows = json.loads(
        client.get("/exigences/export.json", {"domaine": "DMP", "sons": "LGC"}).content
    )
    assert {(row["ID Exigence"], row["REM"]) for row in rows} == {
        ("SC.DMP/UX.10", "LGC"),
        ("SC.DMP/ALI/PROG.02", "LGC"),
    }


def test_pagination_keeps_the_filters(client_as):
    lgc = Sons.objects.get(code="LGC")
    for index in range(60):
        requirement = Requirement.objects.create(reference=f"SC.PAGE/{index:02d}", domain="PAGE")
        RequirementSons.objects.create(requirement=requirement, sons=lgc, statement="Texte.")
    client = client_as("editor")
    first = unescaped(client.get("/exigences/", {"domaine": "PAGE"}))
    assert "60 exigences" in first
    assert len(references(first)) == 50
    assert "?domaine=PAGE&page=2" in first
    second = references(unescaped(client.get("/exigences/", {"domaine": "PAGE", "page": 2})))
    assert second == [f"SC.PAGE/{index}" for index in range(50, 60)]


def test_drafts_never_show_in_search_to_participants(client_as):
    admin = client_as("admin")
    rows = [
        Row(
            "SC.TEST/DRAFT.01",
            "LGC",
            "Obsolète",
            "",
            "Le système DOIT tracer.",
            comment="Suppression envisagée",
        )
    ]
    confirm(admin, dry_run(admin, authority_workbook(rows)))
    assert Arbitration.objects.get(requirement__reference="SC.TEST/DRAFT.01").status == "draft"
    for persona, shown in (("editor", False), ("federation", False), ("lead", True)):
        found = references(
            unescaped(
                client_as(persona).get("/exigences/", {"arbitrage": "removed", "sons": "LGC"})
            )
        )
        assert ("SC.TEST/DRAFT.01" in found) is shown, persona
    pending = references(
        unescaped(client_as("editor").get("/exigences/", {"arbitrage": "pending"}))
    )
    assert "SC.TEST/DRAFT.01" in pending


counter = itertools.count()


def add_requirements(count: int = 3):
    lgc, dpi = Sons.objects.filter(code__in=["LGC", "DPI"]).order_by("code")
    topic = Topic.objects.get(number=7)
    for _ in range(count):
        n = next(counter)
        requirement = Requirement.objects.create(
            reference=f"SC.GROW/{n:04d}", domain="GROW", topic=topic
        )
        for sons in (lgc, dpi):
            RequirementSons.objects.create(requirement=requirement, sons=sons, statement="Texte.")
            RequirementVersion.objects.create(
                requirement=requirement, sons=sons, label="Itération #1", statement="Texte."
            )
        decision = Arbitration.objects.create(
            requirement=requirement, decision="kept", status="published"
        )
        decision.sons.set([lgc, dpi])


@pytest.mark.parametrize("persona", ["editor", "lead"])
@pytest.mark.parametrize(
    "url",
    [
        "/exigences/",
        "/exigences/?q=Texte&sons=LGC&arbitrage=kept",
        "/exigences/?domaine=GROW&sujet=7",
        "/exigences/export.csv?domaine=GROW",
        "/exigences/export.xlsx?domaine=GROW",
        "/exigences/export.json",
    ],
)
def test_query_count_does_not_grow_with_the_requirements(client_as, persona, url):
    assert_queries_constant(client_as(persona), url, add_requirements)


def test_diff_page_shows_words_added_and_removed(client_as):
    client = client_as("editor")
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    lgc_versions = list(requirement.versions.filter(sons__code="LGC").order_by("created_at", "pk"))
    assert len(lgc_versions) == 2
    url = reverse("requirement_diff", args=["SC.DMP/UX.10"])
    response = client.get(url, {"sons": "LGC", "de": lgc_versions[0].pk, "a": lgc_versions[1].pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<ins>" in html
    assert "<del>" in html
    # Readable without colour: each change is announced.
    assert "[ajout : " in unescaped(response)
    assert "[suppression : " in unescaped(response)
    assert "<h1>Comparer des versions de SC.DMP/UX.10</h1>" in unescaped(response)
    # The requirement page links to it.
    detail = client.get(reverse("requirement_detail", args=["SC.DMP/UX.10"])).content.decode()
    assert url in detail
    # Unknown versions: the latest two, never an error.
    assert client.get(url, {"sons": "XX", "de": "x", "a": "999999"}).status_code == 200


def test_an_imported_modified_requirement_shows_its_diff(client_as):
    admin = client_as("admin")
    rows = [
        Row(
            "SC.TEST/DIFF.01",
            "LGC",
            "Modifiée",
            "Le système DOIT chiffrer les flux.",
            "Le système DOIT tracer les flux.",
        )
    ]
    confirm(admin, dry_run(admin, authority_workbook(rows)))
    html = re.sub(
        r"<[^>]+>", "", unescaped(admin.get(reverse("requirement_diff", args=["SC.TEST/DIFF.01"])))
    )
    assert "de « Itération #1 » à « Itération #2 »" in html
    assert "[suppression : tracer" in html
    assert "[ajout : chiffrer" in html


def test_leads_attach_requirements_to_a_topic_in_bulk(client_as):
    lead = client_as("lead")
    topic = Topic.objects.get(number=5)
    back = "/exigences/?sujet=7"
    response = lead.post(
        reverse("requirement_assign_topic"),
        {"references": ["SC.SSI/IE.31", "SC.SSI/IE.32"], "topic": topic.pk, "retour": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    assert set(Requirement.objects.filter(topic=topic).values_list("reference", flat=True)) >= {
        "SC.SSI/IE.31",
        "SC.SSI/IE.32",
    }
    # Nothing ticked: a message, nothing changed; another site: not followed.
    data = {"topic": topic.pk, "retour": "https://evil.example/"}
    response = lead.post(reverse("requirement_assign_topic"), data)
    assert response["Location"] == reverse("requirement_list")
    page = unescaped(lead.get(reverse("requirement_list")))
    assert "Cochez au moins une exigence." in page
    # Editors may not.
    editor = client_as("editor")
    data = {"references": ["SC.SSI/IE.33"], "topic": topic.pk}
    assert editor.post(reverse("requirement_assign_topic"), data).status_code == 403
    # The list offers it to leads only.
    assert 'name="references"' in lead.get("/exigences/").content.decode()
    assert 'name="references"' not in editor.get("/exigences/").content.decode()


def test_results_seen_before_an_attachment_show_it_after(client_as):
    """The results are kept rendered (one rendering for all leads, one for
    all participants): attaching requirements, an update() that sends no
    signal, must still make them stale."""
    lead, editor = client_as("lead"), client_as("editor")
    topic = Topic.objects.get(number=5)
    ie31 = "SC.SSI/IE.31"
    assert Requirement.objects.get(reference=ie31).topic != topic
    for client in (lead, editor):
        assert ie31 not in references(unescaped(client.get("/exigences/", {"sujet": 5})))
    lead.post(reverse("requirement_assign_topic"), {"references": [ie31], "topic": topic.pk})
    for client in (lead, editor):
        assert ie31 in references(unescaped(client.get("/exigences/", {"sujet": 5})))


def test_each_lead_gets_their_own_csrf_token_with_the_shared_results(client_as):
    """A lead and an admin read the same cached results; each one's form
    carries the token of their own session, and the results' fields point
    to it."""
    client_as("lead").get("/exigences/", {"q": "identifiant"})
    second = client_as("admin", enforce_csrf_checks=True)
    page = second.get("/exigences/", {"q": "identifiant"}).content.decode()
    token = re.search(
        r'<form method="post" action="/exigences/sujet/" id="assign-topic">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    ).group(1)
    assert 'name="references" value="SC.SSI/IE.33" form="assign-topic"' in page
    topic = Topic.objects.get(number=5)
    response = second.post(
        reverse("requirement_assign_topic"),
        {"csrfmiddlewaretoken": token, "references": ["SC.SSI/IE.33"], "topic": topic.pk},
    )
    assert response.status_code == 302
    assert Requirement.objects.get(reference="SC.SSI/IE.33").topic == topic


@pytest.mark.parametrize(
    ("url", "french", "english"),
    [
        ("/exigences/", "Exporter (XLSX)", "Export (XLSX)"),
        ("/exigences/import/", "Importer des exigences", "Import requirements"),
        ("/exigences/diff/SC.DMP/UX.10", "Comparer des versions", "Compare versions"),
    ],
)
def test_pages_in_french_and_english(client_as, url, french, english):
    client = client_as("lead")
    assert french in unescaped(client.get(url))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert english in unescaped(client.get(url))


def test_import_pages_and_diff_cost_the_same_whatever_their_size(client_as, persona_user):
    from catalogue.models import CatalogueImport

    lead = persona_user("lead")
    entry = CatalogueImport.objects.create(created_by=lead, file_name="a.xlsx", report={"rows": []})
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    lgc = Sons.objects.get(code="LGC")

    def grow():
        n = next(counter)
        CatalogueImport.objects.create(created_by=lead, file_name=f"{n}.xlsx")
        entry.report["rows"] += [
            {
                "row": n * 10 + i,
                "reference": "SC.X",
                "sons": "LGC",
                "status": "created",
                "changes": ["nouvelle exigence"],
                "messages": [],
                "errors": [],
            }
            for i in range(5)
        ]
        entry.save()
        RequirementVersion.objects.create(
            requirement=requirement, sons=lgc, label=f"Itération #{n + 10}", statement=f"Texte {n}"
        )

    client = client_as("lead")
    for url in (
        reverse("catalogue_import"),
        reverse("catalogue_import_detail", args=[entry.pk]) + "?lignes=all",
        reverse("requirement_diff", args=["SC.DMP/UX.10"]) + "?sons=LGC",
    ):
        assert_queries_constant(client, url, grow)


def test_the_kept_filters_form_shows_a_new_topic_and_each_reader_s_choice(client_as):
    """The filters' form is rendered once per choice of filters and kept; a
    new topic makes it stale."""
    editor = client_as("editor")
    first = unescaped(editor.get("/exigences/", {"sujet": "7"}))
    assert '<option value="7" selected>' in first
    assert "Sujet ajouté" not in first
    Topic.objects.create(number=98, slug="ajoute", title="Sujet ajouté", order=98)
    again = unescaped(editor.get("/exigences/", {"sujet": "7"}))
    assert '<option value="98">98. Sujet ajouté</option>' in again
    other = unescaped(client_as("federation").get("/exigences/", {"sujet": "98"}))
    assert '<option value="98" selected>' in other
    assert '<option value="7" selected>' not in other
