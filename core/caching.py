"""Cached computations and page fragments, invalidated by namespace.

Each namespace ("decisions", "events") has a version token in the cache;
every cached value's key holds the current token, so that changing the
token (``invalidate``) makes every value of the namespace stale at once,
whatever its other key parts (person, SONS, language, filters). The token
changes at once and again when the transaction commits: a page rendered
meanwhile from the old data cannot outlive the change.

With the cache down (Redis unreachable, django-redis ignores the error) a
read is a miss and the value is computed: pages stay right, only slower.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property

TIMEOUT = 3600  # an hour: values are right until invalidated; this bounds memory


def _version_key(namespace: str) -> str:
    return f"portal:version:{namespace}"


def version(namespace: str) -> str:
    """The namespace's current token (a new one when the cache has none)."""
    token = cache.get(_version_key(namespace))
    if token is None:
        token = uuid.uuid4().hex
        cache.add(_version_key(namespace), token, None)
        token = cache.get(_version_key(namespace)) or token
    return token


def _new_version(namespace: str) -> None:
    cache.set(_version_key(namespace), uuid.uuid4().hex, None)


def invalidate(*namespaces: str) -> None:
    """Every cached value of ``namespaces`` is stale, now and at commit."""
    for namespace in namespaces:
        _new_version(namespace)
        transaction.on_commit(lambda namespace=namespace: _new_version(namespace))


def versioned_key(namespace: str, token: str, parts: Iterable[Any]) -> str:
    """A cache key of the namespace at version ``token`` (``version()``):
    read the version once for several keys (``cache.get_many``)."""
    raw = ":".join(str(part) for part in parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"portal:{namespace}:{token}:{digest}"


def key(namespace: str, *parts: Any) -> str:
    """A cache key of the namespace's current version and ``parts``."""
    return versioned_key(namespace, version(namespace), parts)


def cached_partial(
    request,
    namespace: str,
    template: str,
    context: Callable[[], dict],
    *,
    audience: tuple = (),
    parts: Iterable[Any] = (),
) -> str:
    """``template`` (a partial, "calendar_app/calendar_list.html#results")
    rendered with ``context()`` for ``request`` and kept in the cache: one
    rendering per language, per ``audience`` — who it was computed for, as
    the owning app's ``access.audience(user)`` says, so that a change of a
    visibility rule changes the key with it — and per ``parts`` (filters,
    page, day)."""
    from django.template.loader import render_to_string
    from django.utils.translation import get_language

    key_parts = (template, get_language(), *audience, *parts)
    return cached(namespace, key_parts, lambda: render_to_string(template, context(), request))


def cached(
    namespace: str, parts: Iterable[Any], compute: Callable[[], Any], timeout: int = TIMEOUT
) -> Any:
    """``compute()``, kept in the cache under the namespace's version and ``parts``."""
    cache_key = key(namespace, *parts)
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, timeout)
    return value


def cached_until(
    namespace: str,
    parts: Iterable[Any],
    compute: Callable[[], Any],
    expires: Callable[[Any], datetime | None],
) -> Any:
    """``cached``, for a value that is right only until a moment it names
    itself (the next event starts and leaves "upcoming"): ``expires(value)``.
    The moment is kept with the value and checked at each read, on the
    portal's clock (not left to the cache server's expiry)."""
    cache_key = key(namespace, *parts)
    kept = cache.get(cache_key)
    now = timezone.now()
    if kept is not None:
        value, until = kept
        if until is None or now < until:
            return value
    value = compute()
    until = expires(value)
    timeout = TIMEOUT
    if until is not None:
        timeout = max(1, min(TIMEOUT, math.ceil((until - now).total_seconds())))
    cache.set(cache_key, (value, until), timeout)
    return value


class CachedCountPaginator(Paginator):
    """A paginator whose count — a COUNT over every row the filters select,
    which grows with the data — is kept under ``namespace`` and ``parts``
    until the namespace changes; the page's rows are read each time."""

    def __init__(self, object_list, per_page, *, namespace: str, parts: Iterable[Any], **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count_key = (namespace, ("paginator_count", *parts))

    @cached_property
    def count(self) -> int:
        namespace, parts = self._count_key
        return cached(namespace, parts, lambda: Paginator.count.func(self))
