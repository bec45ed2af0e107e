"""What the apps' views share about HTTP itself."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    """Where to send the browser back after an action: ``candidate`` (a
    ``next`` or ``retour`` parameter) if it is an address of this site, else
    ``default`` — a form posted from elsewhere must not turn the portal into
    a redirector to another site. On a secure request, an ``http://`` address
    is refused too: going back must not leave HTTPS."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
