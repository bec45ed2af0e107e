"""The decision record ("relevé de décisions") of a session or a topic: page,
PDF (WeasyPrint, static files from disk, a clear answer without pango),
XLSX; and the presentation of a session's decisions, slide by slide."""

from __future__ import annotations

import re
import subprocess
import sys
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from arbitrations import exports
from arbitrations.models import Arbitration
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from core.testing import assert_queries_constant, debian_program, unescaped
from topics.models import Requirement, RequirementSons, Sons

pytestmark = pytest.mark.django_db
SESSION = {"slug": "temps-de-partage-2023-09-25"}
# The deck's decisions of 25/09/2023, in the deck's order of topics (#4, #7, #9, #12).
DECK_DECISIONS = [
    ("SC.SSI/GEN.08", "Exigence supprimée"),
    ("SC.SSI/IE.30", "Exigence supprimée"),
    ("SC.SSI/IE.31", "Exigence conservée"),
    ("SC.SSI/IE.32", "Exigence conservée"),
    ("SC.SSI/IE.33", "Exigence conservée"),
    ("SC.SSI/IE.34", "Instruction en cours"),
    ("SC.SSI/IE.35", "Instruction en cours"),
    ("SC.DMP/UX.10", "Exigence modifiée"),
    ("SC.DMP/ALI/PROG.02", "Exigence modifiée"),
]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_session_record_page_lists_the_decks_decisions(client_as):
    page = unescaped(client_as("editor").get(reverse("session_record", kwargs=SESSION)))
    assert "<h1>Relevé de décisions — 1er temps de partage éditeur</h1>" in page
    found = re.findall(r'<h3 class="fr-h6 fr-mb-1w">([^<]+) — ([^<]+)</h3>', page)
    assert found[: len(DECK_DECISIONS)] == DECK_DECISIONS
    assert ("Le sujet lui-même", "Exigence supprimée") in found  # eligibility, a topic decision


def test_the_pdf_of_the_25_09_session_lists_its_decisions(client_as):
    response = client_as("editor").get(reverse("session_record_pdf", kwargs=SESSION))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "1er temps de partage éditeur" in text
    flat = " ".join(text.split())
    for reference, decision in DECK_DECISIONS:
        assert f"{reference} — {decision}" in flat, reference
    assert "Faible risque résiduel" in flat
    # The DSFR's typeface, read from the static files.
    reader = PdfReader(BytesIO(response.content))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
    }
    assert any("Marianne" in name for name in fonts), fonts


def test_static_files_are_read_from_disk_never_over_the_network():
    body, mime_type = exports.static_file("http://testserver/static/css/record-pdf.css")
    assert b"Marianne" in body
    assert mime_type == "text/css"
    assert exports.static_file("https://cdn.example.org/dsfr.css") is None
    assert exports.static_file("http://testserver/media/anything.png") is None


def test_a_missing_pango_gives_a_clear_message_not_a_500(client_as, monkeypatch):
    """Without Debian's pango, importing WeasyPrint fails in cffi's dlopen:
    simulate exactly that, on a fresh import."""
    import cffi

    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)

    def dlopen(self, name, *args, **kwargs):
        raise OSError(f"cannot load library '{name}': no such file")

    monkeypatch.setattr(cffi.FFI, "dlopen", dlopen)
    response = client_as("editor").get(reverse("session_record_pdf", kwargs=SESSION))
    assert response.status_code == 503
    page = unescaped(response)
    assert "Le PDF ne peut pas être produit sur ce serveur" in page
    assert "libpango-1.0-0" in page
    assert reverse("session_record_xlsx", kwargs=SESSION) in page  # another way to read it


def test_the_xlsx_record_holds_the_decisions_as_text(client_as):
    response = client_as("federation").get(reverse("session_record_xlsx", kwargs=SESSION))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Sujet", "Exigence", "SONS", "Arbitrage"]
    assert [(r[1], r[3]) for r in rows[1:10]] == DECK_DECISIONS
    assert rows[1][2] == "DPI, PFI, RIS, LGC"
    assert ("Le sujet lui-même", "Exigence supprimée") in [(r[1], r[3]) for r in rows]
    # "Publié le" is a date (issue 21), every other cell text.
    published = rows[0].index("Publié le")
    for row in list(sheet.iter_rows())[1:]:
        assert row[published].is_date
        assert row[published].value.year == 2023
        assert {c.data_type for i, c in enumerate(row) if c.value and i != published} == {"s"}


def test_the_topic_record_shows_the_current_decisions_of_its_requirements(client_as):
    page = unescaped(client_as("editor").get(reverse("topic_record", kwargs={"key": "7"})))
    found = re.findall(r'<h3 class="fr-h6 fr-mb-1w">([^<]+) — ([^<]+)</h3>', page)
    assert [f[0] for f in found] == [f"SC.SSI/IE.3{n}" for n in range(6)]
    pdf = client_as("editor").get(reverse("topic_record_pdf", kwargs={"key": "7"}))
    assert "SC.SSI/IE.35 — Instruction en cours" in " ".join(pdf_text(pdf.content).split())


