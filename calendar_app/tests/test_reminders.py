"""Reminders through the notifications outbox (issue 7, "Reminders").

Expected values come from the deck (the sessions and workshops and their
dates: the 12/10 session at 14:00 with topics 1, 2, 3 and 10 on its agenda,
the 20/10 architecture workshop, the 18/10 intrusion-test workshop for the
hôpital and radio audiences), from the issue (7 days and 1 day before, to the
registered and concerned; moving moves them, cancelling cancels them, a past
event has none; the e-mail carries the event, its agenda and its .ics) and
from the README's reminder rules (at 08:00 Paris time; "concerned" is the
personal iCalendar feed's rule). The real worker on Redis: test_reminders_worker.py.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream

from accounts.models import User
from calendar_app import reminders, services
from calendar_app.models import CalendarFeed, Event
from core.testing import XSS_PAYLOADS, assert_no_xss
from notifications import services as outbox
from notifications.models import Delivery, EmailPreference, Follow
from topics.models import Topic

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2023, 10, 2, 9, 0, tzinfo=PARIS)  # a week after the first session
SESSION = "temps-de-partage-2023-10-12"  # the next sharing session, 14:00
WORKSHOP_20 = "atelier-architecture-2023-10-20"  # all day
INTRUSION = "atelier-tests-intrusion-2023-10-18"  # hôpital and radio, to confirm
PARTICIPANTS = {
    "editor@demo.example",
    "editor2@demo.example",
    "outsider@demo.example",
    "federation@demo.example",
    "federation2@demo.example",
}
Kind = Delivery.Kind
Status = Delivery.Status


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def rows(slug: str, kind: str = Kind.EVENT_REMINDER, status: str | None = Status.PENDING):
    event = Event.objects.get(slug=slug)
    found = Delivery.objects.filter(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(Event),
        subject_id=event.pk,
    ).select_related("recipient")
    return found.filter(status=status) if status else found


def schedule(slug: str, kind: str = Kind.EVENT_REMINDER) -> dict[str, list[datetime]]:
    """Pending reminders of an event: recipient → due times (Paris)."""
    found: dict[str, list[datetime]] = {}
    for row in rows(slug, kind).order_by("due_at"):
        found.setdefault(row.recipient.email, []).append(row.due_at.astimezone(PARIS))
    return found


def due_times(slug: str, kind: str = Kind.EVENT_REMINDER) -> set[datetime]:
    """Every pending reminder's due time, whoever it is for."""
    return {due for times in schedule(slug, kind).values() for due in times}


def send_due(now: datetime) -> list:
    """One sweep at ``now``, delivered in this process (mail.outbox)."""
    with time_machine.travel(now, tick=False):
        lease, ids = outbox.claim_due()
        for pk in ids:
            outbox.deliver(pk, lease)
    return ids


@pytest.fixture
def planned():
    with time_machine.travel(NOW, tick=False):
        reminders.plan_upcoming()


# --- When, and to whom -----------------------------------------------------------------


def test_the_next_session_is_reminded_7_days_and_1_day_before_to_every_participant(planned):
    expected = [at("2023-10-05 08:00"), at("2023-10-11 08:00")]
    assert schedule(SESSION) == dict.fromkeys(PARTICIPANTS, expected)


def test_a_workshop_reminds_its_audiences_federations_and_registered(persona_user):
    """The 18/10 workshop is for hôpital and radio: the DPI and RIS editors
    and the federations; the LGC editor once their organisation registers."""
    with time_machine.travel(NOW, tick=False):
        reminders.plan_upcoming()
        assert set(schedule(INTRUSION)) == PARTICIPANTS - {"editor@demo.example"}
        editor = persona_user("editor")
        services.register(
            Event.objects.get(slug=INTRUSION), organisation=editor.organisation, by=editor
        )
    assert schedule(INTRUSION)["editor@demo.example"] == [
        at("2023-10-11 08:00"),
        at("2023-10-17 08:00"),
    ]
    # Registering follows the event.
    assert Follow.objects.filter(
        user=editor, subject_id=Event.objects.get(slug=INTRUSION).pk, reason="registered"
    ).exists()
    with time_machine.travel(NOW, tick=False):
        services.unregister(
            Event.objects.get(slug=INTRUSION), organisation=editor.organisation, by=editor
        )
    assert "editor@demo.example" not in schedule(INTRUSION)
    cancelled = rows(INTRUSION, status=Status.CANCELLED)
    assert {row.recipient.email for row in cancelled} == {"editor@demo.example"}


