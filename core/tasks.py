from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=False)
def ping(token: str) -> str:
    """Answer with the token it was given: proves a worker consumes the broker."""
    return f"pong:{token}"
