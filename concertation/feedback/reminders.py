"""Reminders before a topic's feedback window closes, as rows of the
notifications outbox (README.md, "Reminders").

``settings.REMINDER_DAYS["feedback_window"]`` days before the window closes,
at ``settings.REMINDER_TIME`` (Paris time): the federation representatives,
the editors selling a SONS of the topic's scope, and the topic's followers.
Nobody who chose no e-mail is reminded. Planning is idempotent: setting a
window re-plans its topic in the same transaction (services.set_window), and
the calendar's beat task re-plans every open window every ten minutes (this
module registers its planner with calendar_app.reminders). What the e-mail
says is decided when it is sent (``feedback_reminder``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from accounts.access import participant_people
from calendar_app.models import PARIS
from calendar_app.reminder_emails import in_days
from calendar_app.reminders import followers, reachable, reminder_times
from notifications import services as outbox
from notifications.models import Delivery
from notifications.reminders import Reminder
from topics.models import Topic

FEEDBACK_WINDOW = "feedback_window"  # the REMINDER_DAYS key of feedback windows
Kind = Delivery.Kind


def open_windows():
    """The topics whose feedback window has not closed."""
    return Topic.objects.filter(feedback_closes_at__gt=timezone.now())


def window_times(closes_at: datetime) -> list[datetime]:
    day = timezone.localtime(closes_at, PARIS).date()
    return reminder_times(day, closes_at, FEEDBACK_WINDOW)


def feedback_recipients(topics: Iterable[Topic]) -> dict[int, set[int]]:
    """For each topic, who may file feedback on it — every federation
    representative, the editors selling a SONS of its scope — and its
    followers."""
    topics = list(topics)
    ids = [topic.pk for topic in topics]
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    federations = set(
        reachable(participant_people(federations_only=True)).values_list("pk", flat=True)
    )
    editors = (
        reachable(participant_people(editors_only=True))
        .filter(organisation__sons__topics__in=ids)
        .values_list("organisation__sons__topics", "pk")
    )
    for topic_id in ids:
        found[topic_id] |= federations
    for topic_id, user_id in editors:
        found[topic_id].add(user_id)
    for topic_id, people in followers(topics).items():
        found[topic_id] |= people
    return found


def plan_feedback_windows(
    topics: Iterable[Topic] | None = None, *, now: datetime | None = None
) -> outbox.Planned:
    """Bring the reminders of feedback windows in line with the windows (of
    ``topics``, or of every topic). A topic whose window is gone loses its
    pending reminders."""
    now = now or timezone.now()
    windows = open_windows()
    if topics is not None:
        topics = list(topics)
        windows = windows.filter(pk__in=[topic.pk for topic in topics])
    windows = list(windows)
    recipients = feedback_recipients(windows)
    wanted: outbox.Wanted = {}
    for topic in windows:
        closes_at = topic.feedback_closes_at
        if closes_at is None or closes_at <= now:
            wanted[topic] = set()
            continue
        times = window_times(closes_at)
        wanted[topic] = {(person, due) for person in recipients[topic.pk] for due in times}
    # Pending reminders of topics that no longer have a window.
    pending = Delivery.objects.filter(
        kind=Kind.FEEDBACK_REMINDER,
        status=Delivery.Status.PENDING,
        subject_type=ContentType.objects.get_for_model(Topic),
    ).exclude(subject_id__in=[topic.pk for topic in windows])
    if topics is not None:
        pending = pending.filter(subject_id__in=[topic.pk for topic in topics])
    for topic in Topic.objects.filter(pk__in=pending.values("subject_id")):
        wanted[topic] = set()
    return outbox.plan(Kind.FEEDBACK_REMINDER, wanted, now=now)


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    return (
        render_to_string(f"concertation/email/{name}.txt", context),
        render_to_string(f"concertation/email/{name}.html", context),
    )


def feedback_reminder(delivery: Delivery, context: dict[str, Any]) -> Reminder | None:
    """Before a topic's feedback window closes; nothing when it closed or
    moved since the row was planned."""
    topic = open_windows().filter(pk=delivery.subject_id).first()
    closes_at = getattr(topic, "feedback_closes_at", None)
    if topic is None or closes_at is None or closes_at <= timezone.now():
        return None
    if delivery.due_at not in window_times(closes_at):
        return None  # the window moved since: its new reminders are other rows
    due_day = timezone.localtime(delivery.due_at, PARIS).date()
    closing_day = timezone.localtime(closes_at, PARIS).date()
    soon = in_days((closing_day - due_day).days)
    closes = _("%(day)s à %(time)s (heure de Paris)") % {
        "day": date_format(closing_day, "l j F Y"),
        "time": time_format(timezone.localtime(closes_at, PARIS), "H:i"),
    }
    path = reverse("topic_detail", args=[topic.number or topic.slug])
    topic_url = f"{settings.SITE_URL}{path}"
    text, html = _render(
        "feedback_reminder",
        {**context, "topic": topic, "topic_url": topic_url, "closes": closes, "soon": soon},
    )
    subject = _("Rappel : les retours sur %(topic)s se terminent %(soon)s") % {
        "topic": topic.label,
        "soon": soon,
    }
    return Reminder(subject, text, html)
