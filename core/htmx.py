from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Render the whole page, or for an htmx request the named partial of the
    same template: one URL, one view, one template (STYLE.md, habit 3)."""
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        template_name = f"{template_name}#{partial}"
    response = render(request, template_name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
