"""Celery tasks of the arbitrations app (autodiscovered): forgetting the
decision forms' old one-time tokens."""

from celery import shared_task

from . import services


@shared_task
def purge_submission_tokens() -> int:
    """Beat runs this once a day."""
    return services.purge_submission_tokens()