def test_concerned_is_the_personal_feed_s_rule(persona_user):
    """Each participant is reminded of exactly the upcoming events of their
    personal iCalendar feed (read through its secret address). On 26/09 no
    event is a day away: each upcoming one has at least its J-1 to come."""
    now = at("2023-09-26 09:00")
    with time_machine.travel(now, tick=False):
        reminders.plan_upcoming()
    for persona in ("editor", "editor2", "outsider", "federation", "federation2"):
        user = persona_user(persona)
        token = CalendarFeed.objects.get_or_create(user=user)[0].token
        feed = Client().get(reverse("calendar_feed", kwargs={"token": token})).content
        in_feed = {
            e.uid.split("@")[0]
            for e in IcsCalendarStream.calendar_from_ics(feed.decode()).events
            if (e.dtstart > now if isinstance(e.dtstart, datetime) else e.dtstart > now.date())
        }
        reminded = {
            str(uid)
            for uid in Event.objects.filter(
                pk__in=Delivery.objects.filter(
                    recipient=user, kind=Kind.EVENT_REMINDER, status=Status.PENDING
                ).values("subject_id")
            ).values_list("uid", flat=True)
        }
        assert reminded == in_feed, persona
        assert reminded  # every participant has some


def test_a_registration_3_days_before_gets_the_j_1_only(persona_user):
    editor = persona_user("editor")
    with time_machine.travel(at("2023-10-15 12:00"), tick=False):
        services.register(
            Event.objects.get(slug=INTRUSION), organisation=editor.organisation, by=editor
        )
    assert schedule(INTRUSION)["editor@demo.example"] == [at("2023-10-17 08:00")]


def test_people_who_want_no_email_get_no_reminder(persona_user):
    outbox.set_email_frequency(persona_user("editor2"), EmailPreference.Frequency.NONE)
    with time_machine.travel(NOW, tick=False):
        reminders.plan_upcoming()
    assert set(schedule(SESSION)) == PARTICIPANTS - {"editor2@demo.example"}


def test_followers_are_reminded_too(persona_user):
    lead = persona_user("lead")
    outbox.follow(lead, Event.objects.get(slug=WORKSHOP_20))
    with time_machine.travel(NOW, tick=False):
        reminders.plan_upcoming()
    assert "lead@demo.example" in schedule(WORKSHOP_20)
    assert "lead@demo.example" not in schedule(SESSION)


def test_days_are_configurable_per_kind(settings):
    settings.REMINDER_DAYS = {**settings.REMINDER_DAYS, "sharing_session": [2], "workshop": []}
    settings.REMINDER_TIME = datetime(2000, 1, 1, 9, 30).time()
    with time_machine.travel(NOW, tick=False):
        reminders.plan_upcoming()
    assert due_times(SESSION) == {at("2023-10-10 09:30")}
    assert schedule(WORKSHOP_20) == {}
    # Steering committees keep the default.
    assert due_times("copil-federations-2023-10-20") == {
        at("2023-10-13 09:30"),
        at("2023-10-19 09:30"),
    }


def test_planning_twice_changes_nothing(planned):
    before = sorted(Delivery.objects.values_list("pk", "recipient_id", "kind", "due_at", "status"))
    assert before
    with time_machine.travel(NOW, tick=False):
        again = reminders.plan_upcoming()
        for event in Event.objects.all():
            reminders.plan_event(event)
    assert all(planned.changed == 0 for planned in again.values())
    after = sorted(Delivery.objects.values_list("pk", "recipient_id", "kind", "due_at", "status"))
    assert after == before


# --- Moving, cancelling, the past ---------------------------------------------------------


