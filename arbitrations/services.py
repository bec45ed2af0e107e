"""Recording and publishing decisions: every change goes through here.

Rules (DESIGN.md, "arbitrations"):

- A decision covers a set of SONS. The current decision of a (requirement,
  SONS) pair is the latest published one covering it; for the authority, a
  draft counts as the latest.
- A published decision is never changed in place: changing it records a new
  draft for the SONS concerned, which replaces it for them once published.
  Both stay in the history.
- A draft is changed in place. Every save claims the version it was read at
  (a conditional UPDATE): an edit made on an old version is refused with
  ``DecisionConflict``, and nothing is saved.
- Writers on the same requirement (or topic) are serialised by a row lock, so
  that two people deciding the same pairs from the same state cannot both
  succeed.
- A publication tells the followers of the requirement (or topic), of its
  topic and of the SONS covered, in the same transaction
  (``announce_publication``): the notifications exist if and only if the
  decisions are published, and the outbox delivers the e-mails. Every saved
  change goes to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.audit import Action, record
from calendar_app.models import Event
from core.text import whole_number
from notifications.models import Notification
from notifications.services import notify
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons, Topic

from .access import may_decide
from .caching import invalidate_decision_pages
from .decisions import current_decisions
from .models import Arbitration, DecisionConflict, SubmissionToken

logger = logging.getLogger(__name__)


@dataclass
class DecisionInput:
    """What a lead types in a decision form."""

    decision: str
    comment: str = ""
    session: Event | None = None
    new_statement: str = ""


@dataclass
class Outcome:
    arbitration: Arbitration | None
    duplicate: bool = False  # the same form was already submitted: nothing new done


class BulkConflict(DecisionConflict):
    """Some of the requirements of a bulk decision changed meanwhile: the
    requirements concerned and their current decisions."""

    def __init__(self, conflicts: list[tuple[Requirement, list[Arbitration]]]):
        super().__init__(message="stale bulk decision")
        self.conflicts = conflicts


# --- Reading the state a form was built on -----------------------------------------


def decision_perimeter(subject: Requirement | Topic):
    """The SONS a decision on ``subject`` may cover: a requirement's own
    (its per-SONS rows), else its topic's scope (a requirement not yet in
    any set); a topic's scope."""
    if isinstance(subject, Requirement):
        perimeter = Sons.objects.filter(applicabilities__requirement=subject)
        if not perimeter.exists() and subject.topic_id:
            perimeter = Sons.objects.filter(topics=subject.topic_id)
        return perimeter
    return Sons.objects.filter(topics=subject)


def current_by_sons(subject: Requirement | Topic, user) -> dict[int, Arbitration]:
    """The current decision per SONS id of a requirement or a topic, as
    ``user`` sees it (drafts included for the authority)."""
    if isinstance(subject, Requirement):
        pairs = current_decisions([subject.pk], user)
    else:
        pairs = current_decisions([subject.pk], user, on="topic")
    return {sons_id: arbitration for (_, sons_id), arbitration in pairs.items()}


def snapshot(current: dict[int, Arbitration], sons_ids: Iterable[int]) -> str:
    """A compact, comparable description of the decisions a form was built on:
    ``sons:arbitration:version`` per SONS ("-" for none)."""
    parts = []
    for sons_id in sorted(sons_ids):
        arbitration = current.get(sons_id)
        parts.append(
            f"{sons_id}:{arbitration.pk}:{arbitration.version}" if arbitration else f"{sons_id}:-"
        )
    return ",".join(parts)


def _parse_snapshot(value: str) -> dict[int, str]:
    parsed = {}
    for part in (value or "").split(","):
        sons_id, _, rest = part.partition(":")
        if (number := whole_number(sons_id)) is not None:
            parsed[number] = rest
    return parsed


def _stale_sons(base: str, current: dict[int, Arbitration], sons_ids: Iterable[int]) -> list[int]:
    """The SONS whose decision is no longer the one the form was built on."""
    seen = _parse_snapshot(base)
    now = _parse_snapshot(snapshot(current, sons_ids))
    return [sons_id for sons_id in sons_ids if seen.get(sons_id) != now.get(sons_id)]


# --- Recording ----------------------------------------------------------------------


