"""The calendar's three views share their filters; the month view; the today
line; every page's cost does not grow with the data; no inline script or
style; French first, English available."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.urls import reverse

from calendar_app import services
from calendar_app.models import (
    AgendaItem,
    Audience,
    CalendarFeed,
    Event,
    EventDocument,
    Question,
    QuestionVote,
    Registration,
)
from core.testing import assert_queries_constant, unescaped
from topics.models import Topic

PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = datetime(2023, 9, 27, 11, 0, tzinfo=PARIS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["calendar", "calendar_grid", "calendar_month"])
def test_the_three_views_filter_by_topic_audience_and_kind(client_as, name):
    client = client_as("editor")
    url = reverse(name)
    month = {"mois": "2023-10"} if name == "calendar_month" else {}
    # Topic 6, API PSConnectées: its workshops (13/10, 20/10 in October).
    html = unescaped(client.get(url, {"sujet": "6", **month}))
    assert "Atelier architecture" in html
    assert "Atelier N1/N3" not in html
    assert "2ème temps de partage éditeur" not in html  # its agenda has no topic 6
    # Audience.
    html = unescaped(client.get(url, {"public": "radio", **month}))
    assert "Atelier tests d'intrusion hôpital et radio" in html
    assert "Atelier N1/N3" not in html
    # Kind.
    html = unescaped(client.get(url, {"type": "steering_committee", **month}))
    assert "COPIL fédérations d'éditeurs" in html
    assert "Atelier architecture" not in html
    # The selected filters are shown as selected.
    html = unescaped(client.get(url, {"sujet": "6", "public": "radio", **month}))
    assert re.search(r'<option value="6" selected>', html)
    assert re.search(r'<option value="radio" selected>', html)
    # The filters' fragment for htmx.
    fragment = client.get(url, {"sujet": "6", **month}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()


@pytest.mark.django_db
def test_my_calendar_filter_is_the_personal_feed_s_rule(client_as):
    html = unescaped(client_as("editor").get(reverse("calendar"), {"moi": "1"}))
    assert "Atelier N1/N3" in html
    assert "Atelier tests d'intrusion hôpital et radio" not in html
    assert "COPIL fédérations d'éditeurs" not in html
    html = unescaped(client_as("federation").get(reverse("calendar"), {"moi": "1"}))
    assert "COPIL fédérations d'éditeurs" in html


def month_cells(html: str) -> dict[str, str]:
    """Day number → the text of its cell, for the days of the month."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    found = {}
    for cell in re.findall(
        r'<td class="(?![^"]*portal-month__outside)[^"]*">(.*?)</td>', body, re.S
    ):
        text = " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        day = re.search(r"(\d+)", text).group(1)
        found[day] = text
    return found


@pytest.mark.django_db
def test_the_month_view_of_october_2023(client_as):
    with time_machine.travel(WEDNESDAY, tick=False):
        html = unescaped(client_as("editor").get(reverse("calendar_month"), {"mois": "2023-10"}))
    assert '<h2 class="fr-h3 fr-mb-0">Octobre 2023</h2>' in html
    cells = month_cells(html)
    # The deck's October: 03/10 N1/N3, 06/10 COPIL, 12/10 session at 14h,
    # 13/10 and 20/10 architecture, 18/10 intrusion (to confirm), 26/10 session.
    assert "Atelier N1/N3" in cells["3"]
    assert "COPIL fédérations d'éditeurs" in cells["6"]
    assert "14h00 2ème temps de partage éditeur" in cells["12"]
    assert "Atelier architecture" in cells["13"]
    assert "Atelier tests d'intrusion hôpital et radio (à confirmer)" in cells["18"]
    assert "Atelier architecture" in cells["20"]
    assert "COPIL" in cells["20"]
    assert "3ème temps de partage éditeur" in cells["26"]
    assert "Atelier" not in cells["4"]
    # Weeks labelled as in the deck; links to the months around.
    assert "OCTOBRE S1 02/10 au 06/10" in html
    assert "NOVEMBRE S1 30/10 au 03/11" in html
    assert "?mois=2023-09" in html
    assert "?mois=2023-11" in html
    # Today (27/09) is in October's first week, outside the month.
    assert "portal-month__outside portal-month__today" in html