def move_form(lead: Client, event: Event, day: str) -> None:
    url = reverse("event_edit", kwargs={"slug": event.slug})
    form = lead.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data.update(
        kind="workshop",
        title=event.title,
        status="fixed",
        all_day="on",
        day=day,
        version=str(event.sequence),
        description=event.description,
    )
    data.pop("audiences", None)
    response = lead.post(url, data)
    assert response.status_code == 302, response.context["form"].errors


def test_moving_the_20_10_workshop_by_a_day_moves_its_pending_reminders(
    planned, client_as, persona_user
):
    """The issue's check, as a lead moves it with the form: its reminders
    move by the same day, in the transaction of the move; the feed shows a
    higher SEQUENCE."""
    event = Event.objects.get(slug=WORKSHOP_20)
    before = {row.pk: (row.recipient_id, row.due_at) for row in rows(WORKSHOP_20)}
    assert {due.astimezone(PARIS) for _r, due in before.values()} == {
        at("2023-10-13 08:00"),
        at("2023-10-19 08:00"),
    }
    token = CalendarFeed.objects.get_or_create(user=persona_user("editor"))[0].token
    with time_machine.travel(NOW, tick=False):
        feed_before = IcsCalendarStream.calendar_from_ics(
            Client().get(reverse("calendar_feed", kwargs={"token": token})).content.decode()
        )
        move_form(client_as("lead"), event, "2023-10-21")
        feed_after = IcsCalendarStream.calendar_from_ics(
            Client().get(reverse("calendar_feed", kwargs={"token": token})).content.decode()
        )
    after = {row.pk: (row.recipient_id, row.due_at) for row in rows(WORKSHOP_20)}
    # The same rows, each one day later.
    assert set(after) == set(before)
    for pk, (recipient, due) in before.items():
        assert after[pk] == (recipient, due + timedelta(days=1))
    assert not rows(WORKSHOP_20, status=Status.CANCELLED).exists()

    def sequence(calendar):
        (found,) = [e for e in calendar.events if e.uid.startswith(str(event.uid))]
        return found.sequence, found.dtstart.isoformat()

    assert sequence(feed_before) == (0, "2023-10-20")
    assert sequence(feed_after) == (1, "2023-10-21")


def test_a_move_that_fails_moves_no_reminder(planned, client_as, persona_user):
    """Same transaction: a stale form is refused, and the reminders stay."""
    event = Event.objects.get(slug=WORKSHOP_20)
    before = sorted(rows(WORKSHOP_20).values_list("pk", "due_at"))
    with time_machine.travel(NOW, tick=False):
        services.add_agenda_item(event, label="Retours", by=persona_user("lead"))
        lead = client_as("lead")
        url = reverse("event_edit", kwargs={"slug": event.slug})
        data = {
            "kind": "workshop",
            "title": event.title,
            "status": "fixed",
            "all_day": "on",
            "day": "2023-10-21",
            "version": "0",  # the agenda changed since: refused
        }
        response = lead.post(url, data)
    assert response.status_code == 200
    assert sorted(rows(WORKSHOP_20).values_list("pk", "due_at")) == before


def test_moving_closer_drops_the_reminder_whose_time_has_passed(planned, persona_user):
    """Moved to 05/10 on 02/10: its J-7 (28/09) is past, its J-1 is 04/10."""
    with time_machine.travel(NOW, tick=False):
        services.move_event(
            Event.objects.get(slug=WORKSHOP_20),
            starts_at=at("2023-10-05 00:00"),
            all_day=True,
            by=persona_user("lead"),
        )
    assert due_times(WORKSHOP_20) == {at("2023-10-04 08:00")}
    pending = rows(WORKSHOP_20).count()
    cancelled = rows(WORKSHOP_20, status=Status.CANCELLED).count()
    assert pending == cancelled  # one of each per person: one moved, one cancelled


