"""Reminders: outbox rows that the apps above plan, and whose e-mail they write.

This app cannot know what an event or a feedback window is (it may not import
the apps above it, DESIGN.md). An app that plans reminders of some kind:

- keeps its rows in step with ``services.plan(kind, {subject: {(recipient id,
  due time), …}})`` in the transaction that changes what they depend on (a
  move, a cancellation, a registration) — the database says what is due;
- registers, from its ``AppConfig.ready()``, the writer of that kind's
  e-mail: ``register(kind, writer)``. At send time the sweep's task calls
  ``writer(delivery, context)`` in the recipient's language; it returns a
  ``Reminder`` or, when the reminder no longer makes sense (the event was
  cancelled or has begun, the row is stale), None: the row is then marked
  "nothing to send". ``context`` holds what every e-mail shows (recipient,
  portal name and address, the unsubscribe and preferences links) for the
  writer's templates, which extend ``notifications/email/reminder.html`` and
  ``.txt``.

The envelope (subject prefix, Message-ID, RFC 8058 unsubscribe headers,
HTML and text) is ``emails.build``'s, as for every e-mail of the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import Delivery


@dataclass
class Reminder:
    """What a reminder e-mail says, in the recipient's language."""

    subject: str
    text: str
    html: str
    # (file name, content, MIME type), e.g. the event's .ics.
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


Writer = Callable[[Delivery, dict[str, Any]], "Reminder | None"]

WRITERS: dict[str, Writer] = {}


def register(kind: str, writer: Writer) -> None:
    if kind not in Delivery.Kind.values:
        raise ValueError(f"{kind!r} is not a kind of the outbox (Delivery.Kind)")
    WRITERS[kind] = writer


def writer_of(kind: str) -> Writer | None:
    return WRITERS.get(kind)
