"""The calendar as iCalendar (RFC 5545), written with the ``icalendar`` library.

- UID: the event's own UUID, stable whatever its title, date or address;
- SEQUENCE: the event's revision, incremented on every change (services.py);
- STATUS: CANCELLED for a cancelled event (kept in the feed so that
  subscribed calendars remove it), TENTATIVE for a date to confirm,
  CONFIRMED otherwise; events to schedule have no date and stay out;
- DTSTART/DTEND in Europe/Paris with its VTIMEZONE (an event with hours and
  no end lasts models.DEFAULT_DURATION), or DATE values for all-day events
  (DTEND is the day after the last one, RFC 5545 §3.6.1);
- DTSTAMP (the feed's generation, METHOD:PUBLISH), CREATED, LAST-MODIFIED;
- URL: the event's page on the portal (settings.SITE_URL).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PARIS, Event

PRODID = "-//ANS DNS//Concertation Segur numerique vague 2//FR"


def paris_vtimezone() -> icalendar.Timezone:
    """Europe/Paris as the EU has defined summer time since 1996 (Directive
    2000/84/EC): from the last Sunday of March, 01:00 UTC, to the last Sunday
    of October, 01:00 UTC. Written as yearly rules, valid for every year the
    portal will see (icalendar's own from_tzid() stops in 2038)."""
    tz = icalendar.Timezone()
    tz.add("tzid", "Europe/Paris")
    tz.add("x-lic-location", "Europe/Paris")
    summer = icalendar.TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = icalendar.TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("event_detail", kwargs={"slug": event.slug})


def _uid(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "concertation-segur"
    return f"{event.uid}@{host}"


def _status(event: Event) -> str:
    if event.is_cancelled:
        return "CANCELLED"
    if event.status == Event.Status.TO_CONFIRM:
        return "TENTATIVE"
    return "CONFIRMED"


def _description(event: Event, url: str) -> str:
    lines = []
    if event.is_cancelled:
        lines.append(f"{_('Événement annulé.')} {event.cancellation_reason}".strip())
    if event.status == Event.Status.TO_CONFIRM:
        lines.append(_("Date à confirmer."))
    if event.description:
        lines.append(event.description)
    items = [item.topic.label if item.topic else item.label for item in event.agenda_items.all()]
    if items:
        lines.append(_("Ordre du jour :"))
        lines += [f"{n}. {item}" for n, item in enumerate(items, 1)]
    if event.visio_url:
        lines.append(_("Visioconférence : %s") % event.visio_url)
    lines.append(url)
    return "\n".join(lines)


def vevent(event: Event, stamp: datetime) -> icalendar.Event:
    url = event_url(event)
    component = icalendar.Event()
    component.add("uid", _uid(event))
    component.add("dtstamp", stamp)
    component.add("sequence", event.sequence)
    component.add("summary", event.title)
    component.add("status", _status(event))
    start = timezone.localtime(event.starts_at, PARIS)
    if event.all_day:
        component.add("dtstart", start.date())
        component.add("dtend", event.last_day + timedelta(days=1))
        component.add("transp", "TRANSPARENT")
    else:
        component.add("dtstart", start)
        # models.DEFAULT_DURATION when no end is set: never a zero-minute event.
        component.add("dtend", timezone.localtime(event.end, PARIS))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("url", url, parameters={"VALUE": "URI"})
    component.add("categories", [str(event.get_kind_display())])
    location = event.place or event.visio_url
    if location:
        component.add("location", location)
    component.add("description", _description(event, url))
    return component


def build_calendar(events: Iterable[Event], *, name: str) -> bytes:
    """An iCalendar object of ``events`` (those of ``Event.objects.in_feeds()``,
    their agenda prefetched), as bytes with CRLF line endings."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(paris_vtimezone())
    stamp = timezone.now().astimezone(UTC)
    for event in events:
        calendar.add_component(vevent(event, stamp))
    return calendar.to_ical()