def test_cancelling_cancels_them_and_reinstating_plans_them_again(planned, client_as):
    lead_url = reverse("event_cancel", kwargs={"slug": WORKSHOP_20})
    planned_rows = set(rows(WORKSHOP_20).values_list("pk", flat=True))
    with time_machine.travel(NOW, tick=False):
        lead = client_as("lead")
        assert lead.post(lead_url, {"reason": "Reporté"}).status_code == 302
    assert not rows(WORKSHOP_20).exists()
    assert set(rows(WORKSHOP_20, status=Status.CANCELLED).values_list("pk", flat=True)) == (
        planned_rows
    )
    with time_machine.travel(at("2023-10-14 09:00"), tick=False):  # its J-7 is past
        lead = client_as("lead")
        lead.post(reverse("event_reinstate", kwargs={"slug": WORKSHOP_20}))
    assert due_times(WORKSHOP_20) == {at("2023-10-19 08:00")}
    assert set(rows(WORKSHOP_20).values_list("pk", flat=True)) <= planned_rows  # revived


def test_those_it_concerns_are_told_when_a_workshop_is_cancelled_moved_or_reinstated(
    client_as, persona_user
):
    """The 18/10 intrusion-test workshop (hôpital and radio, the deck): its
    audiences' editors, the federations and the registered organisation's
    people hear that it is cancelled, then reinstated, then moved — the LGC
    editor only once their organisation registered; the lead who acts does
    not."""
    from notifications.models import Notification

    event = Event.objects.get(slug=INTRUSION)
    editor = persona_user("editor")

    def told(change: str) -> set[str]:
        return {
            n.recipient.email
            for n in Notification.objects.filter(
                kind="event_changed", subject_id=event.pk, data__change=change
            ).select_related("recipient")
        }

    with time_machine.travel(NOW, tick=False):
        services.register(event, organisation=editor.organisation, by=editor)
        lead = client_as("lead")
        assert (
            lead.post(
                reverse("event_cancel", kwargs={"slug": INTRUSION}), {"reason": "Reporté"}
            ).status_code
            == 302
        )
        assert told("cancelled") == PARTICIPANTS
        notification = Notification.objects.get(
            recipient=editor, kind="event_changed", data__change="cancelled"
        )
        # Which of the workshops: its date (issue 21).
        assert notification.title == f"Événement annulé : {event.title} (18 octobre 2023)"
        assert lead.post(reverse("event_reinstate", kwargs={"slug": INTRUSION})).status_code == 302
        assert told("reinstated") == PARTICIPANTS
        moved = services.move_event(
            Event.objects.get(slug=INTRUSION),
            starts_at=at("2023-10-19 09:30"),
            ends_at=at("2023-10-19 12:00"),
            all_day=False,
            by=persona_user("lead"),
        )
    assert told("moved") == PARTICIPANTS
    assert not Notification.objects.filter(recipient=persona_user("lead"), kind="event_changed")
    # Nobody is told twice of one change, and e-mails go through the outbox.
    assert Notification.objects.filter(kind="event_changed", recipient=editor).count() == 3
    assert moved.sequence > event.sequence


def _immediately(*people) -> None:
    for person in people:
        EmailPreference.objects.update_or_create(
            user=person, defaults={"frequency": EmailPreference.Frequency.IMMEDIATE}
        )


def _sent_to(address: str, title_part: str) -> email.message.EmailMessage:
    """The e-mail sent to ``address`` whose subject holds ``title_part``, as a
    mail client parses it (Python's strict email parser)."""
    (message,) = [m for m in mail.outbox if m.to == [address] and title_part in m.subject]
    raw = message.message().as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def _feed_vevent(slug: str, token: str):
    """The event as the personal feed gives it now, read by the strict parser."""
    feed = Client().get(reverse("calendar_feed", kwargs={"token": token})).content
    uid = str(Event.objects.get(slug=slug).uid)
    (vevent,) = [
        e for e in IcsCalendarStream.calendar_from_ics(feed.decode()).events if uid in e.uid
    ]
    return vevent


