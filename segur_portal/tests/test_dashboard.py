"""The dashboard's decision charts and tables, with the deck's decisions of
25/09/2023 as the expected figures (nine requirements, perimeter LGC, RIS,
DPI, PFI; PROG.02 for LGC only)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from calendar_app.models import Event
from core.testing import unescaped
from topics.models import Requirement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french_again():
    """The language middleware leaves the last request's language active in
    the thread: give the next tests their French back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def table_rows(page: str, table_id: str) -> dict[str, list[str]]:
    table = page.split(f'id="{table_id}"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        head = re.search(r'<th scope="row">([^<]+)</th>', row).group(1)
        rows[head] = re.findall(r"<td>(?:<strong>)?([^<]*)", row)
    return rows


def test_decisions_per_sons_as_numbers(client_as):
    rows = table_rows(unescaped(client_as("editor").get("/")), "decisions-by-sons")
    # kept, modified, removed, under instruction, added, pending, total
    assert rows["DPI"] == ["3", "1", "2", "2", "0", "0", "8"]
    assert rows["LGC"] == ["3", "2", "2", "2", "0", "0", "9"]
    assert rows["DB"] == ["0", "0", "0", "0", "0", "0", "0"]


def test_decisions_per_topic_as_numbers(client_as):
    rows = table_rows(unescaped(client_as("editor").get("/")), "decisions-by-topic")
    assert rows["(SSI) Antivirus"] == ["0", "0", "4", "0", "0", "0", "4"]
    assert rows["(SSI/IE) Exigences gestions des comptes et des utilisateurs"] == [
        "12", "0", "4", "8", "0", "0", "24",
    ]  # fmt: skip
    assert rows["(MES) Alimentation systématique LGC"] == ["0", "1", "0", "0", "0", "0", "1"]


def test_stacked_bars_are_accessible_svg_without_inline_styles(client_as):
    page = unescaped(client_as("editor").get("/"))
    svg = page.split('id="chart-sons"')[1].split("</svg>")[0]
    assert 'role="img"' in page.split('id="chart-sons"')[0].rsplit("<svg", 1)[1]
    assert '<title id="chart-sons-title">Arbitrages publiés par SONS</title>' in svg
    assert "style=" not in svg
    # LGC: 3 kept out of 9 → a third of the 600-unit bar.
    assert re.search(r'<rect x="0.00" y="3" width="200.00" height="16" class="bar-kept">'
                     r"<title>LGC — Exigence conservée : 3</title>", svg)  # fmt: skip
    assert "<title>LGC — Exigence modifiée : 2</title>" in svg


def test_changes_against_the_rc_baseline_and_blocking_requirements(client_as):
    Requirement.objects.filter(reference__in=["SC.SSI/GEN.08", "SC.SSI/IE.33"]).update(
        blocking=True
    )
    rows = table_rows(unescaped(client_as("editor").get("/")), "baseline-changes")
    # kept, modified, removed, added, changes, blocking removed or modified
    assert rows["DPI"] == ["3", "1", "2", "0", "3", "1 sur 2"]
    assert rows["LGC"] == ["3", "2", "2", "0", "4", "1 sur 2"]
    assert rows["SGL"] == ["0", "0", "0", "0", "0", "—"]


def test_progress_towards_every_requirement_decided_per_task_force(client_as):
    page = unescaped(client_as("editor").get("/"))
    progress = page.split('id="task-force-progress"')[1].split("</ul>")[0]
    # Under instruction is not a final decision: IE.34 and IE.35 still count as open.
    assert "<strong>Médecine de ville</strong> (LGC) — 7 sur 9 (78 %)" in progress
    assert "<strong>Hôpital</strong> (DPI, PFI) — 12 sur 16 (75 %)" in progress
    assert 'max="9" value="7"' in progress
    assert "Sans task force (administrateurs)</strong> (SGL)" in progress


def test_dashboard_charts_in_english(client_as):
    client = client_as("editor")
    client.post("/langue/", {"language": "en", "next": "/"})
    page = unescaped(client.get("/"))
    assert "Changes against the RC version" in page
    assert "Progress per task force" in page


def next_meetings(client) -> list[str]:
    page = unescaped(client.get("/"))
    if 'id="next-events"' not in page:
        return []
    listed = page.split('id="next-events"')[1].split("</ul>")[0]
    return re.findall(r'<a href="/calendrier/[^"]+">([^<]+)</a>', listed)


def test_the_next_meetings_follow_the_calendar_and_the_clock(client_as):
    """Kept in the cache, the list still shows a new event at once, and drops
    an event once it has started, with nothing else changed."""
    # The afternoon of the 22/09/2023 workshop (all day, so already started).
    start = datetime(2023, 9, 22, 14, tzinfo=ZoneInfo("Europe/Paris"))
    with time_machine.travel(start, tick=False) as clock:
        editor = client_as("editor")
        before = next_meetings(editor)
        # The deck: the sharing session of 25/09/2023 comes next.
        assert before[0] == "1er temps de partage éditeur"
        assert len(before) == 5
        Event.objects.create(
            kind=Event.Kind.WORKSHOP,
            title="Atelier-imprevu-44",
            slug="atelier-imprevu-44",
            starts_at=start + timedelta(minutes=20),
        )
        after = next_meetings(editor)
        assert after == ["Atelier-imprevu-44", *before[:4]]
        clock.shift(timedelta(minutes=25))
        assert next_meetings(editor) == before
