"""What the dashboard shows, computed with a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from arbitrations.models import Arbitration
from calendar_app.models import Event
from topics.models import Requirement, Sons, Topic


def dashboard_context(user) -> dict[str, Any]:
    now = timezone.now()
    return {
        "counts": {
            "sons": Sons.objects.count(),
            "topics": Topic.objects.count(),
            "requirements": Requirement.objects.count(),
            "decisions": Arbitration.objects.published().count(),
        },
        "next_events": list(Event.objects.filter(starts_at__gte=now).order_by("starts_at")[:5]),
    }
