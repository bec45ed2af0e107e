"""Celery tasks: thin, they take ids and are safe to run twice (the database
says what is due and records what was sent)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> int:
    """Beat runs this every minute: claim what is due and hand each row's id to
    a delivery task. Rows the broker refuses are given back at once, so that
    the next sweep takes them; rows of a task that never runs come back when
    their lease expires. Returns how many rows were handed over."""
    lease, ids = services.claim_due()
    for position, delivery_id in enumerate(ids):
        try:
            deliver.apply_async((delivery_id, lease))
        except Exception:
            # The broker is down (publishing fails fast): the database still
            # says what is due, the next sweep delivers.
            logger.exception("Broker refused delivery tasks; %s rows given back", len(ids))
            services.release(ids[position:], lease)
            return position
    if ids:
        logger.info("Sweep handed %s outbox rows to delivery tasks", len(ids))
    return len(ids)


@shared_task(acks_late=True, ignore_result=True)
def deliver(delivery_id: int, lease: str) -> str:
    return services.deliver(delivery_id, lease)


@shared_task(acks_late=True, ignore_result=True)
def purge() -> int:
    """Beat runs this once a day: the outbox keeps three months of history."""
    return services.purge()
