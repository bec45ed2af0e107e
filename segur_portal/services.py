"""What the dashboard shows, computed with a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from arbitrations.caching import NAMESPACE, progress_parts
from arbitrations.decisions import TopicStatus, current_decisions, topic_progress
from arbitrations.models import Arbitration
from calendar_app.caching import NAMESPACE as EVENTS
from calendar_app.models import Event
from concertation.access import may_answer_feedback
from concertation.caching import FEEDBACK
from concertation.models import Feedback
from core import caching
from topics.models import Requirement, RequirementSons, Sons, Topic

PENDING = "pending"
PENDING_LABEL = _("En attente")
NO_TASK_FORCE = _("Sans task force (administrateurs)")


COLUMNS = [*Arbitration.Decision.choices, (PENDING, None)]
CHART_WIDTH = 600  # SVG user units of a full bar


@dataclass
class Segment:
    value: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class BarRow:
    """One stacked bar: how the (requirement, SONS) pairs of a SONS or a topic
    stand, decision by decision."""

    key: str
    label: str
    counts: list[int]  # one per COLUMNS
    total: int
    segments: list[Segment]


def _bar(key: str, label: str, counts: list[int]) -> BarRow:
    total = sum(counts)
    segments, x = [], 0.0
    for (value, column_label), count in zip(COLUMNS, counts, strict=True):
        if not count:
            continue
        width = CHART_WIDTH * count / total
        segments.append(
            Segment(value, str(column_label or PENDING_LABEL), count, round(x, 2), round(width, 2))
        )
        x += width
    return BarRow(key, label, counts, total, segments)


@dataclass
class BaselineRow:
    sons: Sons
    kept: int
    modified: int
    removed: int
    added: int
    blocking: int  # blocking requirements in this SONS' set
    blocking_changed: int  # of which removed or modified

    @property
    def changes(self) -> int:
        return self.modified + self.removed + self.added


@dataclass
class TaskForceProgress:
    name: str
    codes: str
    decided: int  # pairs with a final published decision
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.decided / self.total) if self.total else 0


def decisions_overview() -> dict[str, Any]:
    """Published decisions only (the dashboard is the state of the
    concertation as announced): per SONS, per topic, against the RC
    baseline, blocking requirements, progress per task force. A fixed number
    of queries whatever the data."""
    pairs = list(
        RequirementSons.objects.values_list(
            "requirement_id", "sons_id", "requirement__topic_id", "requirement__blocking"
        )
    )
    decisions = current_decisions({p[0] for p in pairs}, None)
    all_sons = list(Sons.objects.select_related("task_force"))
    by_sons: Counter[tuple[int, str]] = Counter()
    by_topic: Counter[tuple[int, str]] = Counter()
    blocking: Counter[int] = Counter()
    blocking_changed: Counter[int] = Counter()
    for requirement_id, sons_id, topic_id, is_blocking in pairs:
        decision = decisions.get((requirement_id, sons_id))
        value = decision.decision if decision else PENDING
        by_sons[(sons_id, value)] += 1
        if topic_id:
            by_topic[(topic_id, value)] += 1
        if is_blocking:
            blocking[sons_id] += 1
            if value in (Arbitration.Decision.REMOVED, Arbitration.Decision.MODIFIED):
                blocking_changed[sons_id] += 1

    sons_rows = [
        _bar(sons.code, sons.code, [by_sons[(sons.pk, v)] for v, _ in COLUMNS]) for sons in all_sons
    ]
    topic_ids = {topic_id for topic_id, _ in by_topic}
    topics = [t for t in Topic.objects.filter(pk__in=topic_ids).order_by("order", "number")]
    topic_rows = [
        _bar(str(t.number or t.slug), t.label, [by_topic[(t.pk, v)] for v, _ in COLUMNS])
        for t in topics
    ]
    decision = Arbitration.Decision
    baseline = [
        BaselineRow(
            sons=sons,
            kept=by_sons[(sons.pk, decision.KEPT)],
            modified=by_sons[(sons.pk, decision.MODIFIED)],
            removed=by_sons[(sons.pk, decision.REMOVED)],
            added=by_sons[(sons.pk, decision.ADDED)],
            blocking=blocking[sons.pk],
            blocking_changed=blocking_changed[sons.pk],
        )
        for sons in all_sons
    ]
    final = {decision.KEPT, decision.MODIFIED, decision.REMOVED, decision.ADDED}
    progress: dict[object, TaskForceProgress] = {}
    for sons in all_sons:
        key = sons.task_force_id
        name = sons.task_force.name if sons.task_force else str(NO_TASK_FORCE)
        row = progress.setdefault(key, TaskForceProgress(name, "", 0, 0))
        row.codes = f"{row.codes}, {sons.code}" if row.codes else sons.code
        row.total += sum(by_sons[(sons.pk, v)] for v, _ in COLUMNS)
        row.decided += sum(by_sons[(sons.pk, v)] for v in final)
    return {
        "columns": [(value, label or PENDING_LABEL) for value, label in COLUMNS],
        "sons_rows": sons_rows,
        "topic_rows": topic_rows,
        "totals": [sum(row.counts[i] for row in sons_rows) for i in range(len(COLUMNS))],
        "baseline": baseline,
        "progress": list(progress.values()),
        "chart_width": CHART_WIDTH,
    }


def state_of_the_concertation(now) -> dict[str, Any]:
    """What the dashboard shows alike to everyone: the overview of published
    decisions and the topics' statuses."""
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    statuses = Counter(p.status for p in topic_progress(topic_ids, now).values())
    return {
        "counts": {
            "sons": Sons.objects.count(),
            "topics": len(topic_ids),
            "requirements": Requirement.objects.count(),
            "decisions": Arbitration.objects.published().count(),
        },
        "overview": decisions_overview(),
        "topic_statuses": [(label, statuses[value]) for value, label in TopicStatus.choices],
    }


