from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def check_catalogue_import(pk: int) -> None:
    """Check a received file (the dry run) in a worker, never in a request;
    safe to run twice (the first claims it)."""
    from .importing import run_check

    run_check(pk)


@shared_task(acks_late=True)
def run_catalogue_import(pk: int) -> None:
    """Run a confirmed import; safe to run twice (the first claims it)."""
    from .importing import run

    run(pk)


@shared_task
def resume_catalogue_imports() -> None:
    from .importing import resume_imports

    resume_imports()