# Issue 21: a word longer than a line (90 characters, no space, no hyphen).
LONG_WORD = "".join(f"Méta{n:02}" for n in range(15))
assert len(LONG_WORD) == 90


def _long_word_decision(persona_user) -> None:
    """SC.SSI/IE.33 (topic 7) modified for LGC, its new statement holding LONG_WORD."""
    lead = persona_user("lead")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    lgc = Sons.objects.get(code="LGC")
    record_decision(
        by=lead,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(
            decision=Arbitration.Decision.MODIFIED,
            comment="Énoncé précisé.",
            new_statement=f"Le système DOIT afficher {LONG_WORD} en entier.",
        ),
        base=snapshot(current_by_sons(requirement, lead), [lgc.pk]),
    ).arbitration.publish(by=lead)


def _poppler(tmp_path, content: bytes, *command: str) -> str:
    path = tmp_path / "releve.pdf"
    path.write_bytes(content)
    program = debian_program(command[0], "poppler-utils")
    output = [] if command[0] == "pdfinfo" else ["-"]  # the text tools write to stdout
    done = subprocess.run(
        [program, *command[1:], str(path), *output], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_the_pdf_record_is_tagged_in_the_readers_language(client_as, tmp_path):
    """RGAA: a tagged PDF (a structure tree, PDF/UA-1) whose language is set."""
    url = reverse("session_record_pdf", kwargs=SESSION)
    info = _poppler(tmp_path, client_as("editor").get(url).content, "pdfinfo")
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    reader = PdfReader(BytesIO(client_as("editor").get(url).content))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert "pdfuaid:part" in reader.xmp_metadata.stream.get_data().decode()
    # Read in English: the record says so.
    english = client_as("editor")
    english.cookies["django_language"] = "en"
    catalog = PdfReader(BytesIO(english.get(url).content)).trailer["/Root"]
    assert catalog["/Lang"] == "en"


def test_a_long_word_wraps_and_nothing_runs_off_the_page(client_as, persona_user, tmp_path):
    _long_word_decision(persona_user)
    content = client_as("editor").get(reverse("topic_record_pdf", kwargs={"key": "7"})).content
    # Every word's box is on the page, inside its margins (poppler's boxes, in points).
    boxes = _poppler(tmp_path, content, "pdftotext", "-bbox")
    (width,) = set(re.findall(r'<page width="([\d.]+)"', boxes))
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', boxes)
    assert words
    off = [(text, x_max) for x_min, x_max, text in words if float(x_max) > float(width) - 40]
    assert not off, off
    # The word is all there: wrapped across lines, not cut.
    text = _poppler(tmp_path, content, "pdftotext")
    assert LONG_WORD in text.replace("\n", ""), text
    assert LONG_WORD in pdf_text(content).replace("\n", "")


def test_the_presentation_shows_one_requirement_per_screen_like_the_deck(client_as):
    url = reverse("session_presentation", kwargs=SESSION)
    client = client_as("lead")
    first = unescaped(client.get(url))
    assert '<h1 id="slide-title" class="portal-slide__title">SC.SSI/GEN.08</h1>' in first
    assert "#4 (SSI) Antivirus" in first
    assert '<h2 class="fr-h5">Arbitrage</h2>' in first
    assert '<h2 class="fr-h5">Commentaire</h2>' in first
    assert "Exigence supprimée" in first
    assert "Faible risque résiduel" in first
    assert "1 / 10" in first
    assert 'href="?n=2" rel="next" data-portal-key="ArrowRight"' in first
    assert 'rel="prev"' not in first
    ux10 = unescaped(client.get(url, {"n": 8}))
    assert "SC.DMP/UX.10</h1>" in ux10
    assert "l'ensemble des services numériques exposés" in ux10  # its statement
    assert 'href="?n=7" rel="prev" data-portal-key="ArrowLeft"' in ux10
    last = unescaped(client.get(url, {"n": 99}))  # out of range: the last slide
    assert "10 / 10" in last
    assert 'rel="next"' not in last


def test_record_pages_do_not_grow_with_the_data(client_as):
    lgc = Sons.objects.get(code="LGC")
    session_id = Arbitration.objects.published().first().session_id
    counter = iter(range(1000))

    def grow():
        for _ in range(10):
            n = next(counter)
            requirement = Requirement.objects.create(
                reference=f"SC.REC/{n:03}", topic_id=Requirement.objects.first().topic_id
            )
            RequirementSons.objects.create(requirement=requirement, sons=lgc, statement="…")
            arbitration = Arbitration.objects.create(
                requirement=requirement,
                decision="kept",
                status="published",
                published_at="2023-09-25T10:00:00+02:00",
                session_id=session_id,
            )
            arbitration.sons.set([lgc])

    for name, kwargs in (
        ("session_record", SESSION),
        ("session_record_xlsx", SESSION),
        ("session_presentation", SESSION),
        ("topic_record", {"key": "4"}),
        ("topic_record_xlsx", {"key": "4"}),
    ):
        for persona in ("lead", "editor"):
            assert_queries_constant(client_as(persona), reverse(name, kwargs=kwargs), grow)
