"""What the calendar adds to a topic's page (core/sections.py): the events
that have it on their agenda."""

from __future__ import annotations

from django.http import HttpRequest

from core import caching, sections
from core.sections import Section
from topics.models import Topic

from .caching import NAMESPACE
from .models import Event

TOPIC_EVENTS = "calendar_app/sections/topic_events.html"


def topic_events(request: HttpRequest, topic: Topic) -> dict:
    """The same for everyone: rendered once until the calendar changes."""

    events = (
        Event.objects.filter(agenda_items__topic=topic)
        .distinct()
        .order_by("starts_at", "target_week")
    )
    html = caching.cached_partial(
        request, NAMESPACE, TOPIC_EVENTS, lambda: {"events": events}, parts=(topic.pk,)
    )
    return {"events_html": html}


def register() -> None:
    sections.register(
        Section("topics.topic", "main", "events", TOPIC_EVENTS, order=30, context=topic_events)
    )
