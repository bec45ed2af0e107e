"""What the calendar's reminder e-mails say: the writers that
``notifications.emails`` calls at send time, in the recipient's language
(registered in apps.py). Each writer first checks that its reminder still
makes sense — the event not cancelled nor begun, the row not left behind by a
move, questions still unanswered, the window still open — and returns None
otherwise: the outbox then marks the row "nothing to send"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import dates
from notifications.models import Delivery
from notifications.reminders import Reminder

from . import reminders
from .ical import build_calendar, event_url
from .models import PARIS, AgendaItem, Event, Registration


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


_day = dates.day
_hour = dates.hour


def when(event: Event) -> str:
    """The event's date and hours, Paris time, in the active language (an
    event with hours and no end lasts models.DEFAULT_DURATION)."""
    return dates.span(
        event.starts_at, end=event.end, all_day=event.all_day, last_day=event.last_day
    )


def in_days(days: int) -> str:
    if days <= 0:
        return _("aujourd’hui")
    if days == 1:
        return _("demain")
    return ngettext("dans %(count)s jour", "dans %(count)s jours", days) % {"count": days}


def _topic_url(topic) -> str:
    return _absolute(reverse("topic_detail", args=[topic.number or topic.slug]))


def _event(delivery: Delivery) -> Event | None:
    return (
        Event.objects.prefetch_related(
            Prefetch("agenda_items", AgendaItem.objects.select_related("topic"))
        )
        .filter(pk=delivery.subject_id)
        .first()
    )


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    return (
        render_to_string(f"calendar_app/email/{name}.txt", context),
        render_to_string(f"calendar_app/email/{name}.html", context),
    )


def event_reminder(delivery: Delivery, context: dict[str, Any]) -> Reminder | None:
    """J-7, J-1…: the event, its agenda, how to join, and its .ics."""
    event = _event(delivery)
    if event is None or delivery.due_at not in reminders.event_times(event):
        return None  # deleted, cancelled, moved since (its new reminders are other rows)
    if event.starts_at <= timezone.now():
        return None  # an event that has begun is reminded of no more
    recipient = delivery.recipient
    due_day = timezone.localtime(delivery.due_at, PARIS).date()
    soon = in_days((event.day - due_day).days)
    url = event_url(event)
    registered = (
        recipient.organisation_id is not None
        and Registration.objects.filter(
            event=event, organisation=recipient.organisation_id
        ).exists()
    )
    agenda = [
        {
            "label": item.topic.label if item.topic else item.label,
            "url": _topic_url(item.topic) if item.topic else "",
        }
        for item in event.agenda_items.all()
    ]
    text, html = _render(
        "event_reminder",
        {
            **context,
            "event": event,
            "event_url": url,
            "when": when(event),
            "soon": soon,
            "agenda": agenda,
            "registered": registered,
            "organisation": recipient.organisation if registered else None,
            "questions_url": f"{url}#questions" if event.questions_open() else "",
            "feeds_url": _absolute(reverse("calendar_feeds")),
        },
    )
    subject = _("Rappel : %(event)s, %(soon)s — %(when)s") % {
        "event": event.title,
        "soon": soon,
        "when": when(event),
    }
    ics = build_calendar([event], name=event.title)
    return Reminder(subject, text, html, [(f"{event.slug}.ics", ics, "text/calendar")])


def questions_reminder(delivery: Delivery, context: dict[str, Any]) -> Reminder | None:
    """To leads, at the end of a session: the questions still unanswered."""
    event = _event(delivery)
    if event is None or event.is_cancelled or event.ends_by != delivery.due_at:
        return None
    questions = list(
        event.questions.unanswered().by_votes().select_related("organisation", "author")
    )
    if not questions:
        return None
    items = [
        {
            "question": question,
            "answer_url": _absolute(reverse("question_answer", args=[question.pk])),
        }
        for question in questions
    ]
    url = event_url(event)
    text, html = _render(
        "questions_reminder",
        {**context, "event": event, "event_url": url, "items": items, "count": len(items)},
    )
    subject = ngettext(
        "%(count)s question sans réponse : %(event)s",
        "%(count)s questions sans réponse : %(event)s",
        len(items),
    ) % {"count": len(items), "event": event.title}
    return Reminder(subject, text, html)


def changed_events_ics(notifications) -> list[tuple[str, bytes, str]]:
    """The .ics of each event the notifications say moved, was cancelled or
    reinstated, as the feeds give it now (same UID, SEQUENCE and STATUS:
    a calendar application updates its copy). An event now to schedule has
    no date, hence no .ics."""
    ids = {notification.subject_id for notification in notifications}
    events = (
        Event.objects.in_feeds()
        .filter(pk__in=ids)
        .prefetch_related(Prefetch("agenda_items", AgendaItem.objects.select_related("topic")))
    )
    return [
        (f"{event.slug}.ics", build_calendar([event], name=event.title), "text/calendar")
        for event in events.order_by("starts_at", "pk")
    ]
