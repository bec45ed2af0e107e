""" "Mes décisions": the issue's scenario, badges per visit, the XLSX export
(text cells only) and the private Atom feed (revocable)."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import rnc2rng
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from lxml import etree, isoschematron
from openpyxl import load_workbook

from arbitrations.caching import NAMESPACE
from arbitrations.models import Arbitration, DecisionFeedToken
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from core import caching
from core.testing import assert_queries_constant, unescaped
from topics.access import sons_in_scope
from topics.models import Requirement, RequirementSons, Sons, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french_again():
    """The language middleware leaves the last request's language active in
    the thread: give the next tests their French back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


PARIS = ZoneInfo("Europe/Paris")
URL = reverse("my_decisions")
NEW_IE33 = "Le système DOIT gérer a minima le numéro RPPS, le nom d'exercice et le prénom d'un PS."


def at(day, hour=10):
    return time_machine.travel(datetime(2023, 10, day, hour, tzinfo=PARIS), tick=False)


def decide(user, reference, codes, decision, comment="", statement=""):
    requirement = Requirement.objects.get(reference=reference)
    sons = list(Sons.objects.filter(code__in=codes))
    draft = record_decision(
        by=user,
        subject=requirement,
        sons=sons,
        data=DecisionInput(decision=decision, comment=comment, new_statement=statement),
        base=snapshot(current_by_sons(requirement, user), [s.pk for s in sons]),
    ).arbitration
    draft.publish(by=user)
    return draft


def row_of(page: str, reference: str) -> str:
    """The table row of ``reference`` in "Mes décisions"."""
    match = re.search(
        rf"<tr[^>]*>\s*<td><a href=\"[^\"]+\">{re.escape(reference)}</a>.*?</tr>", page, re.S
    )
    assert match, f"{reference} not listed"
    return match.group(0)


def badges(page: str) -> list[str]:
    return re.findall(
        r'<p class="fr-badge fr-badge--sm fr-badge--(?:new|warning) fr-mt-1w">([^<]+)<', page
    )


def login(persona_user, persona) -> Client:
    client = Client()
    client.force_login(persona_user(persona))
    return client


def test_the_issues_scenario_ie33_modified_for_lgc(persona_user):
    """lead@ changes SC.SSI/IE.33 for LGC to "modified" with a new statement and
    publishes it: new for editor@ (LGC), no change for editor2@ (DPI)."""
    with at(1):  # both editors' previous visit
        login(persona_user, "editor").get(URL)
        login(persona_user, "editor2").get(URL)
    with at(2):
        decide(persona_user("lead"), "SC.SSI/IE.33", ["LGC"], "modified", "Allègement", NEW_IE33)
    with at(3):
        page = unescaped(login(persona_user, "editor").get(URL))
        row = row_of(page, "SC.SSI/IE.33")
        assert "modifié" in row
        assert "LGC\xa0: Exigence modifiée" in row
        assert "Avant : Exigence conservée" in row
        assert "Voir le nouvel énoncé et ses modifications" in row
        assert badges(page) == ["modifié"]  # nothing else changed for LGC

        page2 = unescaped(login(persona_user, "editor2").get(URL))
        assert badges(page2) == []
        assert "DPI\xa0: Exigence conservée" in row_of(page2, "SC.SSI/IE.33")

    # The requirement page shows the diff and the history to the editor.
    requirement_page = unescaped(login(persona_user, "editor").get("/exigences/SC.SSI/IE.33"))
    versions = requirement_page.split('id="versions"')[1]
    assert '<ins><span class="fr-sr-only">[ajout : </span>' in versions
    timeline = requirement_page.split('id="timeline"')[1]
    assert "Publication</strong> — Exigence modifiée (LGC)" in timeline
    assert "par Louise Ville" in timeline
    assert re.search(
        r"LGC\xa0: <del>.*?Exigence conservée</del> → <ins>.*?Exigence modifiée</ins>", timeline
    )


