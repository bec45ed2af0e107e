"""What the dashboard shows, computed with a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from arbitrations.decisions import TopicStatus, current_decisions, topic_progress
from arbitrations.models import Arbitration
from calendar_app.models import Event
from topics.models import Requirement, RequirementSons, Sons, Topic

PENDING = "pending"


@dataclass
class SonsDecisions:
    sons: Sons
    counts: list[int]  # one per column of DecisionTable.columns
    total: int


def decisions_by_sons(user) -> dict[str, Any]:
    """For each SONS, how many of its requirements are kept, modified,
    removed… or still pending (no decision yet)."""
    pairs = list(RequirementSons.objects.values_list("requirement_id", "sons_id"))
    decisions = current_decisions({requirement_id for requirement_id, _ in pairs}, user)
    tally: Counter[tuple[int, str]] = Counter()
    for pair in pairs:
        decision = decisions.get(pair)
        tally[(pair[1], decision.decision if decision else PENDING)] += 1
    columns = [*Arbitration.Decision.choices, (PENDING, None)]
    rows = [
        SonsDecisions(
            sons=sons,
            counts=[tally[(sons.pk, value)] for value, _ in columns],
            total=sum(tally[(sons.pk, value)] for value, _ in columns),
        )
        for sons in Sons.objects.all()
    ]
    totals = [sum(row.counts[i] for row in rows) for i in range(len(columns))]
    return {"columns": columns, "rows": rows, "totals": totals}


def dashboard_context(user) -> dict[str, Any]:
    now = timezone.now()
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    statuses = Counter(p.status for p in topic_progress(topic_ids, now).values())
    target = Event.objects.filter(kind=Event.Kind.MILESTONE).upcoming(now).first()
    return {
        "counts": {
            "sons": Sons.objects.count(),
            "topics": len(topic_ids),
            "requirements": Requirement.objects.count(),
            "decisions": Arbitration.objects.published().count(),
        },
        "decisions": decisions_by_sons(user),
        "topic_statuses": [(label, statuses[value]) for value, label in TopicStatus.choices],
        "next_events": list(Event.objects.upcoming(now).prefetch_related("audiences")[:5]),
        "publication_target": target,
        "days_to_target": (timezone.localtime(target.starts_at).date() - timezone.localdate()).days
        if target
        else None,
    }
