"""Celery tasks of the calendar: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import reminders


@shared_task(acks_late=True, ignore_result=True)
def plan_reminders() -> int:
    """Beat runs this every ten minutes: re-plan every reminder still to come
    (idempotent), for what changed outside the calendar's own services — a
    new participant, the SONS an editor sells, a feedback window. The sweep
    of the outbox sends them when due. Returns how many rows changed."""
    return sum(planned.changed for planned in reminders.plan_upcoming().values())
