"""The calendar's cached pages: the list of events and the personal
iCalendar feeds, under the "events" namespace of core.caching. Any change to
an event, its agenda, audiences or registrations, or to the SONS editors sell
(whose calendar an event is in) makes them stale (signals below); a person's
feed is keyed by what the feed depends on about them (role, organisation,
language)."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import caching

NAMESPACE = "events"


def invalidate_event_pages() -> None:
    caching.invalidate(NAMESPACE)


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    invalidate_event_pages()


def connect() -> None:
    from topics.models import Sons, Topic

    from .models import AgendaItem, Audience, Event, Registration

    for model in (Event, AgendaItem, Audience, Registration, Topic):
        post_save.connect(_changed, sender=model, dispatch_uid=f"events-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"events-del-{model.__name__}")
    for through in (
        Event.audiences.through,
        Audience.sons.through,
        Sons.editors.through,
    ):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"events-{through.__name__}")
