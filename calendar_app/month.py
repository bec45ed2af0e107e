"""The month view: weeks in rows (labelled as the deck labels them), days in
columns, each event on every day it covers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from core.forms import FIRST_YEAR, LAST_YEAR, in_portal_years

from .models import PARIS, Event
from .weeks import Week, week_of


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)


@dataclass
class Month:
    first: date
    weeks: list[tuple[Week, list[Day]]]
    previous: date
    next: date

    @property
    def is_empty(self) -> bool:
        return not any(day.events for _, days in self.weeks for day in days if day.in_month)


def parse_month(value: str | None, today: date) -> tuple[date, str]:
    """``2023-10`` → (1 October 2023, ""); nothing → the current month.
    Anything else (not a month, outside the calendar's years) → the current
    month and why, for the page to say it."""
    if not value:
        return today.replace(day=1), ""
    try:
        year, month = (int(part) for part in value.split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = None
    if first is None or not in_portal_years(first):
        return today.replace(day=1), _(
            "Le mois demandé n’est pas dans le calendrier (AAAA-MM, entre %(first)s et "
            "%(last)s) : voici le mois en cours."
        ) % {"first": FIRST_YEAR, "last": LAST_YEAR}
    return first, ""


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def month_range(first: date) -> tuple[datetime, datetime]:
    """The instants that bound the weeks shown for a month (Monday to Sunday)."""
    start = week_of(first).monday
    end = week_of(next_month(first) - timedelta(days=1)).monday + timedelta(days=7)
    return (
        datetime.combine(start, time(0), tzinfo=PARIS),
        datetime.combine(end, time(0), tzinfo=PARIS),
    )


def build_month(events: list[Event], first: date, today: date) -> Month:
    start = week_of(first).monday
    last = next_month(first) - timedelta(days=1)
    days: dict[date, Day] = {}
    weeks = []
    week = Week(start)
    while week.monday <= last:
        row = []
        for offset in range(7):
            day = week.monday + timedelta(days=offset)
            days[day] = Day(day, day.month == first.month, day == today)
            row.append(days[day])
        weeks.append((week, row))
        week = Week(week.monday + timedelta(days=7))
    for event in events:
        if not event.starts_at:
            continue
        day, end = event.day, event.last_day or event.day
        while day <= end:
            if day in days:
                days[day].events.append(event)
            day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return Month(first=first, weeks=weeks, previous=previous, next=next_month(first))
