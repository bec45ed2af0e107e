"""The calendar as the deck draws it: weeks labelled by the month of their
Thursday, sessions as markers, workshops in their topic's row."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from calendar_app.models import Event
from calendar_app.weeks import week_of
from core.testing import assert_queries_constant, unescaped

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("monday", "month", "label"),
    # DESIGN.md, "Reading the deck": the deck's own week labels.
    [
        (date(2023, 9, 18), 9, "S3 18/09 au 22/09"),
        (date(2023, 9, 25), 9, "S4 25/09 au 29/09"),
        (date(2023, 10, 2), 10, "S1 02/10 au 06/10"),
        (date(2023, 10, 23), 10, "S4 23/10 au 27/10"),
        (date(2023, 10, 30), 11, "S1 30/10 au 03/11"),
        (date(2023, 11, 6), 11, "S2 06/11 au 10/11"),
        (date(2023, 11, 13), 11, "S3 13/11 au 17/11"),
        (date(2023, 11, 20), 11, "S4 20/11 au 24/11"),
    ],
)
def test_week_labels_are_the_deck_s(monday, month, label):
    week = week_of(monday)
    assert week.month.month == month
    assert week.label == label
    assert week_of(date.fromordinal(monday.toordinal() + 4)) == week  # its Friday


def cells(html: str) -> list[list[str]]:
    """The grid's rows as lists of cell texts (tags stripped)."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        texts = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", t).split()) for t in texts])
    return rows


@pytest.mark.django_db
def test_the_week_grid_reads_like_the_deck(client_as):
    with time_machine.travel(datetime(2023, 9, 25, 9, 0, tzinfo=PARIS), tick=False):
        html = unescaped(client_as("editor").get(reverse("calendar_grid")))
    header = re.findall(r'<th scope="col"[^>]*>(S\d [^<]+)', html)
    assert header[:10] == [
        "S3 18/09 au 22/09",
        "S4 25/09 au 29/09",
        "S1 02/10 au 06/10",
        "S2 09/10 au 13/10",
        "S3 16/10 au 20/10",
        "S4 23/10 au 27/10",
        "S1 30/10 au 03/11",
        "S2 06/11 au 10/11",
        "S3 13/11 au 17/11",
        "S4 20/11 au 24/11",
    ]
    months = re.findall(r'<th scope="colgroup" colspan="(\d+)">([^<]+)</th>', html)
    assert [name for _, name in months] == ["SEPTEMBRE", "OCTOBRE", "NOVEMBRE"]
    assert [int(span) for span, _ in months][:2] == [2, 4]
    rows = {row[0]: row[1:] for row in cells(html)}
    sessions = rows["Temps de partage"]
    assert sessions[1] == "▼ 25/09 - 1er temps de partage éditeur"
    assert sessions[3] == "▼ 12/10 - 2ème temps de partage éditeur"
    assert sessions[5] == "▼ 26/10 - 3ème temps de partage éditeur"
    docs = rows["(DOCS) Gestion des versions N1 et N3 d'un même document"]
    assert docs[2] == "✂ 03/10 : Atelier N1/N3"
    intrusion = rows["(SSI) Test d'intrusion"]
    assert intrusion[0] == "Atelier ville tests d'intrusion (à planifier)"
    assert intrusion[4] == "✂ 18/10 : Atelier tests d'intrusion hôpital et radio (à confirmer)"
    psc = rows["(SSI/IE) API PSConnectées"]
    assert psc[0] == "✂ 22/09 : Atelier architecture"
    assert psc[3] == "✂ 13/10 : Atelier architecture"
    assert psc[4] == "✂ 20/10 : Atelier architecture"
    assert rows["Autres thématiques potentielles périmètre LGC"][0] == "Atelier LGC (à planifier)"
    assert rows["Parcours éditeurs"][0] == "Atelier parcours éditeurs (à planifier)"
    # Today is marked, in the week of 25/09.
    today = re.findall(r'<th scope="col" class="portal-grid__today">(S\d [^<]+)', html)
    assert today == ["S4 25/09 au 29/09"]


@pytest.mark.django_db
def test_calendar_list_shows_sessions_with_agendas_and_the_n1_n3_workshop(client_as):
    html = unescaped(client_as("editor").get(reverse("calendar")))
    for title in ("1er temps de partage éditeur", "2ème temps de partage éditeur",
                  "3ème temps de partage éditeur", "Atelier N1/N3"):  # fmt: skip
        assert title in html
    assert "jeudi 12 octobre 2023 à 14h00" in html
    second = html.split("2ème temps de partage éditeur")[1].split("</ol>")[0]
    assert re.findall(r">([^<]+)</a></li>", second) == [
        "(DOCS) Gestion des versions N1 et N3 d'un même document",
        "(MES/DMP) Circuit d'alimentation MES dans les cas d'annonce",
        "(MSS) Workflow MSS gestion des KO d'intégration automatique",
        "(INS) Indicateurs INSq",
    ]


@pytest.mark.django_db
def test_calendar_filters_by_kind_and_audience(client_as):
    client = client_as("editor")
    html = unescaped(client.get(reverse("calendar"), {"type": "steering_committee"}))
    assert "COPIL fédérations d'éditeurs" in html
    assert "Atelier N1/N3" not in html
    html = unescaped(client.get(reverse("calendar"), {"public": "radio"}))
    assert "Atelier tests d'intrusion hôpital et radio" in html
    assert "Atelier N1/N3" not in html


@pytest.mark.django_db
def test_event_page_lists_the_agenda_and_the_decisions_presented(client_as):
    url = reverse("event_detail", kwargs={"slug": "temps-de-partage-2023-09-25"})
    html = unescaped(client_as("editor2").get(url))
    agenda = html.split("Ordre du jour")[1].split("</ol>")[0]
    assert re.findall(r">([^<]+)</a></li>", agenda) == [
        "(SSI) Antivirus",
        "(SSI/IE) Exigences gestions des comptes et des utilisateurs",
        "(UX) Non blocage de l'interface graphique de l'utilisateur",
        "(MES) Alimentation systématique LGC",
    ]
    for reference in ("SC.SSI/GEN.08", "SC.SSI/IE.33", "SC.DMP/UX.10", "SC.DMP/ALI/PROG.02"):
        assert reference in html
    assert "Conditions d'éligibilité" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/calendrier/", "/calendrier/semaines/", "/calendrier/temps-de-partage-2023-09-25/"]
)
def test_calendar_queries_do_not_grow_with_events(client_as, url):
    from calendar_app.models import AgendaItem, Audience
    from topics.models import Topic

    counter = iter(range(1000))

    def grow():
        audience = Audience.objects.get(code="ville")
        topic = Topic.objects.get(number=5)
        for _ in range(10):
            n = next(counter)
            event = Event.objects.create(
                kind=Event.Kind.WORKSHOP,
                title=f"Atelier {n}",
                slug=f"atelier-test-{n}",
                starts_at=datetime(2023, 11, 1 + n % 28, 10, tzinfo=PARIS),
            )
            event.audiences.add(audience)
            AgendaItem.objects.create(event=event, topic=topic, order=1)

    for persona in ("lead", "editor"):
        assert_queries_constant(client_as(persona), url, grow)