def state_cache_key(now) -> str:
    """The key of the dashboard's rendered overview (``{% cache %}`` in the
    template): stale when the decision pages are invalidated
    (arbitrations.caching), when an event changes, and when the next sharing
    session starts (its topics become "présentés")."""
    return caching.key(NAMESPACE, "dashboard", *progress_parts(now))


def dashboard_context(user) -> dict[str, Any]:
    now = timezone.now()
    calendar = _calendar(now)
    target = calendar["publication_target"]
    return {
        # Computed only when the rendered overview is not in the cache.
        "state": SimpleLazyObject(lambda: state_of_the_concertation(now)),
        "state_key": state_cache_key(now),
        "next_events": calendar["next_events"],
        "publication_target": target,
        "days_to_target": (timezone.localtime(target.starts_at).date() - timezone.localdate()).days
        if target
        else None,
        "feedback_waiting": _feedback_waiting(user),
    }


def _feedback_waiting(user) -> dict[str, Any] | None:
    """Leads: the feedback awaiting an answer, the oldest first; kept until
    a feedback changes (arbitrations.caching.FEEDBACK)."""
    if not may_answer_feedback(user):
        return None

    def compute() -> dict[str, Any]:
        waiting = Feedback.objects.visible_to(user).awaiting_answer()
        oldest = waiting.select_related("organisation", "topic").order_by("filed_at")
        return {
            "count": waiting.count(),
            "oldest": list(oldest[:5]),
            "mine": waiting.filter(assignee=user).count(),
        }

    return caching.cached(FEEDBACK, ("feedback_waiting", user.pk), compute)


def _calendar(now) -> dict[str, Any]:
    """The next five events and the publication target: kept until the
    calendar changes (calendar_app.caching) or the first of them starts."""

    def compute() -> dict[str, Any]:
        return {
            "next_events": list(Event.objects.upcoming(now)[:5]),
            "publication_target": Event.objects.filter(kind=Event.Kind.MILESTONE)
            .upcoming(now)
            .first(),
        }

    def expires(value: dict[str, Any]):
        starts = [event.starts_at for event in value["next_events"][:1]]
        if value["publication_target"] is not None:
            starts.append(value["publication_target"].starts_at)
        return min(starts, default=None)

    return caching.cached_until(EVENTS, ("dashboard_calendar",), compute, expires)