def _claim_token(token: str | None, by) -> SubmissionToken | Outcome | None:
    """Record the form's one-time token; if it was already used, the outcome
    of that first submission."""
    if not token:
        return None
    try:
        with transaction.atomic():
            return SubmissionToken.objects.create(token=token[:64], user=by)
    except IntegrityError:
        # On PostgreSQL the second insert waits for the first transaction and
        # fails once it commits: the first submission's result is there.
        used = SubmissionToken.objects.select_related("arbitration").get(token=token[:64])
        if used.user_id != by.pk:
            raise PermissionDenied from None
        return Outcome(used.arbitration, duplicate=True)


def purge_submission_tokens(*, now: datetime | None = None) -> int:
    """Forget the decision forms' one-time tokens older than
    ``SUBMISSION_TOKEN_DAYS`` (beat, daily): a form resent later than that is
    still protected by the version it was loaded at. Returns how many."""
    limit = (now or timezone.now()) - timedelta(days=settings.SUBMISSION_TOKEN_DAYS)
    deleted, _by_model = SubmissionToken.objects.filter(created_at__lt=limit).delete()
    return deleted


def _lock(subject: Requirement | Topic) -> None:
    """Serialise the writers of one requirement's (or topic's) decisions."""
    type(subject).objects.select_for_update().filter(pk=subject.pk).first()


def _save(arbitration: Arbitration, by, sons: Sequence[Sons] | None = None) -> None:
    """Save with one history row that records the fields and the SONS together."""
    arbitration._history_user = by
    if sons is not None:
        arbitration.skip_history_when_saving = True
        if arbitration.pk is None:
            arbitration.save()
        arbitration.sons.set(sons)
        del arbitration.skip_history_when_saving
    arbitration.save()
    record(
        Action.DECISION_CHANGED,
        actor=by,
        target=arbitration,
        details={
            "decision": arbitration.decision,
            "status": arbitration.status,
            "version": arbitration.version,
            "sons": [s.code for s in arbitration.sons.all()],
        },
    )


def _record(
    *,
    by,
    subject: Requirement | Topic,
    sons: Sequence[Sons],
    data: DecisionInput,
    base: str,
) -> Arbitration:
    if not may_decide(by, sons):
        raise PermissionDenied
    _lock(subject)
    sons_ids = [s.pk for s in sons]
    current = current_by_sons(subject, by)
    stale = _stale_sons(base, current, sons_ids)
    if stale:
        raise DecisionConflict(current=[current[s] for s in stale if s in current])

    drafts = {current[s] for s in sons_ids if s in current and not current[s].is_published}
    if len(drafts) == 1 and all(s in current for s in sons_ids):
        (draft,) = drafts
        if {s.pk for s in draft.sons.all()} == set(sons_ids):
            # Editing the draft itself: claim the version the form was read at.
            if not draft.claim(draft.version):
                raise DecisionConflict(current=[draft])
            _apply(draft, data, by)
            _save(draft, by)
            return draft

    # A new decision for these SONS. Drafts that covered some of them no
    # longer do (a draft is not announced yet: reshaping it loses nothing,
    # and the history keeps it).
    for draft in drafts:
        if not draft.claim(draft.version):
            raise DecisionConflict(current=[draft])
        remaining = [s for s in draft.sons.all() if s.pk not in sons_ids]
        draft._history_user = by
        if remaining:
            _save(draft, by, remaining)
        else:
            draft.delete()
    arbitration = Arbitration(
        requirement=subject if isinstance(subject, Requirement) else None,
        topic=subject if isinstance(subject, Topic) else None,
    )
    _apply(arbitration, data, by)
    _save(arbitration, by, sons)
    return arbitration


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


def record_decision(
    *,
    by,
    subject: Requirement | Topic,
    sons: Sequence[Sons],
    data: DecisionInput,
    base: str,
    token: str | None = None,
) -> Outcome:
    """Record ``by``'s decision on ``subject`` for ``sons``, as a draft.

    ``base`` is the ``snapshot`` the form was built on: if any of these SONS'
    decision changed since, ``DecisionConflict`` is raised and nothing is
    saved. ``token`` makes a resubmission of the same form a no-op."""
    with transaction.atomic():
        claimed = _claim_token(token, by)
        if isinstance(claimed, Outcome):
            return claimed
        arbitration = _record(by=by, subject=subject, sons=sons, data=data, base=base)
        if claimed is not None:
            claimed.arbitration = arbitration
            claimed.save(update_fields=["arbitration"])
        return Outcome(arbitration)


@dataclass
class BulkItem:
    requirement: Requirement
    data: DecisionInput
    base: str


