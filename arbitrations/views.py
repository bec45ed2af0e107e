"""The topics list with each topic's progress (a topic's and a requirement's
pages are topics/', with the decisions arbitrations/sections.py adds)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core import caching
from core.htmx import render_page
from topics.models import Sons, Topic
from topics.services import scope_label

from .caching import NAMESPACE, progress_parts
from .decisions import TopicStatus, topic_progress

KIND_ORDER = [
    Topic.Kind.TECHNICAL,
    Topic.Kind.LGC_SPECIFIC,
    Topic.Kind.ADMINISTRATIVE,
    Topic.Kind.EDITOR_JOURNEY,
]


@dataclass
class TopicRow:
    topic: Topic
    scope: str
    progress: object
    requirement_count: int


@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    all_sons = list(Sons.objects.all())
    everyone = [sons for sons in all_sons if sons.in_concertation]
    # Meta.ordering does not apply to aggregating queries: order explicitly.
    topics = (
        Topic.objects.prefetch_related("scope")
        .annotate(requirement_count=Count("requirements"))
        .order_by("order", "number")
    )
    sons_code = request.GET.get("sons", "")
    if sons_code:
        topics = topics.filter(scope__code=sons_code)
    status = request.GET.get("statut", "")
    now = timezone.now()

    def results() -> dict:
        listed = list(topics)
        progress = topic_progress([t.pk for t in listed], now)
        rows = [
            TopicRow(t, scope_label(t.scope.all(), everyone), progress[t.pk], t.requirement_count)
            for t in listed
            if not status or progress[t.pk].status == status
        ]
        groups = [
            (Topic.Kind(kind).label, [row for row in rows if row.topic.kind == kind])
            for kind in KIND_ORDER
        ]
        return {
            "groups": [(label, items) for label, items in groups if items],
            "count": len(rows),
        }

    # The same list for everyone (published decisions only): rendered once
    # until decisions, topics or the calendar change (arbitrations.caching).
    context = {
        "results_html": caching.cached_partial(
            request,
            NAMESPACE,
            "arbitrations/topic_list.html#results",
            results,
            parts=(sons_code, status, *progress_parts(now)),
        ),
        "sons_choices": all_sons,
        "status_choices": TopicStatus.choices,
        "selected": {"sons": sons_code, "statut": status},
    }
    return render_page(request, "arbitrations/topic_list.html", context, partial="results")