@pytest.mark.django_db
def test_the_month_view_shows_today_and_the_workshops_to_schedule(client_as):
    with time_machine.travel(WEDNESDAY, tick=False):
        html = unescaped(client_as("editor").get(reverse("calendar_month")))
    assert "Septembre 2023" in html
    assert "portal-month__today" in html
    # Target week of 18/09: the three workshops to schedule.
    to_schedule = html.split("À planifier ce mois-ci")[1]
    for title in ("Atelier ville tests d'intrusion", "Atelier LGC", "Atelier parcours éditeurs"):
        assert title in to_schedule


@pytest.mark.django_db
def test_the_week_grid_draws_the_today_line_at_today_s_weekday(client_as):
    with time_machine.travel(WEDNESDAY, tick=False):
        html = client_as("editor").get(reverse("calendar_grid")).content.decode()
    # Wednesday is the third day of the week (0 = Monday).
    assert html.count('class="portal-grid__today portal-grid__today--2"') >= 2
    assert "aujourd’hui 27/09" in html
    with open(finders.find("calendar_app/calendar.css")) as css:
        text = css.read()
    assert ".portal-grid td.portal-grid__today--2 { background-position: 40% 0; }" in text
    assert "@media print" in text
    assert "@page landscape" in text


@pytest.mark.django_db
def test_calendar_pages_have_no_inline_script_or_style(client_as):
    urls = [
        reverse("calendar"),
        reverse("calendar_grid"),
        reverse("calendar_month") + "?mois=2023-10",
        reverse("event_detail", args=["atelier-n1-n3-2023-10-03"]),
        reverse("event_detail", args=["temps-de-partage-2023-09-25"]),
        reverse("event_edit", args=["temps-de-partage-2023-10-12"]),
        reverse("event_create"),
        reverse("event_cancel", args=["temps-de-partage-2023-10-12"]),
        reverse("event_history", args=["temps-de-partage-2023-10-12"]),
        reverse("question_search"),
        reverse("calendar_feeds"),
    ]
    client = client_as("lead")
    for url in urls:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{url}: inline script {tag}"
        assert not re.search(r"\son[a-z]+=", html), f"{url}: inline event handler"
        assert " style=" not in html, f"{url}: style attribute"
        assert html.count("<h1") == 1, url


@pytest.mark.django_db
def test_pages_in_english(client_as, persona_user):
    user = persona_user("lead")
    user.language = "en"
    user.save()
    client = client_as("lead")
    expected = {
        reverse("calendar_month") + "?mois=2023-10": "Calendar of the concertation by month",
        reverse("event_create"): "New event",
        reverse("event_edit", args=["temps-de-partage-2023-10-12"]): "Add to the agenda",
        reverse("event_cancel", args=["temps-de-partage-2023-10-12"]): "Cancel the event",
        reverse("event_history", args=["temps-de-partage-2023-10-12"]): "Current revision",
        reverse("question_search"): "Questions and answers",
        reverse("calendar_feeds"): "Subscribe to the calendar",
        reverse("event_detail", args=["atelier-n1-n3-2023-10-03"]): "Registrations",
        reverse("calendar"): "My calendar",
    }
    question = Question.objects.create(
        event=Event.objects.get(slug="temps-de-partage-2023-10-12"), text="Quid de l'INSq ?"
    )
    expected[reverse("question_answer", args=[question.pk])] = "Publish the answer"
    for url, text in expected.items():
        assert text in unescaped(client.get(url)), url
    # French first for the others.
    assert "Inscriptions" in unescaped(
        client_as("editor").get(reverse("event_detail", args=["atelier-n1-n3-2023-10-03"]))
    )


# --- Query counts ---------------------------------------------------------------------

counter = count()