def test_the_e_mail_of_a_moved_workshop_says_which_both_dates_and_carries_its_ics(
    persona_user,
):
    """Issue 21: "Nouvelle date pour Atelier architecture" said neither the old
    nor the new date, nor which of the deck's three "Atelier architecture"
    (22/09, 13/10, 20/10, all on API PSConnectées). The 20/10 one moves to the
    19/10: the e-mail names both dates and its topic, and carries the updated
    .ics, whose SEQUENCE is the feed's."""
    editor = persona_user("editor")
    _immediately(editor)
    token = CalendarFeed.objects.create(user=editor).token
    with time_machine.travel(NOW, tick=False):
        services.move_event(
            Event.objects.get(slug=WORKSHOP_20),
            starts_at=at("2023-10-19 00:00"),
            all_day=True,
            by=persona_user("lead"),
        )
    mail.outbox.clear()
    send_due(NOW + timedelta(hours=1))
    parsed = _sent_to("editor@demo.example", "Atelier architecture")
    assert parsed["Subject"].strip() == (
        "[Concertation Ségur] Nouvelle date pour Atelier architecture "
        "(20 octobre 2023 → 19 octobre 2023)"
    )
    assert parsed.is_multipart()
    assert parsed.get_content_type() == "multipart/mixed"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    assert "Ancienne date : vendredi 20 octobre 2023, toute la journée" in text
    assert "Nouvelle date : jeudi 19 octobre 2023, toute la journée" in text
    assert "Public : tous les publics" in text
    assert "Ordre du jour : (SSI/IE) API PSConnectées" in text
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "vendredi 20 octobre 2023" in html
    assert "jeudi 19 octobre 2023" in html
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"{WORKSHOP_20}.ics"
    ics = attachment.get_content()
    ics = ics if isinstance(ics, str) else ics.decode()
    calendar = IcsCalendarStream.calendar_from_ics(ics)
    (vevent,) = calendar.events
    assert "METHOD:PUBLISH" in ics
    assert vevent.summary == "Atelier architecture"
    assert str(vevent.dtstart) == "2023-10-19"
    feed = _feed_vevent(WORKSHOP_20, token)
    assert vevent.uid == feed.uid
    assert vevent.sequence == feed.sequence
    assert vevent.sequence == Event.objects.get(slug=WORKSHOP_20).sequence > 0


def test_the_e_mail_of_a_cancelled_session_says_when_and_why_in_the_readers_language(
    persona_user,
):
    editor2 = persona_user("editor2")
    editor2.language = "en"
    editor2.save()
    _immediately(editor2, persona_user("editor"))
    token = CalendarFeed.objects.create(user=editor2).token
    with time_machine.travel(NOW, tick=False):
        services.cancel_event(
            Event.objects.get(slug=SESSION), by=persona_user("lead"), reason="Reporté"
        )
    mail.outbox.clear()
    send_due(NOW + timedelta(hours=1))
    french = _sent_to("editor@demo.example", "2ème temps de partage")
    assert french["Subject"].strip() == (
        "[Concertation Ségur] Événement annulé : 2ème temps de partage éditeur "
        "(12 octobre 2023 à 14:00)"
    )
    text = french.get_body(preferencelist=("plain",)).get_content()
    assert "Date : jeudi 12 octobre 2023 de 14:00 à 16:00 (heure de Paris)" in text
    assert "Motif : Reporté" in text
    english = _sent_to("editor2@demo.example", "2ème temps de partage")
    body = english.get_body(preferencelist=("plain",)).get_content()
    assert "Thursday 12 October 2023 from 14:00 to 16:00 (Paris time)" in body
    (attachment,) = list(english.iter_attachments())
    ics = attachment.get_content()
    ics = ics if isinstance(ics, str) else ics.decode()
    (vevent,) = IcsCalendarStream.calendar_from_ics(ics).events
    assert vevent.status.value == "CANCELLED"
    assert vevent.sequence == _feed_vevent(SESSION, token).sequence


def test_nobody_is_told_of_a_change_to_an_event_already_over(persona_user):
    from notifications.models import Notification

    with time_machine.travel(at("2023-11-02 09:00"), tick=False):
        services.cancel_event(Event.objects.get(slug=INTRUSION), by=persona_user("lead"))
    assert not Notification.objects.filter(kind="event_changed").exists()