def test_badges_stay_for_the_visit_until_marked_as_seen(persona_user):
    with at(1):
        login(persona_user, "editor").get(URL)
    with at(2):
        decide(persona_user("lead"), "SC.SSI/IE.30", ["LGC"], "kept", "Revu")
    client = login(persona_user, "editor")
    with at(3):
        assert badges(unescaped(client.get(URL))) == ["modifié"]
    with at(3, 11):  # the same visit, an hour later: still there
        assert badges(unescaped(client.get(URL))) == ["modifié"]
        response = client.post(reverse("my_decisions_seen"), follow=True)
        assert badges(unescaped(response)) == []
        assert "Toutes les décisions sont marquées comme vues." in unescaped(response)
    with at(4):  # a later visit: nothing new since
        assert badges(unescaped(login(persona_user, "editor").get(URL))) == []


def test_a_first_visit_shows_everything_as_new(persona_user):
    page = unescaped(login(persona_user, "editor").get(URL))
    assert "Première visite : tout est nouveau pour vous." in page
    # The deck's decisions on LGC: 9 requirements and the eligibility topic.
    assert badges(page) == ["nouveau"] * 10


def test_grouped_by_topic_in_the_decks_order_and_federations_see_their_members(persona_user):
    page = unescaped(login(persona_user, "federation").get(URL))
    headings = re.findall(r'<h2 class="fr-h4 fr-mt-4w"><a [^>]+>([^<]+)</a></h2>', page)
    assert headings == [
        "#4 (SSI) Antivirus",
        "#7 (SSI/IE) Exigences gestions des comptes et des utilisateurs",
        "#9 (UX) Non blocage de l'interface graphique de l'utilisateur",
        "#12 (MES) Alimentation systématique LGC",
        'Conditions d\'éligibilité aux prestations "Vague 2" et "Vague 1 + Vague 2"',
    ]
    assert "vos SONS : LGC" in page
    # editor2 sells DPI: SC.DMP/ALI/PROG.02 is LGC's only.
    assert "SC.DMP/ALI/PROG.02" not in unescaped(login(persona_user, "editor2").get(URL))