def grow(persona_user):
    """Ten more workshops, each with an agenda, registrations, questions,
    supports, a document and a few revisions; and more of everything on the
    pages' own events."""
    lead, editor, editor2, federation = (
        persona_user(p) for p in ("lead", "editor", "editor2", "federation")
    )
    audience = Audience.objects.get(code="ville")
    topic = Topic.objects.get(number=6)
    session = Event.objects.get(slug="temps-de-partage-2023-10-12")
    workshop = Event.objects.get(slug="atelier-n1-n3-2023-10-03")
    for _ in range(5):
        n = next(counter)
        event = Event.objects.create(
            kind=Event.Kind.WORKSHOP,
            title=f"Atelier {n}",
            slug=f"atelier-grow-{n}",
            starts_at=datetime(2023, 10, 1 + n % 28, 10, tzinfo=PARIS),
        )
        event.audiences.add(audience)
        AgendaItem.objects.create(event=event, topic=topic, order=1)
        Registration.objects.create(event=event, organisation=editor.organisation)
        services.add_agenda_item(session, label=f"Point {n}", by=lead)
        services.add_agenda_item(workshop, label=f"Point {n}", by=lead)
        for target in (session, workshop):
            question = Question.objects.create(
                event=target, author=editor, organisation=editor.organisation, text=f"Q{n} ?"
            )
            QuestionVote.objects.create(question=question, user=editor2)
            QuestionVote.objects.create(question=question, user=federation)
            services.answer_question(question, by=lead, answer=f"Réponse {n}")
            EventDocument.objects.create(
                event=target,
                title=f"Doc {n}",
                file=ContentFile(b"%PDF-1.4", name="doc.pdf"),
                filename="doc.pdf",
                content_type=EventDocument.Format.PDF,
                size=8,
                uploaded_by=lead,
            )
        Registration.objects.get_or_create(
            event=workshop,
            organisation=[editor, editor2, federation][n % 3].organisation,
        )


