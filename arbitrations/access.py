"""Who may see and do what with decisions: the one place that says it
(README.md, "Roles"; the vocabulary: accounts/access.py). Pages, fragments,
exports, feeds, search and cache keys ask these predicates and querysets.

- An administrator decides for every SONS, including those without a task
  force (SGL follows its own scheme: administrators only).
- A task-force lead decides for the SONS of their task force(s), and for no
  other.
- Federations and editors decide nothing; they read published decisions.
  Drafts are the authority's (leads and admins).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts import access as accounts_access
from accounts.access import is_authority
from topics.models import Sons

from .models import Arbitration

# --- Decisions -------------------------------------------------------------------------


def decidable_sons_ids(user) -> frozenset[int]:
    """The ids of the SONS whose decisions ``user`` may record and publish.
    Cached on the user object for the request."""
    cached = getattr(user, "_decidable_sons_ids", None)
    if cached is not None:
        return cached
    if accounts_access.is_admin(user):
        ids: frozenset[int] = frozenset(Sons.objects.values_list("pk", flat=True))
    elif accounts_access.is_lead(user):
        ids = frozenset(
            Sons.objects.filter(
                task_force__isnull=False, task_force__memberships__user=user
            ).values_list("pk", flat=True)
        )
    else:
        ids = frozenset()
    if getattr(user, "pk", None) is not None:
        user._decidable_sons_ids = ids
    return ids


def may_decide(user, sons: Iterable[Sons | int]) -> bool:
    """True when ``user`` may decide for every one of ``sons`` (and there is one)."""
    ids = {s if isinstance(s, int) else s.pk for s in sons}
    return bool(ids) and ids <= decidable_sons_ids(user)


def may_decide_any(user) -> bool:
    return bool(decidable_sons_ids(user))


def may_see_drafts(user) -> bool:
    """Draft decisions (and the pages that manage them) are the authority's."""
    return is_authority(user)


def require_decider(user) -> None:
    """Pages that manage decisions are for the people who may decide some."""
    if not may_decide_any(user):
        raise PermissionDenied


def arbitrations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Arbitration.objects.all() if queryset is None else queryset
    if may_see_drafts(user):
        return queryset
    return queryset.filter(status=Arbitration.Status.PUBLISHED)


def audience(user) -> tuple:
    """The decisions a page shows depend on this only (cache keys)."""
    return ("drafts",) if may_see_drafts(user) else ("published",)


def get_arbitration(user, pk: int, *, change: bool = False) -> Arbitration:
    """An arbitration as ``user`` may reach it: a draft does not exist for
    those who may not see drafts (404, not 403: its existence is not public);
    changing it needs the right on every SONS it covers."""
    arbitration = get_object_or_404(
        Arbitration.objects.visible_to(user)
        .select_related("requirement", "topic", "session")
        .prefetch_related("sons"),
        pk=pk,
    )
    if change and not may_decide(user, arbitration.sons.all()):
        raise PermissionDenied
    return arbitration
