"""What topics adds to the pages of people and organisations (core/sections.py):
the SONS an editor sells — the link between organisations and SONS is
declared here, so that accounts stays at the bottom."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core import sections
from core.sections import Column, Section

from . import access


def _editor(request: HttpRequest, organisation: Organisation) -> dict | None:
    if organisation.kind != Organisation.Kind.EDITOR:
        return None
    return {"sons": organisation.sons.all()}


def _manage_editor(request: HttpRequest, organisation: Organisation) -> dict | None:
    if organisation.kind != Organisation.Kind.EDITOR:
        return None
    if not access.may_manage_editor_sons(request.user):
        return None
    return {}


def _sons_codes(organisation: Organisation) -> str:
    return ", ".join(sons.code for sons in organisation.sons.all())


def register() -> None:
    sections.register(
        Section(
            "accounts.organisation",
            "actions",
            "editor_sons",
            "topics/sections/editor_sons_button.html",
            context=_manage_editor,
        )
    )
    sections.register(
        Section(
            "accounts.organisation",
            "editor",
            "editor_sons",
            "topics/sections/editor_sons.html",
            context=_editor,
        )
    )
    sections.register_column(
        Column(
            "accounts.organisation_list",
            "sons",
            _("SONS"),
            cell=_sons_codes,
            prefetch=("sons",),
        )
    )
