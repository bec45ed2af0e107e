"""When an e-mail is due: the next slot of a person's chosen rhythm."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from . import conf
from .models import Delivery, EmailPreference

Frequency = EmailPreference.Frequency

DELIVERY_KIND = {
    Frequency.IMMEDIATE: Delivery.Kind.IMMEDIATE,
    Frequency.DAILY: Delivery.Kind.DAILY_DIGEST,
    Frequency.WEEKLY: Delivery.Kind.WEEKLY_DIGEST,
}
# The outbox kinds that carry a person's notifications.
NOTIFICATION_KINDS = tuple(DELIVERY_KIND.values())


def next_due(frequency: str, after: datetime) -> datetime:
    """The first slot strictly after ``after``.

    Immediate e-mails are gathered over a short window (a minute by default,
    aligned on the clock) so that a lead publishing twenty decisions sends one
    e-mail, not twenty. Digests are due at the digest time, every day or on
    the digest's weekday, in the portal's time zone.
    """
    if frequency == Frequency.IMMEDIATE:
        window = conf.immediate_window()
        slot = (math.floor(after.timestamp() / window) + 1) * window
        return datetime.fromtimestamp(slot, tz=UTC)
    local = timezone.localtime(after)
    at = conf.digest_time()
    tz = timezone.get_current_timezone()
    if frequency == Frequency.DAILY:
        day, step = local.date(), 1
    elif frequency == Frequency.WEEKLY:
        day = local.date() + timedelta(days=(conf.weekly_digest_day() - local.weekday()) % 7)
        step = 7
    else:
        raise ValueError(f"No e-mail is due for {frequency!r}")
    due = datetime.combine(day, at, tzinfo=tz)
    while due <= after:
        day += timedelta(days=step)
        due = datetime.combine(day, at, tzinfo=tz)
    return due


def frequency_of_kind(kind: str) -> str:
    return next(frequency for frequency, k in DELIVERY_KIND.items() if k == kind)
