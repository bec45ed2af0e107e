"""What the catalogue adds to a requirement's page (core/sections.py): the
way back to the search, and the statement's versions with their diff."""

from __future__ import annotations

from django.http import HttpRequest

from core import sections
from core.sections import Section
from topics.models import Requirement

from .versions import version_groups


def requirement_versions(request: HttpRequest, requirement: Requirement) -> dict:
    versions = list(requirement.versions.select_related("sons").order_by("created_at", "pk"))
    return {"version_groups": version_groups(versions)}


def register() -> None:
    sections.register(
        Section(
            "topics.requirement",
            "breadcrumb",
            "search",
            "catalogue/sections/requirement_breadcrumb.html",
        )
    )
    sections.register(
        Section(
            "topics.requirement",
            "after_statement",
            "versions",
            "catalogue/sections/requirement_versions.html",
            order=10,
            context=requirement_versions,
        )
    )
