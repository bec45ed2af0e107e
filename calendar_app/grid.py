"""The deck's week grid: topics in rows, weeks in columns, sharing sessions
as markers above, workshops in the cells."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from django.utils.functional import Promise

from topics.models import Topic

from .models import Event
from .weeks import Week, week_of, weeks_between

# Administrative subjects and the editor journey form one row each, as in the deck.
GROUPED_KINDS = (Topic.Kind.ADMINISTRATIVE, Topic.Kind.EDITOR_JOURNEY)


@dataclass
class GridRow:
    label: str | Promise
    topic: Topic | None
    by_week: dict[Week, list[Event]] = field(default_factory=lambda: defaultdict(list))
    order: tuple = ()
    cells: list[list[Event]] = field(default_factory=list)  # aligned with Grid.weeks


@dataclass
class Grid:
    weeks: list[Week]
    months: list[tuple[date, int]]  # (first day of month, number of weeks)
    sessions: list[list[Event]]  # aligned with weeks
    rows: list[GridRow]
    current_week: Week

    @property
    def today_index(self) -> int:
        """The column of the current week, -1 when it is outside the grid."""
        return self.weeks.index(self.current_week) if self.current_week in self.weeks else -1


def build_grid(events: list[Event], today: date, weeks: list[Week] | None = None) -> Grid | None:
    """``events`` with their agenda items (and topics) prefetched, over
    ``weeks`` (by default from the first event's week to the last's)."""
    placed = [(event, week_of(event.day)) for event in events if event.day]
    if weeks is not None:
        shown = set(weeks)
        placed = [(event, week) for event, week in placed if week in shown]
    if not placed:
        return None
    if weeks is None:
        weeks = weeks_between(min(w.monday for _, w in placed), max(w.monday for _, w in placed))
    months = [(month, len(list(group))) for month, group in groupby(weeks, key=lambda w: w.month)]
    sessions: dict[Week, list[Event]] = defaultdict(list)
    rows: dict[tuple, GridRow] = {}
    for event, week in placed:
        if event.kind == Event.Kind.SHARING_SESSION:
            sessions[week].append(event)
            continue
        keys = []
        if event.kind == Event.Kind.STEERING_COMMITTEE:
            keys.append((("kind", event.kind), event.get_kind_display(), None, (2, 0)))
        elif event.kind == Event.Kind.MILESTONE:
            keys.append((("event", event.pk), event.title, None, (3, event.pk)))
        for item in event.agenda_items.all():
            topic = item.topic
            if topic is None:
                continue
            if topic.kind in GROUPED_KINDS:
                label = Topic.Kind(topic.kind).label
                keys.append((("kind", topic.kind), label, None, (1, topic.order)))
            else:
                keys.append((("topic", topic.pk), topic.label, topic, (0, topic.order)))
        for key, label, topic, order in keys:
            row = rows.setdefault(key, GridRow(label, topic, order=order))
            row.order = min(row.order, order)
            if event not in row.by_week[week]:
                row.by_week[week].append(event)
    for row in rows.values():
        row.cells = [row.by_week.get(week, []) for week in weeks]
    return Grid(
        weeks=weeks,
        months=months,
        sessions=[sessions.get(week, []) for week in weeks],
        rows=sorted(rows.values(), key=lambda row: row.order),
        current_week=week_of(today),
    )
