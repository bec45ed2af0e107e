"""``{% sections "page" "slot" subject %}``: what higher apps add to a page
at that slot (core/sections.py)."""

from __future__ import annotations

from django import template

from core import sections as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def sections(context, page: str, slot: str, subject):
    request = context.get("request")
    cache = getattr(request, "_sections_cache", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._sections_cache = cache
    return registry.render(page, slot, request, subject, context.flatten(), cache)


@register.filter
def cell(column: registry.Column, row) -> str:
    """``{{ column|cell:row }}``: the text of ``row``'s cell in a registered column."""
    return column.cell(row)
