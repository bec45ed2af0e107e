"""Celery tasks of the arbitrations app (autodiscovered): the catalogue's
imports, and forgetting the decision forms' old one-time tokens."""

from celery import shared_task

from . import services
from .catalogue.tasks import resume_catalogue_imports, run_catalogue_import

__all__ = ["purge_submission_tokens", "resume_catalogue_imports", "run_catalogue_import"]


@shared_task
def purge_submission_tokens() -> int:
    """Beat runs this once a day."""
    return services.purge_submission_tokens()
