from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from core.text import render_markdown, render_user_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Sanitised Markdown (the deck's **bold**, lists, paragraphs)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - nh3 removed anything unsafe


@register.filter
def user_markdown(text: str) -> str:
    """What a participant typed, as Markdown: any HTML they typed shows as text."""
    return mark_safe(render_user_markdown(text))  # noqa: S308 - escaped, then sanitised by nh3


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number) -> str:
    """``query_with`` for a pagination parameter named by a variable (a page
    with several paginated lists)."""
    return query_with(context, **{param or "page": number})


@register.filter
def page_links(page) -> list[int | None]:
    """The page numbers a pagination links to: the first and the last, two
    either side of the current one, ``None`` for each gap — a bounded number
    of links however many pages there are."""
    paginator = page.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