def record_bulk(
    *, by, sons: Sequence[Sons], items: Sequence[BulkItem], token: str | None = None
) -> list[Arbitration]:
    """One decision per requirement (the same or each its own), for the SONS
    of ``sons`` in each requirement's perimeter: all of them or none."""
    with transaction.atomic():
        claimed = _claim_token(token, by)
        if isinstance(claimed, Outcome):
            return []
        conflicts = []
        recorded = []
        perimeters = _perimeters([item.requirement for item in items])
        for item in items:
            covered = [s for s in sons if s.pk in perimeters[item.requirement.pk]]
            try:
                with transaction.atomic():
                    recorded.append(
                        _record(
                            by=by,
                            subject=item.requirement,
                            sons=covered,
                            data=item.data,
                            base=item.base,
                        )
                    )
            except DecisionConflict as conflict:
                conflicts.append((item.requirement, conflict.current))
        if conflicts:
            raise BulkConflict(conflicts=conflicts)
        return recorded


def _perimeters(requirements: Sequence[Requirement]) -> dict[int, set[int]]:
    perimeters: dict[int, set[int]] = {r.pk: set() for r in requirements}
    for requirement_id, sons_id in RequirementSons.objects.filter(
        requirement__in=requirements
    ).values_list("requirement_id", "sons_id"):
        perimeters[requirement_id].add(sons_id)
    return perimeters


# --- Publishing ---------------------------------------------------------------------


def publish_decisions(
    arbitrations: Iterable[Arbitration],
    *,
    by,
    expected_versions: dict[int, int | None] | None = None,
) -> list[Arbitration]:
    """Publish drafts, all or none. Each draft must still be at the version
    its publisher saw (``expected_versions``, else the one in hand)."""
    expected_versions = expected_versions or {}
    published = []
    with transaction.atomic():
        now = timezone.now()
        for arbitration in arbitrations:
            if not may_decide(by, arbitration.sons.all()):
                raise PermissionDenied
            if arbitration.is_published:
                continue
            version = expected_versions.get(arbitration.pk) or arbitration.version
            if not arbitration.claim(version):
                arbitration.refresh_from_db()
                raise DecisionConflict(current=[arbitration])
            arbitration.status = Arbitration.Status.PUBLISHED
            arbitration.published_at = now
            arbitration.published_by = by
            _save(arbitration, by)
            _new_statement_versions(arbitration, now)
            published.append(arbitration)
        announce_publication(published, by=by)
        if published:
            invalidate_decision_pages()
    return published


def publish_session(session: Event, *, by) -> tuple[list[Arbitration], int]:
    """Publish every draft presented at ``session`` that ``by`` may publish.
    Returns the published decisions and how many drafts were left to others."""
    drafts = list(session.arbitrations.drafts().prefetch_related("sons"))
    mine = [a for a in drafts if may_decide(by, a.sons.all())]
    return publish_decisions(mine, by=by), len(drafts) - len(mine)


def _new_statement_versions(arbitration: Arbitration, now) -> None:
    """A modified (or new) requirement's statement becomes, for each SONS the
    decision covers, a new version: diffable with the former one."""
    if not (arbitration.requirement_id and arbitration.new_statement):
        return
    label = f"Arbitrage n°{arbitration.pk} du {date_format(timezone.localtime(now), 'd/m/Y')}"
    note = arbitration.session.title if arbitration.session else ""
    statements = dict(
        RequirementSons.objects.filter(requirement_id=arbitration.requirement_id).values_list(
            "sons_id", "statement"
        )
    )
    for sons in arbitration.sons.all():
        if statements.get(sons.pk) == arbitration.new_statement:
            continue  # the statement stands as it is for this SONS: no new version
        RequirementVersion.objects.create(
            requirement_id=arbitration.requirement_id,
            sons=sons,
            label=label,
            statement=arbitration.new_statement,
            note=note,
        )
        RequirementSons.objects.update_or_create(
            requirement_id=arbitration.requirement_id,
            sons=sons,
            defaults={"statement": arbitration.new_statement},
        )


def announce_publication(published: Sequence[Arbitration], *, by) -> None:
    """Tell who follows what was decided, inside the publication's
    transaction: the followers of the requirement or topic, of the
    requirement's topic, and of the SONS the decision covers (not the others:
    a decision for DPI is no news for LGC). E-mails leave through the outbox."""
    for arbitration in published:
        notify(
            subjects=[arbitration.subject, *arbitration.sons.all()],
            kind=Notification.Kind.DECISION_PUBLISHED,
            actor=by,
            target=arbitration,
        )
    if published:
        logger.info("decisions published: %s", ", ".join(str(a.pk) for a in published))
