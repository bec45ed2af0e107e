"""Weeks as the deck labels them: grouped under the month that holds their
Thursday and numbered within it ("OCTOBRE S1 02/10 au 06/10")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.forms import FIRST_YEAR, LAST_YEAR, in_portal_years


@dataclass(frozen=True, order=True)
class Week:
    monday: date

    @property
    def friday(self) -> date:
        return self.monday + timedelta(days=4)

    @property
    def thursday(self) -> date:
        return self.monday + timedelta(days=3)

    @property
    def month(self) -> date:
        """The first day of the month the week belongs to."""
        return self.thursday.replace(day=1)

    @property
    def number(self) -> int:
        return (self.thursday.day - 1) // 7 + 1

    @property
    def label(self) -> str:
        return f"S{self.number} {self.monday:%d/%m} au {self.friday:%d/%m}"

    def contains(self, day: date) -> bool:
        return self.monday <= day < self.monday + timedelta(days=7)


def week_of(day: date) -> Week:
    return Week(day - timedelta(days=day.weekday()))


def weeks_between(first: date, last: date) -> list[Week]:
    week, end = week_of(first), week_of(last)
    weeks = []
    while week <= end:
        weeks.append(week)
        week = Week(week.monday + timedelta(days=7))
    return weeks


def parse_week(value: str | None) -> tuple[date | None, str]:
    """``?semaine=2023-10-04`` (any day of the week) → that day; nothing →
    None. Anything else (no such day, outside the calendar's years) → None
    and why, for the page to say it."""
    if not value:
        return None, ""
    try:
        day = parse_date(value)
    except ValueError:  # well formed, not a date (2023-02-30)
        day = None
    if day is None or not in_portal_years(day):
        return None, _(
            "La semaine demandée n’est pas dans le calendrier (une date AAAA-MM-JJ entre "
            "%(first)s et %(last)s) : voici les semaines autour d’aujourd’hui."
        ) % {"first": FIRST_YEAR, "last": LAST_YEAR}
    return day, ""