def test_the_xlsx_export_writes_text_real_dates_and_plain_text(persona_user):
    """Issue 21: dates are dates (sorting and filters work), comments the text
    a reader sees (no ``**``), rows tall enough for their wrapped text; every
    other cell is text, never a formula (issue 5)."""
    lead = persona_user("lead")
    with at(5, 10):
        decide(lead, "SC.SSI/IE.31", ["LGC"], "kept", '=HYPERLINK("https://example.org","clic")')
    with at(6, 15):
        decide(
            lead,
            "SC.SSI/IE.32",
            ["LGC"],
            "kept",
            "Conservée **sans changement** :\n\n- premier point ;\n- second point.",
        )
    response = login(persona_user, "editor").get(reverse("my_decisions_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[:4] == ["Sujet", "Exigence", "SONS", "Arbitrage"]
    published = header.index("Publié le")
    comment = header.index("Commentaire")
    by_reference = {row[1].value: row for row in rows[1:]}
    assert {"SC.SSI/IE.33", "SC.DMP/ALI/PROG.02"} <= set(by_reference)
    # Paris time, as the page shows it, with a date format.
    ie32 = by_reference["SC.SSI/IE.32"]
    assert ie32[published].value == datetime(2023, 10, 6, 15, 0)
    assert ie32[published].is_date
    assert ie32[published].number_format == "DD/MM/YYYY HH:MM"
    assert ie32[comment].value == (
        "Conservée sans changement :\n\n• premier point ;\n• second point."
    )
    # Four lines of comment (one blank): the row is at least four lines of 15 points.
    assert sheet.row_dimensions[ie32[0].row].height >= 4 * 15
    assert ie32[comment].alignment.wrap_text
    for row in rows[1:]:
        assert row[published].is_date, row[1].value
        for index, cell in enumerate(row):
            if index != published and cell.value is not None:
                assert cell.data_type == "s", (row[1].value, header[index])
                assert "**" not in cell.value
    assert by_reference["SC.SSI/IE.31"][comment].value.startswith("=HYPERLINK")
    # Sorting and filtering from the header row.
    assert sheet.auto_filter.ref == f"A1:I{len(rows)}"
    assert sheet.freeze_panes == "A2"


def test_the_private_feed_is_read_without_login_and_revocable(persona_user):
    client = login(persona_user, "editor")
    client.post(reverse("my_decisions_feed_settings"), {"action": "create"})
    token = DecisionFeedToken.objects.active().get(user=persona_user("editor"))
    settings_page = unescaped(client.get(reverse("my_decisions_feed_settings")))
    feed_url = reverse("my_decisions_feed", kwargs={"token": token.token})
    assert feed_url in settings_page

    anonymous = Client()
    response = anonymous.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert 'xmlns="http://www.w3.org/2005/Atom"' in feed
    assert "SC.DMP/ALI/PROG.02 (LGC) — Exigence modifiée" in feed
    assert "Faible risque résiduel" in feed  # GEN.08's comment

    # Replacing the address closes the old one.
    client.post(reverse("my_decisions_feed_settings"), {"action": "create"})
    assert anonymous.get(feed_url).status_code == 404
    new_token = DecisionFeedToken.objects.active().get(user=persona_user("editor"))
    new_url = reverse("my_decisions_feed", kwargs={"token": new_token.token})
    assert anonymous.get(new_url).status_code == 200
    # Revoking closes the feed.
    client.post(reverse("my_decisions_feed_settings"), {"action": "revoke"})
    assert anonymous.get(new_url).status_code == 404
    assert not DecisionFeedToken.objects.active().filter(user=persona_user("editor")).exists()


DATA = Path(__file__).parent / "data"
ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 4151 §2.1: tag:authorityName,date:specific (DNS name, yyyy[-mm[-dd]]).
TAG_URI = re.compile(
    r"tag:[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r",\d{4}(-\d{2}(-\d{2})?)?:[\w\-.~!$&'()*+,;=:@/?%]+"
)


@pytest.fixture(scope="module")
def atom_validators():
    """RFC 4287's own schema (Appendix B): its RELAX NG grammar, and its
    Schematron rules (an author for every entry, a link or a content)."""
    grammar = rnc2rng.dumps(rnc2rng.loads((DATA / "atom.rnc").read_text()))
    # rnc2rng declares the RNC's empty "local" namespace as a prefix, which
    # XML forbids; the grammar names it as ns="" where it uses it.
    grammar = grammar.replace(' xmlns:local=""', "").replace('xmlns:local=""', "")
    relax_ng = etree.RelaxNG(etree.fromstring(grammar.encode()))
    schematron = isoschematron.Schematron(etree.parse(str(DATA / "atom-rules.sch")))
    return relax_ng, schematron


def _assert_valid_atom(content: bytes, validators) -> etree._Element:
    relax_ng, schematron = validators
    document = etree.fromstring(content)
    assert relax_ng.validate(document), relax_ng.error_log
    assert schematron.validate(document), schematron.error_log
    return document


def test_the_atom_feed_is_valid_rfc_4287(persona_user, atom_validators):
    """Issue 21: entry ids were "arbitrage-11" (relative), no author, the same
    feed id for everyone. Checked by RFC 4287's schema and rules, and by its
    text: ids are absolute IRIs (§4.2.6), here tag: URIs (RFC 4151), unique
    within the feed; the feed has an author (§4.1.1); each person's feed has
    its own id."""
    ids = {}
    for persona in ("editor", "editor2"):
        token = DecisionFeedToken.objects.create(user=persona_user(persona))
        response = Client().get(reverse("my_decisions_feed", kwargs={"token": token.token}))
        assert response.status_code == 200
        feed = _assert_valid_atom(response.content, atom_validators)
        feed_id = feed.findtext(f"{ATOM}id")
        assert TAG_URI.fullmatch(feed_id), feed_id
        ids[persona] = feed_id
        assert feed.findtext(f"{ATOM}author/{ATOM}name")
        entries = feed.findall(f"{ATOM}entry")
        assert entries
        entry_ids = [entry.findtext(f"{ATOM}id") for entry in entries]
        assert len(set(entry_ids)) == len(entry_ids)
        for entry_id in entry_ids:
            assert TAG_URI.fullmatch(entry_id), entry_id
        for entry in entries:
            link = entry.find(f"{ATOM}link[@rel='alternate']")
            assert link.get("href").startswith("http://testserver/")
    assert ids["editor"] != ids["editor2"]
    # The same decision has the same id in every feed and after a new address.
    token = DecisionFeedToken.objects.active().get(user=persona_user("editor"))
    token.revoke()
    renewed = DecisionFeedToken.objects.create(user=persona_user("editor"))
    again = etree_of(Client().get(reverse("my_decisions_feed", kwargs={"token": renewed.token})))
    assert again.findtext(f"{ATOM}id") == ids["editor"]


def etree_of(response):
    return etree.fromstring(response.content)


def test_the_validators_refuse_what_the_issue_found(atom_validators):
    """The strict check fails on the feed the issue describes: no author."""
    relax_ng, schematron = atom_validators
    entry = (
        "<entry><title>t</title><id>tag:example.org,2023:a/1</id>"
        '<updated>2023-09-25T00:00:00+02:00</updated><link href="http://example.org/"/></entry>'
    )
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        "<id>tag:example.org,2023:f</id><updated>2023-09-25T00:00:00+02:00</updated>"
        f"{entry}</feed>"
    )
    assert relax_ng.validate(etree.fromstring(feed))
    assert not schematron.validate(etree.fromstring(feed))
    assert not relax_ng.validate(etree.fromstring(feed.replace("<title>t</title>", "", 1)))


def test_the_atom_feed_answers_head_and_304(persona_user):
    token = DecisionFeedToken.objects.create(user=persona_user("editor"))
    url = reverse("my_decisions_feed", kwargs={"token": token.token})
    reader = Client()
    first = reader.get(url)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "private, max-age=300"
    head = reader.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == etag
    assert head["Content-Type"] == first["Content-Type"]
    assert reader.get(url, headers={"if-none-match": etag}).status_code == 304
    assert reader.get(url, headers={"if-modified-since": modified}).status_code == 304
    # A new decision on LGC: the feed changed.
    with at(20):
        decide(persona_user("lead"), "SC.SSI/IE.31", ["LGC"], "kept", "Confirmée.")
    changed = reader.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"Confirm\xc3\xa9e." in changed.content


def test_a_deactivated_account_s_feed_is_closed(persona_user):
    editor = persona_user("editor")
    token = DecisionFeedToken.objects.create(user=editor)
    editor.is_active = False
    editor.save(update_fields=["is_active"])
    assert (
        Client().get(reverse("my_decisions_feed", kwargs={"token": token.token})).status_code == 404
    )


def test_the_page_and_its_exports_do_not_grow_with_the_data(client_as, persona_user):
    topic = Topic.objects.get(number=11)
    lgc = Sons.objects.get(code="LGC")
    counter = iter(range(1000))

    def grow():
        for _ in range(10):
            n = next(counter)
            requirement = Requirement.objects.create(reference=f"SC.MINE/{n:03}", topic=topic)
            RequirementSons.objects.create(requirement=requirement, sons=lgc, statement="…")
            arbitration = Arbitration.objects.create(
                requirement=requirement,
                decision="kept",
                status="published",
                published_at=datetime(2023, 10, 5, tzinfo=PARIS),
            )
            arbitration.sons.set([lgc])

    for persona in ("editor", "federation", "lead", "admin"):
        assert_queries_constant(client_as(persona), URL, grow)
    assert_queries_constant(client_as("editor"), reverse("my_decisions_xlsx"), grow)
    token = DecisionFeedToken.objects.create(user=persona_user("editor"))
    assert_queries_constant(
        Client(), reverse("my_decisions_feed", kwargs={"token": token.token}), grow
    )


def test_mes_decisions_in_english(client_as):
    client = client_as("editor")
    client.post(reverse("set_language"), {"language": "en", "next": URL})
    page = unescaped(client.get(URL))
    assert "<h1>My decisions</h1>" in page
    assert "Export (XLSX)" in page


def listed_references(page: str) -> list[str]:
    return re.findall(r'<a href="/exigences/([^"#]+)"', page.split("<h1>")[1])


def test_mes_decisions_comes_in_pages_of_topics(client_as, monkeypatch):
    """Each page holds some topics; together the pages list exactly what the
    one page listed; the reader's counts are the same on every page and say
    where the news are (issue 11: the page does not grow with the data)."""
    from django.core.cache import cache

    from arbitrations import my_decisions

    editor = client_as("editor")
    whole = unescaped(editor.get("/mes-decisions/"))
    everything = listed_references(whole)
    topics = whole.count('<h2 class="fr-h4 fr-mt-4w">')
    assert topics >= 2  # the deck decides on several topics for LGC
    assert everything
    counts = re.search(r"\d+ nouveau\(x\), \d+ modifié\(s\)", whole).group(0)
    monkeypatch.setattr(my_decisions, "TOPICS_PER_PAGE", 1)
    cache.clear()
    first = unescaped(editor.get("/mes-decisions/"))
    assert first.count('<h2 class="fr-h4 fr-mt-4w">') == 1
    navigation = first.split('aria-label="Pagination — Mes décisions"')[1].split("</nav>")[0]
    assert 'aria-current="page"' in navigation
    news = re.search(r'id="pages-with-news">(.*?)</p>', first, re.S).group(1)
    assert re.findall(r">(\d+)<", news) == [str(n) for n in range(1, topics + 1)]
    pages = [first] + [
        unescaped(editor.get(f"/mes-decisions/?page={n}")) for n in range(2, topics + 1)
    ]
    assert sorted(ref for page in pages for ref in listed_references(page)) == sorted(everything)
    for page in pages:
        assert counts in page


def test_a_page_past_the_last_and_a_page_evicted_from_the_cache(client_as, monkeypatch):
    """Each page is kept apart (issue 11): asking past the last page shows
    the last, as Django's paginator does; a page the cache lost is rendered
    again, the same."""
    from django.core.cache import cache

    from arbitrations import my_decisions

    monkeypatch.setattr(my_decisions, "TOPICS_PER_PAGE", 1)
    cache.clear()
    editor = client_as("editor")
    first = unescaped(editor.get("/mes-decisions/"))
    last_number = max(int(n) for n in re.findall(r"href=\"\?page=(\d+)\"", first))
    last = unescaped(editor.get(f"/mes-decisions/?page={last_number}"))
    past = unescaped(editor.get("/mes-decisions/?page=999"))
    assert listed_references(past) == listed_references(last)
    assert listed_references(unescaped(editor.get("/mes-decisions/?page=abc"))) == (
        listed_references(first)
    )
    # The cache loses every page but keeps the index of the news.
    sons = sons_in_scope(editor.get("/").wsgi_request.user)

    def lose_pages():
        token = caching.version(NAMESPACE)
        for number in range(1, last_number + 1):
            parts = ("my_decisions_page", "fr", sorted(s.pk for s in sons), number)
            assert cache.delete(caching.versioned_key(NAMESPACE, token, parts))

    for asked in (999, last_number):
        lose_pages()
        again = unescaped(editor.get(f"/mes-decisions/?page={asked}"))
        assert listed_references(again) == listed_references(last)


def test_news_counted_from_the_index_by_publication_time():
    """The index answers for any reader: lines published after their
    previous visit, by badge, and the pages holding them."""
    from array import array
    from datetime import UTC, datetime

    from arbitrations.my_decisions import MODIFIED, NEW, NewsIndex

    def at(hour):
        return datetime(2023, 9, 25, hour, tzinfo=UTC)

    # Page 1: a new line at 9h, a modified one and a new one at 11h; page 2:
    # a new one at 10h.
    index = NewsIndex(
        stamps=array("d", [at(9).timestamp(), at(10).timestamp(), at(11).timestamp()]),
        new_from=array("q", [3, 2, 1]),
        modified_from=array("q", [1, 1, 1]),
        page_latest=array("d", [at(11).timestamp(), at(10).timestamp()]),
    )
    assert index.news(None) == ({NEW: 3, MODIFIED: 1}, [1, 2])
    assert index.news(at(9)) == ({NEW: 2, MODIFIED: 1}, [1, 2])
    assert index.news(at(10)) == ({NEW: 1, MODIFIED: 1}, [1])
    assert index.news(at(11)) == ({NEW: 0, MODIFIED: 0}, [])
