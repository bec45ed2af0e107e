"""Recording and publishing many decisions at once: the catalogue's imports.

The rules are those of ``services.record_decision`` and
``services.publish_decisions`` (module docstring there): the importer's
rights on every SONS, a decision changed since the file was read is a
conflict and stays as it is, a published decision is never changed in place
(a new draft replaces it), a draft covering the same SONS is changed in
place and one covering more loses them, every change has its history row
(fields and SONS together) and its audit event, a publication tells the
followers. What differs is the cost: a few queries for the whole file, where
one call per decision took about fifteen (1,082 rows took 15 s).

- The requirements concerned, then their decisions, are locked first
  (``SELECT … FOR UPDATE``, in id order), so that no other writer changes
  them meanwhile; the versions read after that are the ones claimed.
- Every base is checked against the state before the batch: the file was
  read as a whole, its decisions are recorded as a whole.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.audit import Action, record_many
from notifications.models import Follow, Notification
from notifications.services import notify
from topics.models import Requirement, Sons, Topic

from .access import decidable_sons_ids
from .caching import invalidate_decision_pages
from .decisions import current_decisions
from .models import Arbitration, DecisionConflict
from .services import DecisionInput, _new_statement_versions, _stale_sons

logger = logging.getLogger(__name__)

Through = Arbitration.sons.through


@dataclass
class BulkDecision:
    """One decision to record: on ``requirement``, for ``sons``, read at ``base``
    (``services.snapshot`` of those SONS when the file was read)."""

    requirement: Requirement
    sons: Sequence[Sons]
    data: DecisionInput
    base: str


@dataclass
class BulkOutcome:
    # Item index → the decision that now holds it (new, or the draft changed).
    recorded: dict[int, Arbitration]
    # Item index → the current decision per SONS id of the items whose base
    # is stale (nothing recorded for them).
    conflicts: dict[int, dict[int, Arbitration]]
    # The drafts the batch changed (in place, or reshaped to fewer SONS), as
    # they are now, and those it replaced wholly (deleted).
    changed: dict[int, Arbitration] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)


def _may_decide_all(by, items: Iterable[BulkDecision]) -> None:
    allowed = decidable_sons_ids(by)
    for item in items:
        ids = {sons.pk for sons in item.sons}
        if not ids or not ids <= allowed:
            raise PermissionDenied


def _links(arbitration_ids: Iterable[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for arbitration_id, sons_id in Through.objects.filter(
        arbitration_id__in=list(arbitration_ids)
    ).values_list("arbitration_id", "sons_id"):
        found[arbitration_id].add(sons_id)
    return found


def _apply(arbitration: Arbitration, data: DecisionInput, by) -> None:
    arbitration.decision = data.decision
    arbitration.comment = data.comment.strip()
    arbitration.session = data.session
    arbitration.new_statement = (
        data.new_statement.strip()
        if data.decision in (Arbitration.Decision.MODIFIED, Arbitration.Decision.ADDED)
        else ""
    )
    arbitration.decided_by = by


def _history(arbitrations: list[Arbitration], *, by, update: bool, now) -> None:
    """One history row per decision, with the SONS it covers then (as
    services._save writes it for one)."""
    if not arbitrations:
        return
    rows = Arbitration.history.bulk_history_create(
        arbitrations, update=update, default_user=by, default_date=now
    )
    m2m_model = HistoricalRecords.m2m_models[Arbitration._meta.get_field("sons")]
    links = Through.objects.filter(arbitration_id__in=[a.pk for a in arbitrations]).values_list(
        "pk", "arbitration_id", "sons_id"
    )
    by_arbitration: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, arbitration_id, sons_id in links:
        by_arbitration[arbitration_id].append((pk, sons_id))
    m2m_model.objects.bulk_create(
        [
            m2m_model(id=pk, arbitration_id=row.id, sons_id=sons_id, history=row)
            for row in rows
            for pk, sons_id in by_arbitration[row.id]
        ],
        batch_size=500,
    )


def _audit(arbitrations: list[Arbitration], *, by, sons_codes: dict[int, list[str]]) -> None:
    record_many(
        Action.DECISION_CHANGED,
        actor=by,
        entries=[
            (
                arbitration,
                {
                    "decision": arbitration.decision,
                    "status": arbitration.status,
                    "version": arbitration.version,
                    "sons": sons_codes.get(arbitration.pk, []),
                },
            )
            for arbitration in arbitrations
        ],
    )


def record_decisions(*, by, items: Sequence[BulkDecision]) -> BulkOutcome:
    """Record ``by``'s decisions, as drafts, in one transaction. Items whose
    base is stale are left out and returned as conflicts; the others are all
    recorded. Items on the same requirement cover different SONS."""
    outcome = BulkOutcome(recorded={}, conflicts={})
    if not items:
        return outcome
    _may_decide_all(by, items)
    sons_by_id = {sons.pk: sons for item in items for sons in item.sons}
    with transaction.atomic():
        ids = sorted({item.requirement.pk for item in items})
        list(
            Requirement.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        list(
            Arbitration.objects.select_for_update()
            .filter(requirement_id__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        current = current_decisions(ids, by)
        # One object per decision, whichever of its SONS it was read through.
        same: dict[int, Arbitration] = {}
        current = {pair: same.setdefault(a.pk, a) for pair, a in current.items()}
        covered = _links({a.pk for a in current.values() if not a.is_published})

        # Every base against the state before the batch.
        ready = []
        for index, item in enumerate(items):
            sons_ids = [s.pk for s in item.sons]
            mine = {
                s: current[(item.requirement.pk, s)]
                for s in sons_ids
                if (item.requirement.pk, s) in current
            }
            if _stale_sons(item.base, mine, sons_ids):
                outcome.conflicts[index] = mine
            else:
                ready.append((index, item, sons_ids))

        now = timezone.now()
        fresh: list[tuple[Arbitration, list[int]]] = []
        edited: dict[int, Arbitration] = {}
        reshaped: dict[int, Arbitration] = {}
        unlinked: list[tuple[int, int]] = []
        deleted: dict[int, Arbitration] = {}
        for index, item, sons_ids in ready:
            pair = {s: current.get((item.requirement.pk, s)) for s in sons_ids}
            drafts = {a.pk: a for a in pair.values() if a is not None and not a.is_published}
            if (
                len(drafts) == 1
                and all(pair.values())
                and covered[next(iter(drafts))] == set(sons_ids)
            ):
                # That draft itself: changed in place.
                (draft,) = drafts.values()
                _apply(draft, item.data, by)
                draft.version += 1
                draft.updated_at = now
                edited[draft.pk] = draft
                reshaped.pop(draft.pk, None)
                outcome.recorded[index] = draft
                continue
            # A new decision for these SONS; the drafts that covered some of
            # them no longer do (a draft is not announced yet: reshaping it
            # loses nothing, and the history keeps it).
            for draft in drafts.values():
                remaining = covered[draft.pk] - set(sons_ids)
                unlinked.extend((draft.pk, s) for s in covered[draft.pk] & set(sons_ids))
                covered[draft.pk] = remaining
                if remaining:
                    if draft.pk not in edited:
                        draft.version += 1
                        draft.updated_at = now
                        reshaped[draft.pk] = draft
                else:
                    deleted[draft.pk] = draft
                    reshaped.pop(draft.pk, None)
                    edited.pop(draft.pk, None)
            arbitration = Arbitration(requirement=item.requirement, decided_by=by)
            _apply(arbitration, item.data, by)
            fresh.append((arbitration, sons_ids))
            outcome.recorded[index] = arbitration
            # Later items on this requirement see this one as current.
            for s in sons_ids:
                current[(item.requirement.pk, s)] = arbitration

        if unlinked:
            condition = Q()
            for arbitration_id, sons_id in unlinked:
                condition |= Q(arbitration_id=arbitration_id, sons_id=sons_id)
            Through.objects.filter(condition).delete()
        if deleted:
            # Rare (a draft wholly replaced): the ORM's delete keeps its history row.
            for draft in Arbitration.objects.filter(pk__in=list(deleted)):
                draft._history_user = by
                draft.delete()
        changed = list(edited.values()) + list(reshaped.values())
        outcome.changed = {a.pk: a for a in changed}
        outcome.deleted = set(deleted)
        if changed:
            Arbitration.objects.bulk_update(
                changed,
                [
                    "decision",
                    "comment",
                    "session",
                    "new_statement",
                    "decided_by",
                    "version",
                    "updated_at",
                ],
                batch_size=200,
            )
        created = Arbitration.objects.bulk_create([a for a, _ in fresh], batch_size=500)
        Through.objects.bulk_create(
            [
                Through(arbitration_id=arbitration.pk, sons_id=s)
                for arbitration, (_, sons_ids) in zip(created, fresh, strict=True)
                for s in sons_ids
            ],
            batch_size=1000,
        )
        _history(created, by=by, update=False, now=now)
        _history(changed, by=by, update=True, now=now)
        codes = {
            arbitration.pk: sorted(
                sons_by_id[s].code if s in sons_by_id else str(s) for s in sons_ids
            )
            for arbitration, (_, sons_ids) in zip(created, fresh, strict=True)
        }
        for arbitration in changed:
            codes[arbitration.pk] = sorted(
                sons_by_id[s].code if s in sons_by_id else str(s) for s in covered[arbitration.pk]
            )
        _audit([*created, *changed], by=by, sons_codes=codes)
        invalidate_decision_pages()
    return outcome


def publish_decisions(arbitrations: Iterable[Arbitration], *, by) -> list[Arbitration]:
    """Publish drafts, all or none, each at the version in hand (a draft
    changed meanwhile raises ``DecisionConflict``, and nothing is published)."""
    drafts = {a.pk: a for a in arbitrations if not a.is_published}
    if not drafts:
        return []
    with transaction.atomic():
        versions = dict(
            Arbitration.objects.select_for_update()
            .filter(pk__in=list(drafts))
            .order_by("pk")
            .values_list("pk", "version")
        )
        stale = [a for pk, a in drafts.items() if versions.get(pk) != a.version]
        if stale:
            raise DecisionConflict(current=list(Arbitration.objects.filter(pk=stale[0].pk)))
        covered = _links(drafts)
        allowed = decidable_sons_ids(by)
        if any(not covered[pk] or not covered[pk] <= allowed for pk in drafts):
            raise PermissionDenied
        published = list(drafts.values())
        prefetch_related_objects(published, "requirement", "topic", "session", "sons")
        now = timezone.now()
        # The same change for all: one UPDATE (the versions were checked under the lock).
        Arbitration.objects.filter(pk__in=list(drafts)).update(
            status=Arbitration.Status.PUBLISHED,
            published_at=now,
            published_by=by,
            version=F("version") + 1,
            updated_at=now,
        )
        for arbitration in published:
            arbitration.status = Arbitration.Status.PUBLISHED
            arbitration.published_at = now
            arbitration.published_by = by
            arbitration.version += 1
            arbitration.updated_at = now
        _history(published, by=by, update=True, now=now)
        _audit(
            published,
            by=by,
            sons_codes={a.pk: sorted(s.code for s in a.sons.all()) for a in published},
        )
        for arbitration in published:
            if arbitration.new_statement:
                _new_statement_versions(arbitration, now)
        announce(published, by=by)
        invalidate_decision_pages()
    return published


def announce(published: Sequence[Arbitration], *, by) -> None:
    """``services.announce_publication`` for many decisions: the followers of
    all their requirements, topics and SONS are looked up at once, and only
    the decisions somebody follows are announced (one by one, as there)."""
    if not published:
        return
    types = ContentType.objects.get_for_models(Requirement, Sons, Topic)
    requirement_type, sons_type, topic_type = (types[m].pk for m in (Requirement, Sons, Topic))
    requirements = {a.requirement_id for a in published if a.requirement_id}
    topics = {a.topic_id for a in published if a.topic_id}
    topics |= {a.requirement.topic_id for a in published if a.requirement_id}
    topics.discard(None)
    sons = {s.pk for a in published for s in a.sons.all()}
    followed = set(
        Follow.objects.filter(user__is_active=True)
        .filter(
            Q(subject_type_id=requirement_type, subject_id__in=requirements)
            | Q(subject_type_id=topic_type, subject_id__in=topics)
            | Q(subject_type_id=sons_type, subject_id__in=sons)
        )
        .values_list("subject_type_id", "subject_id")
        .distinct()
    )
    for arbitration in published:
        mine = {(sons_type, s.pk) for s in arbitration.sons.all()}
        if arbitration.requirement_id:
            mine.add((requirement_type, arbitration.requirement_id))
            mine.add((topic_type, arbitration.requirement.topic_id))
        if arbitration.topic_id:
            mine.add((topic_type, arbitration.topic_id))
        if mine & followed:
            notify(
                subjects=[arbitration.subject, *arbitration.sons.all()],
                kind=Notification.Kind.DECISION_PUBLISHED,
                actor=by,
                target=arbitration,
            )
    logger.info("decisions published in bulk: %s", len(published))