PAGES = [
    reverse("calendar"),
    reverse("calendar_grid"),
    reverse("calendar_month") + "?mois=2023-10",
    reverse("calendar") + "?sujet=6&public=ville&moi=1",
    reverse("event_detail", args=["temps-de-partage-2023-10-12"]),
    reverse("event_detail", args=["atelier-n1-n3-2023-10-03"]),
    reverse("event_history", args=["temps-de-partage-2023-10-12"]),
    reverse("event_ics", args=["temps-de-partage-2023-10-12"]),
    reverse("question_search") + "?q=Réponse",
    reverse("calendar_feeds"),
]
LEAD_PAGES = [
    reverse("event_edit", args=["atelier-n1-n3-2023-10-03"]),
    reverse("event_create"),
    reverse("event_cancel", args=["atelier-n1-n3-2023-10-03"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + LEAD_PAGES)
def test_page_queries_do_not_grow_with_the_data(client_as, persona_user, settings, tmp_path, url):
    settings.MEDIA_ROOT = tmp_path
    personas = ("lead", "admin") if url in LEAD_PAGES else ("lead", "editor", "federation")
    for persona in personas:
        client = client_as(persona)
        if url == reverse("calendar_feeds"):
            client.post(reverse("calendar_feed_renew"))
        with time_machine.travel(datetime(2023, 10, 2, 9, tzinfo=PARIS), tick=False):
            assert_queries_constant(client, url, lambda: grow(persona_user))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["editor", "federation", "lead"])
def test_feed_queries_do_not_grow_with_the_data(
    client_as, persona_user, settings, tmp_path, persona
):
    settings.MEDIA_ROOT = tmp_path
    feed, _ = CalendarFeed.objects.get_or_create(user=persona_user(persona))
    client = client_as("anonymous")
    for url in (
        reverse("calendar_feed", kwargs={"token": feed.token}),
        reverse("calendar_topic_feed", kwargs={"token": feed.token, "key": "6"}),
    ):
        assert_queries_constant(client, url, lambda: grow(persona_user))


@pytest.mark.django_db
def test_the_list_comes_in_pages_and_opens_on_what_is_next(client_as):
    """Issue 11: the list holds at most one page of events however long the
    concertation runs; it opens on the page of the first event from today
    on; the earlier and later pages are a link away, filters kept; events
    still to schedule come last."""
    from calendar_app.views import EVENTS_PER_PAGE

    start = datetime(2030, 1, 7, 10, tzinfo=PARIS)  # after every event of the deck
    before = len(Event.objects.filter(starts_at__isnull=False))
    total_dated = 2 * EVENTS_PER_PAGE + 10
    for n in range(total_dated):
        Event.objects.create(
            kind=Event.Kind.WORKSHOP,
            title=f"Atelier paginé {n:03d}",
            slug=f"atelier-page-{n}",
            starts_at=start + timedelta(days=n),
        )
    Event.objects.create(
        kind=Event.Kind.WORKSHOP,
        title="Atelier à dater",
        slug="atelier-a-dater",
        target_week=date(2031, 1, 6),
    )
    # Today: the 60th new workshop's day; those of the deck are all past.
    first_upcoming = before + 60
    with time_machine.travel(start + timedelta(days=60, hours=-2), tick=False):
        client = client_as("editor")
        html = unescaped(client.get(reverse("calendar")))
        assert html.count('<li class="fr-mb-2w') == EVENTS_PER_PAGE
        assert "Atelier paginé 060" in html
        assert "à partir d’aujourd’hui" in html
        expected_page = first_upcoming // EVENTS_PER_PAGE + 1
        assert f'aria-current="page" title="Page {expected_page}"' in html
        assert f"Événements {(expected_page - 1) * EVENTS_PER_PAGE + 1} à" in html
        # The first page: the deck's first event, and a way back to today.
        first = unescaped(client.get(reverse("calendar"), {"page": 1, "type": "workshop"}))
        assert "Atelier N1/N3" in first
        assert "Revenir à aujourd’hui" in first
        assert 'href="?type=workshop"' in first
        # The last page: the last dated workshop, then the one to schedule.
        last = unescaped(client.get(reverse("calendar"), {"page": 999}))
        assert f"Atelier paginé {total_dated - 1:03d}" in last
        assert last.index(f"Atelier paginé {total_dated - 1:03d}") < last.index("À planifier")
        assert "Atelier à dater" in last


@pytest.mark.django_db
def test_the_week_grid_shows_a_quarter_around_today_and_pages_through_the_rest(client_as):
    """Issue 11: the grid holds at most 13 weeks however long the
    concertation runs — from two weeks before today's — with links to the
    weeks before and after, filters kept."""
    from calendar_app.views import WEEKS_SHOWN

    topic = Topic.objects.get(number=6)
    monday = date(2030, 1, 7)
    for n in range(40):  # a workshop on topic 6 every Tuesday for 40 weeks
        event = Event.objects.create(
            kind=Event.Kind.WORKSHOP,
            title=f"Atelier hebdo {n:02d}",
            slug=f"atelier-hebdo-{n}",
            starts_at=datetime.combine(monday + timedelta(weeks=n, days=1), time(10), PARIS),
        )
        AgendaItem.objects.create(event=event, topic=topic, order=1)

    def weeks(html):
        return re.findall(r'<th scope="col"[^>]*>(S\d [^<]+)', html)

    # Today: Wednesday of week 20 (the workshop "20" was yesterday).
    with time_machine.travel(datetime(2030, 5, 29, 9, tzinfo=PARIS), tick=False):
        client = client_as("editor")
        html = unescaped(client.get(reverse("calendar_grid"), {"sujet": "6"}))
        assert len(weeks(html)) == WEEKS_SHOWN == 13
        assert weeks(html)[0] == "S3 13/05 au 17/05"  # two weeks before today's
        assert "Du 13/05/2030 au 09/08/2030" in html
        shown = set(re.findall(r"Atelier hebdo (\d\d)", html))
        assert shown == {f"{n:02d}" for n in range(18, 31)}
        assert 'href="?sujet=6&semaine=2030-02-11"' in html  # 13 weeks earlier
        assert 'href="?sujet=6&semaine=2030-08-12"' in html  # right after
        # The last weeks: up to the last workshop's, no further, no "next".
        last = unescaped(client.get(reverse("calendar_grid"), {"semaine": "2030-08-12"}))
        assert weeks(last)[-1] == "S2 07/10 au 11/10"
        assert "Atelier hebdo 39" in last
        assert "Semaines suivantes" not in last
        assert "Revenir à aujourd’hui" in last
        # A date that is not one: the weeks around today.
        wrong = unescaped(client.get(reverse("calendar_grid"), {"semaine": "2030-02-30"}))
        assert weeks(wrong)[0] == "S3 13/05 au 17/05"
