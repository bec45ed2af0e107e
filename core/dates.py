"""When something happens, in words, in the active language: one home for
the calendar's reminders and the notifications of a moved or cancelled event
(which cannot import the calendar: DESIGN.md)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

PARIS = ZoneInfo("Europe/Paris")


def day(value: date) -> str:
    return date_format(value, "l j F Y")


def hour(value: datetime) -> str:
    return time_format(timezone.localtime(value, PARIS), "H:i")


def span(start: datetime, *, end: datetime | None, all_day: bool, last_day: date | None) -> str:
    """An event's date and hours, Paris time: "jeudi 12 octobre 2023 de 14:00
    à 16:00 (heure de Paris)", "vendredi 20 octobre 2023, toute la journée".
    ``end`` is the end of an event with hours, ``last_day`` the last day of an
    all-day one."""
    first = timezone.localtime(start, PARIS).date()
    if all_day or end is None:
        if last_day and last_day != first:
            return _("du %(first)s au %(last)s") % {"first": day(first), "last": day(last_day)}
        if all_day:
            return _("%(day)s, toute la journée") % {"day": day(first)}
        text = _("%(day)s à %(start)s") % {"day": day(first), "start": hour(start)}
        return _("%(when)s (heure de Paris)") % {"when": text}
    last = timezone.localtime(end, PARIS).date()
    if last == first:
        text = _("%(day)s de %(start)s à %(end)s") % {
            "day": day(first),
            "start": hour(start),
            "end": hour(end),
        }
    else:
        text = _("du %(first)s à %(start)s au %(last)s à %(end)s") % {
            "first": day(first),
            "start": hour(start),
            "last": day(last),
            "end": hour(end),
        }
    return _("%(when)s (heure de Paris)") % {"when": text}
