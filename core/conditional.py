"""Feeds that programs poll (calendar applications every few minutes, feed
readers): each answer carries an ``ETag`` and a ``Last-Modified``, and a
request whose ``If-None-Match`` or ``If-Modified-Since`` says the client has
what the feed shows now gets ``304 Not Modified`` (RFC 9110 §13), without a
body. ``HEAD`` answers like ``GET`` without a body.

The body is built once and kept under a namespace of core.caching (stale
when what it shows changes); the ETag is a digest of what it shows (the
``significant`` part: an iCalendar feed's DTSTAMP, the time it was written,
is not), and Last-Modified the moment that digest last changed, remembered
beside the cached body so that rebuilding the same feed (after an
invalidation elsewhere in its namespace, or an expiry) does not move it.
The 304 itself is Django's: views are decorated with ``conditional_page``
(ConditionalGetMiddleware as a decorator), which compares the request's
validators with the headers ``feed_response`` sets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date

from . import caching

# How long the moment a feed last changed is remembered without a request.
STATE_TIMEOUT = 30 * 24 * 3600


@dataclass(frozen=True)
class Representation:
    body: bytes
    etag: str  # quoted, strong
    last_modified: datetime


def _state_key(namespace: str, parts: Iterable[Any]) -> str:
    raw = ":".join(str(part) for part in (namespace, *parts))
    return "portal:representation:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def representation(
    namespace: str,
    parts: Iterable[Any],
    build: Callable[[], bytes],
    *,
    significant: Callable[[bytes], bytes] = lambda body: body,
) -> Representation:
    """The feed ``build()`` writes, with its validators, kept under
    ``namespace`` and ``parts`` until the namespace changes."""
    parts = tuple(parts)

    def compute() -> Representation:
        body = build()
        digest = hashlib.sha256(significant(body)).hexdigest()[:32]
        etag = f'"{digest}"'
        state_key = _state_key(namespace, parts)
        kept = cache.get(state_key)
        if kept is not None and kept[0] == etag:
            since = kept[1]
        else:
            # HTTP dates have whole seconds: so has Last-Modified.
            since = timezone.now().replace(microsecond=0)
        cache.set(state_key, (etag, since), STATE_TIMEOUT)
        return Representation(body, etag, since)

    return caching.cached(namespace, parts, compute)


def feed_response(found: Representation, content_type: str) -> HttpResponse:
    """The answer that carries the feed and its validators (the view's
    ``conditional_page`` turns it into a 304 when the client has it)."""
    response = HttpResponse(found.body, content_type=content_type)
    response["ETag"] = found.etag
    response["Last-Modified"] = http_date(found.last_modified.timestamp())
    return response