def test_an_event_in_the_past_never_produces_a_reminder(persona_user):
    after_all = at("2023-12-01 09:00")
    with time_machine.travel(after_all, tick=False):
        reminders.plan_upcoming()
        for event in Event.objects.all():
            reminders.plan_event(event)
        editor = persona_user("editor")
        session = Event.objects.get(slug=SESSION)
        outbox.follow(editor, session)
        reminders.plan_event(session)
    assert not Delivery.objects.exists()


def test_moving_an_event_into_the_past_cancels_its_reminders(planned, persona_user):
    with time_machine.travel(NOW, tick=False):
        services.move_event(
            Event.objects.get(slug=WORKSHOP_20),
            starts_at=at("2023-09-29 00:00"),
            all_day=True,
            by=persona_user("lead"),
        )
    assert not rows(WORKSHOP_20).exists()
    assert rows(WORKSHOP_20, status=Status.CANCELLED).exists()


# --- The e-mail -------------------------------------------------------------------------------


def test_the_j_1_email_carries_the_event_its_agenda_and_its_ics(planned, persona_user):
    editor2 = persona_user("editor2")
    editor2.language = "en"
    editor2.save()
    send_due(at("2023-10-05 08:00:30"))  # the J-7s
    mail.outbox.clear()
    send_due(at("2023-10-11 08:00:30"))
    by_recipient = {m.to[0]: m for m in mail.outbox if "2ème temps de partage" in m.subject}
    assert set(by_recipient) >= PARTICIPANTS
    message = by_recipient["editor@demo.example"]
    assert message.subject == (
        "[Concertation Ségur] Rappel : 2ème temps de partage éditeur, demain — "
        "jeudi 12 octobre 2023 de 14:00 à 16:00 (heure de Paris)"
    )  # the deck gives the start alone: models.DEFAULT_DURATION, 2 hours
    # The agenda, as the deck gives it (topics 1, 2, 3 and 10).
    topics = [Topic.objects.get(number=n).label for n in (1, 2, 3, 10)]
    body = message.body
    assert [body.index(label) for label in topics] == sorted(body.index(t) for t in topics)
    assert "/calendrier/temps-de-partage-2023-10-12/" in body
    html = message.alternatives[0][0]
    assert all(label in html or label.replace("'", "&#x27;") in html for label in topics)
    # The unsubscribe headers of every outbox e-mail.
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["Message-ID"].startswith("<outbox.")
    # The .ics, read by a strict parser: the event, with its UID and revision.
    ((filename, content, mimetype),) = message.attachments
    assert filename == "temps-de-partage-2023-10-12.ics"
    assert mimetype == "text/calendar"
    session = Event.objects.get(slug=SESSION)
    text = content if isinstance(content, str) else content.decode()
    (vevent,) = IcsCalendarStream.calendar_from_ics(text).events
    assert vevent.uid.startswith(str(session.uid))
    assert vevent.dtstart == at("2023-10-12 14:00")
    assert vevent.dtend == at("2023-10-12 16:00")
    assert vevent.summary == "2ème temps de partage éditeur"
    # In the recipient's language.
    english = by_recipient["editor2@demo.example"]
    assert english.subject == (
        "[Concertation Ségur] Reminder: 2ème temps de partage éditeur, tomorrow — "
        "Thursday 12 October 2023 from 14:00 to 16:00 (Paris time)"
    )
    assert "Agenda" in english.body
    # Sent once: a second sweep finds nothing.
    mail.outbox.clear()
    assert send_due(at("2023-10-11 08:02")) == []
    assert mail.outbox == []


def test_the_email_survives_the_wire(planned):
    """As a mail client reads it: multipart, text and HTML, the .ics attached."""
    send_due(at("2023-10-11 08:00:30"))
    message = next(
        m
        for m in mail.outbox
        if m.to == ["federation@demo.example"] and "2ème temps de partage" in m.subject
    )
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed.get_body(("plain",)).get_content().startswith("Bonjour Fanny,")
    assert "<ol>" in parsed.get_body(("html",)).get_content()
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "temps-de-partage-2023-10-12.ics"
    assert "BEGIN:VCALENDAR" in attachment.get_content()


