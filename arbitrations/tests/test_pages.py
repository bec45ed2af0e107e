"""Topics and requirements as participants read them."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from arbitrations.models import Arbitration
from core.testing import assert_queries_constant, unescaped
from topics.models import Requirement, RequirementSons, Sons, Topic

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_topics_page_lists_the_fourteen_topics_with_their_scope(client_as):
    html = unescaped(client_as("editor").get(reverse("topic_list")))
    rows = re.findall(
        r"<tr>\s*<td>(\d+)</td>\s*<td><a [^>]+>([^<]+)</a></td>\s*<td>([^<]+)</td>", html
    )
    assert [(int(n), label, scope) for n, label, scope in rows] == [
        (1, "(DOCS) Gestion des versions N1 et N3 d'un même document", "Tous"),
        (2, "(MES/DMP) Circuit d'alimentation MES dans les cas d'annonce", "PFI, RIS, LGC"),
        (3, "(MSS) Workflow MSS gestion des KO d'intégration automatique", "DPI, RIS"),
        (4, "(SSI) Antivirus", "Tous"),
        (5, "(SSI) Test d'intrusion", "Tous"),
        (6, "(SSI/IE) API PSConnectées", "Tous"),
        (7, "(SSI/IE) Exigences gestions des comptes et des utilisateurs", "Tous"),
        (8, "(MES/DMP) Informations sur la présence d'un nouveau document dans le DMP / MES",
         "DPI, RIS, LGC"),
        (9, "(UX) Non blocage de l'interface graphique de l'utilisateur", "Tous"),
        (10, "(INS) Indicateurs INSq", "RIS, LGC"),
        (11, "Amélioration / reformulation / précisions d'exigences et/ou scénarios", "Tous"),
        (12, "(MES) Alimentation systématique LGC", "LGC"),
        (13, "Appel contextuel DB pour LGC en CDS/MSP avec activité imagerie", "LGC"),
        (14, "Autres thématiques potentielles périmètre LGC", "LGC"),
    ]  # fmt: skip


def status_of(html: str, label: str) -> str:
    row = html.split(f">{label}</a>")[1].split("</tr>")[0]
    return re.search(r'<p class="fr-badge[^"]*">([^<]+)</p>', row).group(1)


def test_topic_status_is_derived_from_decisions_and_held_sessions(client_as):
    client = client_as("editor")
    with time_machine.travel(datetime(2023, 9, 26, 9, tzinfo=PARIS), tick=False):
        html = unescaped(client.get(reverse("topic_list")))
    assert status_of(html, "(SSI) Antivirus") == "Arbitré"
    # IE.34 and IE.35 are still under instruction: presented, not decided.
    assert (
        status_of(html, "(SSI/IE) Exigences gestions des comptes et des utilisateurs") == "Présenté"
    )
    assert status_of(html, "(DOCS) Gestion des versions N1 et N3 d'un même document") == "À traiter"
    assert (
        status_of(
            html, 'Conditions d\'éligibilité aux prestations "Vague 2" et "Vague 1 + Vague 2"'
        )
        == "Arbitré"
    )
    with time_machine.travel(datetime(2023, 10, 12, 16, tzinfo=PARIS), tick=False):
        html = unescaped(client.get(reverse("topic_list")))
    assert status_of(html, "(DOCS) Gestion des versions N1 et N3 d'un même document") == "Présenté"


def test_topics_filtered_by_sons_and_status(client_as):
    client = client_as("editor")
    html = unescaped(client.get(reverse("topic_list"), {"sons": "DPI"}))
    assert "(MSS) Workflow MSS" in html
    assert "(INS) Indicateurs INSq" not in html  # RIS, LGC only
    with time_machine.travel(datetime(2023, 9, 26, 9, tzinfo=PARIS), tick=False):
        html = unescaped(client.get(reverse("topic_list"), {"statut": "decided"}))
    assert "(SSI) Antivirus" in html
    assert "(DOCS) Gestion" not in html


def test_gen08_shows_removed_and_its_antivirus_comment(client_as):
    url = reverse("requirement_detail", kwargs={"reference": "SC.SSI/GEN.08"})
    html = unescaped(client_as("editor").get(url))
    assert "Exigence supprimée" in html
    assert "<strong>Faible risque résiduel</strong>" in html
    assert "Périmètre\xa0: DPI, PFI, RIS, LGC" in html


def test_ux10_shows_its_updated_and_former_statement_and_their_diff(client_as):
    url = reverse("requirement_detail", kwargs={"reference": "SC.DMP/UX.10"})
    html = unescaped(client_as("editor").get(url))
    assert "Exigence modifiée" in html
    versions = html.split("Versions de l’énoncé")[1]
    assert "requêtes au DMP</strong>" in versions  # the former statement
    assert "l'ensemble des services numériques exposés" in versions
    assert re.search(r"<del><span class=\"fr-sr-only\">\[suppression : </span>[^<]*DMP", html)
    assert re.search(r"<ins><span class=\"fr-sr-only\">\[ajout : </span>[^<]*Services", html)


def test_a_requirement_without_decision_shows_pending(client_as):
    requirement = Requirement.objects.create(
        reference="SC.TEST/01", topic=Topic.objects.get(number=1)
    )
    RequirementSons.objects.create(
        requirement=requirement, sons=Sons.objects.get(code="DPI"), statement="Le système DOIT…"
    )
    html = unescaped(
        client_as("editor").get(reverse("requirement_detail", kwargs={"reference": "SC.TEST/01"}))
    )
    assert "En attente" in html


def test_trailing_slash_after_a_reference_redirects(client_as):
    response = client_as("editor").get("/exigences/SC.DMP/UX.10/")
    assert response.status_code == 301
    assert response["Location"] == "/exigences/SC.DMP/UX.10"


def test_requirements_search_and_filters(client_as):
    client = client_as("editor")
    html = unescaped(client.get(reverse("requirement_list"), {"q": "antivirus"}))
    assert "SC.SSI/GEN.08" in html
    assert "SC.SSI/IE.33" not in html
    html = unescaped(client.get(reverse("requirement_list"), {"sujet": "7"}))
    assert "SC.SSI/IE.30" in html
    assert "SC.SSI/GEN.08" not in html
    html = unescaped(client.get(reverse("requirement_list"), {"arbitrage": "kept"}))
    assert re.findall(r">(SC\.[^<]+)</a></td>", html) == [
        "SC.SSI/IE.31",
        "SC.SSI/IE.32",
        "SC.SSI/IE.33",
    ]
    html = unescaped(client.get(reverse("requirement_list"), {"sons": "LGC"}))
    assert "SC.DMP/ALI/PROG.02" in html


def make_requirements(count: int, start: int) -> None:
    topic = Topic.objects.get(number=11)
    sons = list(Sons.objects.filter(code__in=["DPI", "LGC"]))
    for n in range(start, start + count):
        requirement = Requirement.objects.create(reference=f"SC.LOAD/{n:04}", topic=topic)
        for s in sons:
            RequirementSons.objects.create(requirement=requirement, sons=s, statement=f"Énoncé {n}")
        arbitration = Arbitration.objects.create(
            requirement=requirement,
            decision=Arbitration.Decision.KEPT,
            status=Arbitration.Status.PUBLISHED,
            published_at=datetime(2023, 10, 1, tzinfo=PARIS),
        )
        arbitration.sons.set(sons)


@pytest.mark.parametrize(
    "url", ["/", "/sujets/", "/sujets/11/", "/exigences/", "/exigences/?sons=DPI&arbitrage=kept"]
)
def test_pages_queries_do_not_grow_with_requirements(client_as, url):
    batches = iter(range(0, 1000, 20))

    def grow():
        make_requirements(20, next(batches))

    for persona in ("admin", "lead", "federation", "editor"):
        assert_queries_constant(client_as(persona), url, grow)


def test_requirement_page_queries_do_not_grow_with_history(client_as):
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    sons = list(Sons.objects.filter(code__in=["DPI", "LGC"]))

    def grow():
        for _ in range(5):
            arbitration = Arbitration.objects.create(
                requirement=requirement,
                decision=Arbitration.Decision.KEPT,
                status=Arbitration.Status.PUBLISHED,
                published_at=datetime(2023, 10, 1, tzinfo=PARIS),
            )
            arbitration.sons.set(sons)

    url = reverse("requirement_detail", kwargs={"reference": "SC.SSI/IE.33"})
    for persona in ("lead", "editor"):
        assert_queries_constant(client_as(persona), url, grow)
