"""The delivery machinery's tunables, read from settings (settings.py reads
them from the environment) with the defaults a production portal wants."""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings


def lease() -> timedelta:
    """How long a claimed row belongs to whoever claimed it. Far longer than a
    send may take (EMAIL_TIMEOUT), so that a live delivery never loses it; a
    dead worker's rows are taken again once it ends."""
    return timedelta(seconds=getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 600))


def immediate_window() -> int:
    """Seconds over which "immediate" notifications are gathered into one e-mail."""
    return max(1, int(getattr(settings, "NOTIFICATIONS_IMMEDIATE_SECONDS", 60)))


def digest_time() -> time:
    """Local time of day at which digests are due."""
    return getattr(settings, "NOTIFICATIONS_DIGEST_TIME", time(7, 0))


def weekly_digest_day() -> int:
    """Weekday of the weekly digest (Monday is 0)."""
    return getattr(settings, "NOTIFICATIONS_WEEKLY_DIGEST_DAY", 0)


def retry_delays() -> list[int]:
    """Seconds to wait after the 1st, 2nd… failed attempt; after the last one
    the row is marked failed and shown to admins."""
    return list(getattr(settings, "NOTIFICATIONS_RETRY_DELAYS", [60, 300, 900, 3600, 14400]))


def sweep_batch() -> int:
    """Rows one sweep claims at most; the next sweep takes the rest."""
    return getattr(settings, "NOTIFICATIONS_SWEEP_BATCH", 500)
