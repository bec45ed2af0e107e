"""Pages that higher apps add to.

A page belongs to the app that owns its subject (the topic and requirement
pages to ``topics``, an event's page to ``calendar_app``…), but what it shows
comes from several apps, some above its owner in the dependency order (the
decisions on a requirement, its comments). The owner names extension points —
*slots* — in its template with ``{% sections "page" "slot" %}``
(core/templatetags/sections.py); a higher app registers a ``Section`` for
a slot from its ``ready()``. The owner never names the higher app: no
import, URL name or template of it (DESIGN.md, "apps").

A section is a template rendered with the page's context plus what its
``context(request, subject)`` returns (``None``: the section is not shown).
A section that an htmx request refreshes names the element it renders
(``target``): the owner's view answers such a request with that section
alone (``htmx_section``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def _nothing(request: HttpRequest, subject: Any) -> dict:
    return {}


@dataclass(frozen=True)
class Section:
    page: str  # "topics.requirement"
    slot: str  # "header", "before_statement", "after_statement"…
    name: str  # unique on its page: "decisions", "comments"
    template: str
    order: int = 50
    context: Callable[[HttpRequest, Any], dict | None] = field(default=_nothing)
    # The id of the element the section renders, when htmx refreshes it alone.
    target: str = ""


_SECTIONS: dict[str, list[Section]] = defaultdict(list)


def register(section: Section) -> None:
    """Add ``section`` to its page (idempotent: ``ready()`` may run twice)."""
    found = _SECTIONS[section.page]
    found[:] = [s for s in found if s.name != section.name]
    found.append(section)
    found.sort(key=lambda s: (s.order, s.name))


def sections(page: str, slot: str | None = None) -> list[Section]:
    return [s for s in _SECTIONS.get(page, ()) if slot is None or s.slot == slot]


def once(request: HttpRequest, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per request: for what two sections of a page share
    (a thread's count in the header, the thread itself further down)."""
    memo = request.__dict__.setdefault("_sections_once", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def section_context(
    section: Section, request: HttpRequest, subject: Any, cache: dict
) -> dict | None:
    """A section's own context, computed once per request and page."""
    key = (section.page, section.name)
    if key not in cache:
        cache[key] = section.context(request, subject)
    return cache[key]


def render(
    page: str, slot: str, request: HttpRequest, subject: Any, context: dict, cache: dict
) -> SafeString:
    parts = []
    for section in sections(page, slot):
        own = section_context(section, request, subject, cache)
        if own is None:
            continue
        parts.append(render_to_string(section.template, {**context, **own}, request))
    return mark_safe("".join(parts))  # noqa: S308 - rendered templates, escaped by Django


def htmx_section(page: str, request: HttpRequest) -> Section | None:
    """The section an htmx request on the page refreshes: the one whose
    element it targets, else the page's first refreshable section (a page
    answers htmx with a fragment, never a whole page)."""
    if not getattr(request, "htmx", False) or request.htmx.boosted:
        return None
    refreshable = [s for s in sections(page) if s.target]
    target = request.headers.get("HX-Target", "")
    return next((s for s in refreshable if s.target == target), None) or next(
        iter(refreshable), None
    )


def render_section(section: Section, request: HttpRequest, subject: Any, context: dict):
    """The response to an htmx request for one section (``htmx_section``)."""
    from django.http import HttpResponse
    from django.utils.cache import patch_vary_headers

    own = section.context(request, subject) or {}
    response = HttpResponse(render_to_string(section.template, {**context, **own}, request))
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Columns: what higher apps add to a lower app's tables --------------------------


@dataclass(frozen=True)
class Column:
    """A column of a table (``page``: "accounts.organisation_list"): its
    header, the plain text of a row's cell, and what the rows' query should
    prefetch for it (a constant number of queries)."""

    page: str
    name: str
    header: Any
    cell: Callable[[Any], str]
    prefetch: tuple[str, ...] = ()
    order: int = 50


_COLUMNS: dict[str, list[Column]] = defaultdict(list)


def register_column(column: Column) -> None:
    found = _COLUMNS[column.page]
    found[:] = [c for c in found if c.name != column.name]
    found.append(column)
    found.sort(key=lambda c: (c.order, c.name))


def columns(page: str) -> list[Column]:
    return list(_COLUMNS.get(page, ()))


def prefetch_columns(page: str, queryset):
    lookups = [lookup for column in columns(page) for lookup in column.prefetch]
    return queryset.prefetch_related(*lookups) if lookups else queryset
