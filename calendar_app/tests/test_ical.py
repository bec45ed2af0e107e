"""iCalendar feeds, asserted on the raw bytes against RFC 5545 and read back
by a strict parser (the ``ical`` package, not the library that writes them).

Expected values come from the deck (dates and hours of the sessions and
workshops), from RFC 5545 (CRLF, folding at 75 octets, DATE values with an
exclusive DTEND, UTC DTSTAMP) and from the issue (stable UID, SEQUENCE up on
every change, STATUS:CANCELLED, a link back, VTIMEZONE for Europe/Paris)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream

from calendar_app import services
from calendar_app.caching import invalidate_event_pages
from calendar_app.models import CalendarFeed, Event
from core.testing import icaljs_read

PARIS = ZoneInfo("Europe/Paris")
SITE = "https://concertation.example.org"
NOW = datetime(2023, 10, 2, 9, 0, tzinfo=PARIS)


def unfold(data: bytes) -> str:
    """RFC 5545 §3.1: a CRLF followed by one space or tab is removed."""
    return re.sub(r"\r\n[ \t]", "", data.decode("utf-8"))


def vevents(data: bytes) -> dict[str, str]:
    """The unfolded VEVENT blocks, by SUMMARY (+ DTSTART when titles repeat)."""
    blocks = re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT\r\n", unfold(data), re.S)
    found = {}
    for block in blocks:
        summary = re.search(r"^SUMMARY:(.*)\r$", block, re.M).group(1)
        start = re.search(r"^DTSTART[^:]*:(\d{8})", block, re.M).group(1)
        found[f"{summary} {start}"] = block
    return found


def prop(block: str, name: str) -> str:
    match = re.search(rf"^{name}([;:][^\r]*)\r$", block, re.M)
    assert match, f"no {name} in\n{block}"
    return match.group(1)


def strict(data: bytes):
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


@pytest.fixture
def feed_of(persona_user):
    def make(persona: str) -> CalendarFeed:
        feed, _ = CalendarFeed.objects.get_or_create(user=persona_user(persona))
        return feed

    return make


def read_feed(token: str) -> bytes:
    """As a calendar application reads it: no session, no cookie."""
    response = Client().get(reverse("calendar_feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_the_editors_feed_holds_the_sessions_and_the_n1_n3_workshop(feed_of):
    """The issue's check: the personal feed of editor@demo.example, read by a
    strict parser, lists the sharing sessions and the N1/N3 workshop with
    links back."""
    with time_machine.travel(NOW, tick=False):
        data = read_feed(feed_of("editor").token)
    calendar = strict(data)
    by_title = {}
    for event in calendar.events:
        by_title.setdefault(event.summary, []).append(event)
    for title, day in [
        ("1er temps de partage éditeur", date(2023, 9, 25)),
        ("2ème temps de partage éditeur", date(2023, 10, 12)),
        ("3ème temps de partage éditeur", date(2023, 10, 26)),
        ("Atelier N1/N3", date(2023, 10, 3)),
    ]:
        (event,) = by_title[title]
        start = event.dtstart.date() if isinstance(event.dtstart, datetime) else event.dtstart
        assert start == day
        slug = Event.objects.get(title=title, starts_at__date=day).slug
        assert event.url == f"{SITE}/calendrier/{slug}/"
    # The deck's hours, in Paris: 12/10 at 14h (12:00 UTC, summer time).
    (second,) = by_title["2ème temps de partage éditeur"]
    assert second.dtstart.astimezone(UTC) == datetime(2023, 10, 12, 12, 0, tzinfo=UTC)
    # What an LGC editor is not concerned by: the hôpital and radio workshop,
    # the federations' steering committees; the events to schedule have no date.
    assert "Atelier tests d'intrusion hôpital et radio" not in by_title
    assert "COPIL fédérations d'éditeurs" not in by_title
    for to_schedule in (
        "Atelier ville tests d'intrusion",
        "Atelier LGC",
        "Atelier parcours éditeurs",
    ):
        assert to_schedule not in by_title


@pytest.mark.django_db
def test_feeds_differ_by_role_and_audience(feed_of):
    titles = {}
    for persona in ("editor2", "federation", "lead"):
        with time_machine.travel(NOW, tick=False):
            titles[persona] = {e.summary for e in strict(read_feed(feed_of(persona).token)).events}
    # A DPI editor is in the hôpital audience.
    assert "Atelier tests d'intrusion hôpital et radio" in titles["editor2"]
    assert "COPIL fédérations d'éditeurs" not in titles["editor2"]
    # Federations attend the steering committees and every workshop.
    assert {"COPIL fédérations d'éditeurs", "Atelier tests d'intrusion hôpital et radio"} <= titles[
        "federation"
    ]
    assert titles["lead"] >= titles["federation"]


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_raw_bytes_follow_rfc_5545(feed_of):
    with time_machine.travel(NOW, tick=False):
        data = read_feed(feed_of("editor").token)
    # CRLF line endings, no bare LF, lines folded at 75 octets (§3.1).
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    text = unfold(data)
    assert "\r\nVERSION:2.0\r\n" in text
    assert re.search(r"\r\nPRODID:-//[^\r]+//FR\r\n", text)
    # One VTIMEZONE for Europe/Paris, with its summer and winter rules
    # (EU: last Sunday of March and of October).
    assert text.count("BEGIN:VTIMEZONE") == 1
    vtimezone = text.split("BEGIN:VTIMEZONE\r\n")[1].split("END:VTIMEZONE")[0]
    assert "TZID:Europe/Paris\r\n" in vtimezone
    assert "TZOFFSETTO:+0200" in vtimezone
    assert "TZOFFSETTO:+0100" in vtimezone
    assert vtimezone.count("BYDAY=-1SU") == 2
    events = vevents(data)
    session = events["2ème temps de partage éditeur 20231012"]
    assert prop(session, "DTSTART") == ";TZID=Europe/Paris:20231012T140000"
    # DTSTAMP in UTC (§3.8.7.2), here the feed's generation.
    assert prop(session, "DTSTAMP") == ":20231002T070000Z"
    assert re.fullmatch(r":[0-9a-f-]{36}@concertation\.example\.org", prop(session, "UID"))
    assert prop(session, "SEQUENCE") == ":0"
    assert prop(session, "STATUS") == ":CONFIRMED"
    slug = "temps-de-partage-2023-10-12"
    assert prop(session, "URL").endswith(f":{SITE}/calendrier/{slug}/")
    # All-day events are DATE values, DTEND the day after (§3.6.1).
    workshop = events["Atelier N1/N3 20231003"]
    assert prop(workshop, "DTSTART") == ";VALUE=DATE:20231003"
    assert prop(workshop, "DTEND") == ";VALUE=DATE:20231004"
    # The agenda is in the description.
    assert "Gestion des versions N1 et N3" in prop(workshop, "DESCRIPTION")
    # An event to confirm is tentative.
    target = events["Objectif de publication des premiers dispositifs vague 2 20231130"]
    assert prop(target, "STATUS") == ":TENTATIVE"


@pytest.mark.django_db
def test_moving_the_20_10_workshop_raises_its_sequence_and_keeps_its_uid(client_as, feed_of):
    """The issue's check: moving the 20/10 workshop by a day shows in the
    feed with a higher SEQUENCE. Moved as a lead does it, with the form."""
    token = feed_of("editor").token
    with time_machine.travel(NOW, tick=False):
        before = vevents(read_feed(token))["Atelier architecture 20231020"]
    event = Event.objects.get(slug="atelier-architecture-2023-10-20")
    lead = client_as("lead")
    url = reverse("event_edit", kwargs={"slug": event.slug})
    form = lead.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data.update(
        kind="workshop",
        title=event.title,
        status="fixed",
        all_day="on",
        day="2023-10-19",
        version=str(event.sequence),
        description=event.description,
    )
    data.pop("audiences", None)
    response = lead.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    with time_machine.travel(NOW, tick=False):
        feed = vevents(read_feed(token))
    assert "Atelier architecture 20231020" not in feed
    after = feed["Atelier architecture 20231019"]
    assert prop(after, "UID") == prop(before, "UID")
    assert int(prop(after, "SEQUENCE")[1:]) > int(prop(before, "SEQUENCE")[1:])
    assert prop(after, "DTSTART") == ";VALUE=DATE:20231019"


@pytest.mark.django_db
def test_every_change_raises_the_sequence_and_cancellation_is_kept(feed_of, persona_user):
    token = feed_of("editor").token
    lead = persona_user("lead")
    event = Event.objects.get(slug="atelier-n1-n3-2023-10-03")
    topic = event.agenda_items.get().topic
    services.add_agenda_item(event, label="Questions-réponses", by=lead)
    services.move_event(event, starts_at=datetime(2023, 10, 4, tzinfo=PARIS), all_day=True, by=lead)
    services.cancel_event(event, by=lead, reason="Reporté")
    with time_machine.travel(NOW, tick=False):
        block = vevents(read_feed(token))["Atelier N1/N3 20231004"]
    assert prop(block, "SEQUENCE") == ":3"
    assert prop(block, "STATUS") == ":CANCELLED"
    assert "Questions-réponses" in prop(block, "DESCRIPTION")
    parsed = [e for e in strict(read_feed(token)).events if e.summary == "Atelier N1/N3"]
    assert parsed[0].status.value == "CANCELLED"
    assert topic is not None


@pytest.mark.django_db
def test_the_private_address_is_revocable(client_as, feed_of):
    client = client_as("editor")
    client.post(reverse("calendar_feed_renew"))
    old = CalendarFeed.objects.get(user__email="editor@demo.example").token
    assert Client().get(reverse("calendar_feed", kwargs={"token": old})).status_code == 200
    client.post(reverse("calendar_feed_renew"))
    new = CalendarFeed.objects.get(user__email="editor@demo.example").token
    assert new != old
    assert Client().get(reverse("calendar_feed", kwargs={"token": old})).status_code == 404
    assert Client().get(reverse("calendar_feed", kwargs={"token": new})).status_code == 200
    page = client.get(reverse("calendar_feeds")).content.decode()
    assert f"/calendrier/ical/{new}.ics" in page
    client.post(reverse("calendar_feed_revoke"))
    assert Client().get(reverse("calendar_feed", kwargs={"token": new})).status_code == 404
    # Nobody else's address is shown to a person.
    assert old not in client_as("editor2").get(reverse("calendar_feeds")).content.decode()


@pytest.mark.django_db
def test_a_deactivated_account_s_address_stops_working(feed_of):
    feed = feed_of("editor")
    feed.user.is_active = False
    feed.user.save()
    assert Client().get(reverse("calendar_feed", kwargs={"token": feed.token})).status_code == 404


@pytest.mark.django_db
def test_topic_feed(feed_of):
    token = feed_of("editor").token
    url = reverse("calendar_topic_feed", kwargs={"token": token, "key": "6"})
    response = Client().get(url)
    assert response.status_code == 200
    events = sorted((str(e.dtstart)[:10], e.summary) for e in strict(response.content).events)
    # The deck: API PSConnectées, workshops on 22/09, 13/10, 20/10, and on the
    # agenda of the third sharing session (26/10).
    assert events == [
        ("2023-09-22", "Atelier architecture"),
        ("2023-10-13", "Atelier architecture"),
        ("2023-10-20", "Atelier architecture"),
        ("2023-10-26", "3ème temps de partage éditeur"),
    ]
    missing = reverse("calendar_topic_feed", kwargs={"token": token, "key": "999"})
    assert Client().get(missing).status_code == 404


@pytest.mark.django_db
def test_event_ics_download(client_as):
    url = reverse("event_ics", kwargs={"slug": "temps-de-partage-2023-10-12"})
    response = client_as("editor2").get(url)
    assert response.status_code == 200
    calendar = strict(response.content)
    assert [e.summary for e in calendar.events] == ["2ème temps de partage éditeur"]
    assert client_as("anonymous").get(url).status_code == 302
    # An event to schedule has no date: no .ics.
    to_schedule = reverse("event_ics", kwargs={"slug": "atelier-lgc-autres-thematiques"})
    assert client_as("editor2").get(to_schedule).status_code == 404


@pytest.mark.django_db
def test_registering_puts_a_workshop_of_another_audience_in_the_feed(feed_of, persona_user):
    """An LGC editor is not in the radio audience, until registered."""
    editor = persona_user("editor")
    token = feed_of("editor").token
    event = Event.objects.get(slug="atelier-tests-intrusion-2023-10-18")
    with time_machine.travel(NOW, tick=False):
        assert event.title not in {e.summary for e in strict(read_feed(token)).events}
        services.register(event, organisation=editor.organisation, by=editor)
        assert event.title in {e.summary for e in strict(read_feed(token)).events}


@pytest.mark.django_db
def test_feeds_answer_head_and_304_until_an_event_changes(feed_of, persona_user):
    """Issue 21: calendar applications poll every few minutes. HEAD answers
    like GET without a body; an ETag and a Last-Modified come with every
    answer; asking again with them gets 304 (RFC 9110 §13.1) until what the
    feed shows changes — not merely the time it was written (DTSTAMP)."""
    token = feed_of("editor").token
    urls = [
        reverse("calendar_feed", kwargs={"token": token}),
        reverse("calendar_topic_feed", kwargs={"token": token, "key": "6"}),
    ]
    calendar_app = Client()
    first = {}
    with time_machine.travel(NOW, tick=False):
        for url in urls:
            response = calendar_app.get(url)
            assert response.status_code == 200
            assert response["Cache-Control"] == "private, max-age=300"
            first[url] = response
            head = calendar_app.head(url)
            assert head.status_code == 200
            assert head.content == b""
            for header in ("ETag", "Last-Modified", "Content-Type", "Cache-Control"):
                assert head[header] == response[header], header
    # An hour later, with the feeds written again (a new DTSTAMP): nothing changed.
    invalidate_event_pages()
    with time_machine.travel(datetime(2023, 10, 2, 10, 0, tzinfo=PARIS), tick=False):
        for url in urls:
            etag, modified = first[url]["ETag"], first[url]["Last-Modified"]
            again = calendar_app.get(url, headers={"if-none-match": etag})
            assert again.status_code == 304, url
            assert again.content == b""
            assert again["ETag"] == etag
            assert again["Cache-Control"] == "private, max-age=300"
            assert calendar_app.get(url, headers={"if-modified-since": modified}).status_code == 304
    # The 20/10 workshop (in both feeds) moves: a new ETag, the feed again.
    event = Event.objects.get(slug="atelier-architecture-2023-10-20")
    services.move_event(
        event, starts_at=datetime(2023, 10, 19, tzinfo=PARIS), all_day=True, by=persona_user("lead")
    )
    with time_machine.travel(datetime(2023, 10, 2, 10, 5, tzinfo=PARIS), tick=False):
        for url in urls:
            etag, modified = first[url]["ETag"], first[url]["Last-Modified"]
            moved = calendar_app.get(url, headers={"if-none-match": etag})
            assert moved.status_code == 200, url
            assert moved["ETag"] != etag
            assert b"DTSTART;VALUE=DATE:20231019" in moved.content
            since = calendar_app.get(url, headers={"if-modified-since": modified})
            assert since.status_code == 200


@pytest.mark.django_db
def test_the_event_ics_answers_head(client_as):
    url = reverse("event_ics", kwargs={"slug": "temps-de-partage-2023-10-12"})
    client = client_as("editor")
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == "text/calendar; charset=utf-8"
    assert head["Cache-Control"] == "private, no-store"  # a signed-in download


@pytest.mark.django_db
def test_a_session_with_a_start_and_no_end_lasts_two_hours(client_as, feed_of):
    """Issue 21: the deck gives the 12/10 session's start alone ("12 octobre
    2023 14h"); calendar applications showed a zero-minute event. Its feeds,
    its .ics and its pages give it the documented default length, 2 hours."""
    session = Event.objects.get(slug="temps-de-partage-2023-10-12")
    assert session.ends_at is None
    token = feed_of("editor").token
    sources = {
        "personal": read_feed(token),
        "topic": Client().get(reverse("calendar_topic_feed", kwargs={"token": token, "key": "1"})),
        "event": client_as("editor").get(reverse("event_ics", kwargs={"slug": session.slug})),
    }
    for name, source in sources.items():
        data = source if isinstance(source, bytes) else source.content
        block = vevents(data)["2ème temps de partage éditeur 20231012"]
        assert prop(block, "DTSTART") == ";TZID=Europe/Paris:20231012T140000", name
        assert prop(block, "DTEND") == ";TZID=Europe/Paris:20231012T160000", name
        (parsed,) = [e for e in strict(data).events if e.summary == session.title]
        assert parsed.dtend - parsed.dtstart == timedelta(hours=2)
    page = client_as("editor").get(reverse("event_detail", kwargs={"slug": session.slug}))
    assert "jeudi 12 octobre 2023 à 14h00 – 16h00" in page.content.decode()


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_ical_js_reads_the_personal_feed_a_topic_feed_and_an_event_ics(
    client_as, feed_of, tmp_path
):
    """Issue 21: the feeds pass ical.js (Mozilla's parser) as well as the strict
    RFC 5545 parser: the same events, at the deck's hours in Europe/Paris, no
    zero-minute event."""
    token = feed_of("editor").token
    with time_machine.travel(NOW, tick=False):
        sources = {
            "personal.ics": read_feed(token),
            "topic.ics": Client()
            .get(reverse("calendar_topic_feed", kwargs={"token": token, "key": "6"}))
            .content,
            "event.ics": client_as("editor")
            .get(reverse("event_ics", kwargs={"slug": "temps-de-partage-2023-10-12"}))
            .content,
        }
    paths = []
    for name, content in sources.items():
        (tmp_path / name).write_bytes(content)
        paths.append(tmp_path / name)
    read = icaljs_read(paths)
    by_name = {path.name: read[str(path)] for path in paths}
    for name, calendar in by_name.items():
        assert calendar["version"] == "2.0", name
        assert calendar["method"] == "PUBLISH", name
        # The same events as the strict parser reads, by UID.
        strict_uids = {event.uid for event in strict(sources[name]).events}
        assert {event["uid"] for event in calendar["events"]} == strict_uids, name
        for event in calendar["events"]:
            assert event["minutes"] > 0, (name, event["summary"])
            assert event["url"].startswith(f"{SITE}/calendrier/")
    (session,) = by_name["event.ics"]["events"]
    assert session["summary"] == "2ème temps de partage éditeur"
    # 14:00 in Paris (summer time) is 12:00 UTC; 2 hours long (no end given).
    assert session["start"] == {
        "date": False,
        "utc": "2023-10-12T12:00:00.000Z",
        "zone": "Europe/Paris",
    }
    assert session["end"]["utc"] == "2023-10-12T14:00:00.000Z"
    personal = {(e["summary"], e["start"]["utc"][:10]) for e in by_name["personal.ics"]["events"]}
    assert ("Atelier N1/N3", "2023-10-03") in personal
    assert ("1er temps de partage éditeur", "2023-09-25") in personal
    topic = sorted((e["start"]["utc"][:10], e["summary"]) for e in by_name["topic.ics"]["events"])
    assert topic == [
        ("2023-09-22", "Atelier architecture"),
        ("2023-10-13", "Atelier architecture"),
        ("2023-10-20", "Atelier architecture"),
        ("2023-10-26", "3ème temps de partage éditeur"),
    ]
    workshop = next(e for e in by_name["topic.ics"]["events"] if e["start"]["utc"] == "2023-10-20")
    assert workshop["start"]["date"] is True
    assert workshop["minutes"] == 24 * 60
