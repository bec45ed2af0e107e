"""Celery tasks of the arbitrations app (autodiscovered): the catalogue's imports."""

from .catalogue.tasks import resume_catalogue_imports, run_catalogue_import

__all__ = ["resume_catalogue_imports", "run_catalogue_import"]