def test_a_reminder_taken_before_its_event_was_cancelled_says_nothing(planned, persona_user):
    """The sweep claimed the J-1 rows; the event is cancelled before the tasks
    run: they send nothing."""
    with time_machine.travel(at("2023-10-11 08:00:30"), tick=False):
        lease, ids = outbox.claim_due()
        services.cancel_event(Event.objects.get(slug=SESSION), by=persona_user("lead"))
        for pk in ids:
            outbox.deliver(pk, lease)
    assert not [m for m in mail.outbox if "2ème temps de partage" in m.subject]
    skipped = rows(SESSION, status=Status.SKIPPED).filter(due_at=at("2023-10-11 08:00"))
    assert skipped.count() == len(PARTICIPANTS)


def test_a_late_sweep_does_not_remind_of_an_event_that_has_begun(planned):
    """The worker was down: the J-1 rows are found after the session began."""
    send_due(at("2023-10-12 15:00"))
    assert not [m for m in mail.outbox if "2ème temps de partage" in m.subject]
    assert rows(SESSION, status=Status.SKIPPED).exists()


def test_event_texts_are_escaped_in_the_email(planned, persona_user):
    event = Event.objects.get(slug=SESSION)
    event.title = XSS_PAYLOADS[0]
    event.description = "\n\n".join(XSS_PAYLOADS)
    event.place = XSS_PAYLOADS[1]
    event.save()
    services.add_agenda_item(event, label=XSS_PAYLOADS[2], by=persona_user("lead"))
    send_due(at("2023-10-11 08:00:30"))
    assert mail.outbox
    for message in mail.outbox:
        assert_no_xss(message.alternatives[0][0], "the reminder's HTML")


# --- Unanswered questions, for the leads ---------------------------------------------------


def test_leads_are_reminded_of_questions_unanswered_at_the_end_of_the_session(persona_user):
    session = Event.objects.get(slug=SESSION)
    with time_machine.travel(NOW, tick=False):
        first = services.ask_question(session, by=persona_user("editor"), text=XSS_PAYLOADS[0])
        services.ask_question(session, by=persona_user("editor2"), text="Quel calendrier ?")
    # One reminder per lead, at the end of the session (it has no end time:
    # the end of its day).
    planned = schedule(SESSION, Kind.QUESTIONS_REMINDER)
    assert "lead@demo.example" in planned
    assert "lead2@demo.example" in planned
    assert not set(planned) & PARTICIPANTS
    assert due_times(SESSION, Kind.QUESTIONS_REMINDER) == {at("2023-10-13 00:00")}
    with time_machine.travel(NOW, tick=False):
        services.answer_question(first, by=persona_user("lead"), answer="Voir le relevé.")
    send_due(at("2023-10-13 00:00:30"))
    message = next(m for m in mail.outbox if m.to == ["lead@demo.example"])
    assert message.subject == (
        "[Concertation Ségur] 1 question sans réponse : 2ème temps de partage éditeur"
    )
    assert "Quel calendrier ?" in message.body
    assert XSS_PAYLOADS[0] not in message.body  # answered: not listed
    assert f"/calendrier/questions/{first.pk + 1}/reponse/" in message.body
    assert_no_xss(message.alternatives[0][0])


def test_no_question_reminder_when_all_are_answered(persona_user):
    session = Event.objects.get(slug=SESSION)
    with time_machine.travel(NOW, tick=False):
        question = services.ask_question(session, by=persona_user("editor"), text="Une date ?")
        assert rows(SESSION, Kind.QUESTIONS_REMINDER).exists()
        services.answer_question(question, by=persona_user("lead"), answer="Le 12/10.")
    assert not rows(SESSION, Kind.QUESTIONS_REMINDER).exists()
    send_due(at("2023-10-13 00:00:30"))
    assert mail.outbox == []


def test_leads_of_the_audience_s_task_forces(persona_user):
    """The 18/10 workshop is for hôpital and radio: lead2 (Hôpital), not lead
    (Médecine de ville)."""
    workshop = Event.objects.get(slug=INTRUSION)
    workshop.agenda_items.all().delete()
    with time_machine.travel(NOW, tick=False):
        services.ask_question(workshop, by=persona_user("editor2"), text="Quel périmètre ?")
    planned = schedule(INTRUSION, Kind.QUESTIONS_REMINDER)
    assert "lead2@demo.example" in planned
    assert "lead@demo.example" not in planned


