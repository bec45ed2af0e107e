"""What arbitrations adds to other apps' pages (core/sections.py): a topic's
status and decisions, a requirement's decisions and their history, the
decisions a sharing session announced. Registered from the app's ready()."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone

from calendar_app.models import Event
from core import caching, sections
from core.sections import Section
from topics.models import Requirement, RequirementSons, Sons, Topic
from topics.views import everyone, requirement_rows

from . import access
from .access import decidable_sons_ids, may_decide
from .caching import NAMESPACE, progress_parts
from .decisions import current_decisions, topic_progress
from .models import Arbitration
from .timeline import requirement_timeline


def _timing(request: HttpRequest) -> tuple:
    """What a topic's status depends on besides decisions, read once per request."""
    return sections.once(request, ("progress_parts",), lambda: progress_parts(timezone.now()))


def topic_status(request: HttpRequest, topic: Topic) -> dict:
    now = timezone.now()
    return {
        "progress": caching.cached(
            NAMESPACE,
            ("topic_progress", topic.pk, *_timing(request)),
            lambda: topic_progress([topic.pk], now)[topic.pk],
        )
    }


def _topic_decisions(request: HttpRequest, topic: Topic, everyone) -> dict:
    """The decisions part of a topic's page: its requirements and their
    current decision per SONS, the decisions on the topic itself."""
    requirements = list(
        topic.requirements.prefetch_related(
            Prefetch("applicabilities", RequirementSons.objects.select_related("sons"))
        )
    )
    decisions = current_decisions([r.pk for r in requirements], request.user)
    decidable = decidable_sons_ids(request.user)
    rows = [
        {
            "requirement": requirement,
            "decisions": [
                (row.sons, decisions.get((requirement.pk, row.sons_id)))
                for row in sorted(requirement.applicabilities.all(), key=lambda r: r.sons.order)
            ],
            "editable": any(row.sons_id in decidable for row in requirement.applicabilities.all()),
        }
        for requirement in requirements
    ]
    scope_ids = {sons.pk for sons in topic.scope.all()}
    return {
        "rows": rows,
        "topic_decisions": topic.arbitrations.visible_to(request.user)
        .select_related("session")
        .prefetch_related("sons"),
        "may_decide_any": any(row["editable"] for row in rows),
        "may_decide_topic": bool(scope_ids & decidable),
    }


TOPIC_DECISIONS = "arbitrations/sections/topic_decisions.html"


def topic_decisions(request: HttpRequest, topic: Topic) -> dict:
    """The decisions part of a topic's page. Editors and federations all
    read the same published decisions: rendered once until they change
    (arbitrations.caching); drafts, decision forms and CSRF tokens are the
    authority's own page."""
    if access.may_see_drafts(request.user) or request.htmx:
        return _topic_decisions(request, topic, everyone(request))

    html = caching.cached_partial(
        request,
        NAMESPACE,
        TOPIC_DECISIONS,
        lambda: {"topic": topic, **_topic_decisions(request, topic, everyone(request))},
        audience=access.audience(request.user),
        parts=(topic.pk, *_timing(request)),
    )
    return {"decisions_html": html}


def requirement_decisions(request: HttpRequest, requirement: Requirement) -> dict:
    """One block per decision, listing the SONS it covers ("en attente" for none)."""
    rows = requirement_rows(request, requirement)
    decisions = current_decisions([requirement.pk], request.user)
    groups: dict[int | None, tuple[Arbitration | None, list[Sons]]] = {}
    for row in rows:
        arbitration = decisions.get((requirement.pk, row.sons_id))
        key = arbitration.pk if arbitration else None
        groups.setdefault(key, (arbitration, []))[1].append(row.sons)
    decidable = decidable_sons_ids(request.user)
    return {
        "decision_groups": [
            (arbitration, covered, may_decide(request.user, covered) if arbitration else False)
            for arbitration, covered in groups.values()
        ],
        "editable_codes": [row.sons.code for row in rows if row.sons_id in decidable],
    }


def requirement_history(request: HttpRequest, requirement: Requirement) -> dict:
    return {"timeline": requirement_timeline(requirement, request.user)}


def session_decisions(request: HttpRequest, event: Event) -> dict | None:
    if event.kind != Event.Kind.SHARING_SESSION:
        return None
    decisions = (
        Arbitration.objects.visible_to(request.user)
        .filter(session=event)
        .select_related("requirement", "topic", "requirement__topic")
        .prefetch_related("sons")
        .order_by("requirement__topic__order", "requirement__reference", "topic__order")
    )
    return {"decisions": decisions}


def register() -> None:
    for section in (
        Section(
            "topics.topic",
            "breadcrumb",
            "topic_list",
            "arbitrations/sections/topic_breadcrumb.html",
        ),
        Section(
            "topics.topic",
            "badges",
            "status",
            "arbitrations/sections/topic_status.html",
            order=10,
            context=topic_status,
        ),
        Section(
            "topics.topic",
            "main",
            "decisions",
            TOPIC_DECISIONS,
            order=10,
            context=topic_decisions,
            target="topic-decisions",
        ),
        Section(
            "topics.requirement",
            "before_statement",
            "decisions",
            "arbitrations/sections/requirement_decisions.html",
            context=requirement_decisions,
        ),
        Section(
            "topics.requirement",
            "after_statement",
            "history",
            "arbitrations/sections/requirement_timeline.html",
            order=20,
            context=requirement_history,
        ),
        Section(
            "calendar_app.event",
            "end",
            "decisions",
            "arbitrations/sections/session_decisions.html",
            context=session_decisions,
        ),
    ):
        sections.register(section)