# --- Unsubscribing, new participants, the beat task, costs ---------------------------------


def test_the_reminder_s_one_click_unsubscribe_stops_the_next_ones(planned, persona_user):
    send_due(at("2023-10-05 08:00:30"))  # the J-7s
    message = next(m for m in mail.outbox if m.to == ["outsider@demo.example"])
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        link.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    mail.outbox.clear()
    send_due(at("2023-10-11 08:00:30"))
    assert mail.outbox
    assert not [m for m in mail.outbox if m.to == ["outsider@demo.example"]]
    # And planning no longer keeps any for them.
    with time_machine.travel(at("2023-10-11 09:00"), tick=False):
        reminders.plan_upcoming()
    assert not Delivery.objects.filter(
        recipient=persona_user("outsider"), status=Status.PENDING
    ).exists()


def test_a_new_participant_gets_their_reminders_from_the_beat_task(planned, persona_user):
    from calendar_app.tasks import plan_reminders

    colleague = User.objects.create_user(
        "colleague@example.org",
        given_name="Camille",
        family_name="Collègue",
        role=User.Role.EDITOR,
        organisation=persona_user("editor2").organisation,
    )
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert plan_reminders() > 0
        assert plan_reminders() == 0  # idempotent
    # DPI sells to hospitals: the sessions, and the hôpital and radio workshop.
    assert schedule(SESSION)["colleague@example.org"] == [
        at("2023-10-05 08:00"),
        at("2023-10-11 08:00"),
    ]
    assert "colleague@example.org" in schedule(INTRUSION)
    assert (
        Delivery.objects.filter(recipient=colleague).count()
        == Delivery.objects.filter(recipient=persona_user("editor2")).count()
    )


def test_beat_plans_reminders_every_ten_minutes(settings):
    from segur_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["calendar-reminders"]
    assert entry["task"] == "calendar_app.tasks.plan_reminders"
    assert entry["schedule"] == 600
    app.loader.import_default_modules()
    assert "calendar_app.tasks.plan_reminders" in app.tasks


def test_planning_costs_one_query_per_organisation_not_per_person():
    """The feed's rule is asked once per (role, organisation): more people in
    the same organisations do not cost more reads (the rows written are
    inserted in batches, as many as the database takes at once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def people(n: int) -> None:
        organisation = User.objects.get(email="editor@demo.example").organisation
        User.objects.bulk_create(
            User(
                email=f"lgc{n}-{i}@example.org",
                given_name="Membre",
                family_name=str(i),
                organisation=organisation,
            )
            for i in range(20)
        )

    counts = []
    for n in range(2):
        people(n)
        Delivery.objects.all().delete()
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            reminders.plan_upcoming()
        counts.append(len([q for q in queries if not q["sql"].startswith("INSERT")]))
    assert counts[0] == counts[1]
    assert Delivery.objects.filter(recipient__email__startswith="lgc1-").exists()


def test_the_admin_outbox_shows_reminders_and_cancelled_rows(planned, client_as, persona_user):
    with time_machine.travel(NOW, tick=False):
        services.cancel_event(Event.objects.get(slug=WORKSHOP_20), by=persona_user("lead"))
    admin = client_as("admin")
    html = admin.get(reverse("admin:notifications_delivery_changelist")).content.decode()
    assert "Rappel d&#x27;événement" in html or "Rappel d'événement" in html
    cancelled = rows(WORKSHOP_20, status=Status.CANCELLED).count()
    assert f"Annulé&nbsp;: <strong>{cancelled}</strong>" in html


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Les rappels (avant les événements qui vous concernent"),
        ("en", "Reminders (before the events that concern you"),
    ],
)
def test_the_email_preferences_page_says_what_reminders_do(client_as, language, text):
    client = client_as("editor")
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert text in client.get(reverse("email_preferences")).content.decode()
