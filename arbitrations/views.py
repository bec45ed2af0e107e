"""Topics and requirements with their decisions: the pages every participant reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.validators import slug_re
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from calendar_app.caching import NAMESPACE as EVENTS
from calendar_app.models import Event
from concertation import access as concertation_access
from concertation.comments import services as comments
from concertation.comments.forms import InternalNoteForm
from concertation.comments.views import SUBJECT_PAGE_DISCUSSIONS, thread_context
from concertation.feedback.summary import feedback_section
from core import caching
from core.htmx import render_page
from core.text import whole_number, word_diff
from topics.access import may_see_unlisted_requirements
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons, Topic
from topics.services import concertation_sons, scope_label, statements_by_text

from . import access
from .access import decidable_sons_ids, may_decide
from .caching import NAMESPACE, progress_parts
from .decisions import TopicStatus, current_decisions, topic_progress
from .models import Arbitration
from .timeline import requirement_timeline

KIND_ORDER = [
    Topic.Kind.TECHNICAL,
    Topic.Kind.LGC_SPECIFIC,
    Topic.Kind.ADMINISTRATIVE,
    Topic.Kind.EDITOR_JOURNEY,
]


def get_topic(key: str) -> Topic:
    """A topic by its number ("7") or its slug; anything else (a posted
    ``sujet`` with a NUL, which PostgreSQL refuses) is no topic."""
    number = whole_number(key)
    if number is None and not slug_re.fullmatch(key):
        raise Http404("No such topic")
    lookup = {"number": number} if number is not None else {"slug": key}
    return get_object_or_404(Topic.objects.prefetch_related("scope"), **lookup)


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

    def results() -> str:
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
        context = {
            "groups": [(label, items) for label, items in groups if items],
            "count": len(rows),
        }
        return render_to_string("arbitrations/topic_list.html#results", context, request)

    # The same list for everyone: rendered once until decisions, topics or
    # the calendar change (arbitrations.caching).
    parts = ("topic_list", get_language(), sons_code, status, *progress_parts(now))
    context = {
        "results_html": caching.cached(NAMESPACE, parts, results),
        "sons_choices": all_sons,
        "status_choices": TopicStatus.choices,
        "selected": {"sons": sons_code, "statut": status},
    }
    return render_page(request, "arbitrations/topic_list.html", context, partial="results")


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


@require_GET
def topic_detail(request: HttpRequest, key: str) -> HttpResponse:
    topic = get_topic(key)
    everyone = concertation_sons()
    now = timezone.now()

    def events_html() -> str:
        events = (
            Event.objects.filter(agenda_items__topic=topic)
            .distinct()
            .order_by("starts_at", "target_week")
        )
        return render_to_string("arbitrations/topic_detail.html#events", {"events": events})

    timing = progress_parts(now)
    context = {
        "topic": topic,
        "scope": scope_label(topic.scope.all(), everyone),
        "progress": caching.cached(
            NAMESPACE,
            ("topic_progress", topic.pk, *timing),
            lambda: topic_progress([topic.pk], now)[topic.pk],
        ),
        # The same for everyone: rendered once until the calendar changes.
        "events_html": caching.cached(
            EVENTS, ("topic_events", topic.pk, get_language()), events_html
        ),
        "feedback_html": feedback_section(request, topic),
        **thread_context(request, topic, latest=SUBJECT_PAGE_DISCUSSIONS),
    }
    if access.may_see_drafts(request.user) or request.htmx:
        # Drafts, decision forms and CSRF tokens: the authority's own page.
        context.update(_topic_decisions(request, topic, everyone))
    else:
        # Editors and federations all read the same published decisions:
        # rendered once until they change (arbitrations.caching).
        def decisions_html() -> str:
            partial = {**context, **_topic_decisions(request, topic, everyone)}
            return render_to_string("arbitrations/topic_detail.html#decisions", partial, request)

        parts = (
            "topic_decisions",
            topic.pk,
            *access.audience(request.user),
            get_language(),
            *timing,
        )
        context["decisions_html"] = caching.cached(NAMESPACE, parts, decisions_html)
    return render_page(request, "arbitrations/topic_detail.html", context, partial="decisions")


@dataclass
class VersionGroup:
    """The version history of a statement, shared by the SONS listed."""

    sons: list[Sons]
    versions: list[RequirementVersion]

    @property
    def codes(self) -> str:
        return ", ".join(sons.code for sons in self.sons)

    @property
    def previous(self) -> RequirementVersion | None:
        return self.versions[-2] if len(self.versions) > 1 else None

    @property
    def current(self) -> RequirementVersion:
        return self.versions[-1]

    @property
    def diff(self):
        if self.previous is None:
            return None
        return word_diff(self.previous.statement, self.current.statement)


def version_groups(versions: list[RequirementVersion]) -> list[VersionGroup]:
    per_sons: dict[Sons, list[RequirementVersion]] = defaultdict(list)
    for version in versions:
        per_sons[version.sons].append(version)
    groups: dict[tuple, VersionGroup] = {}
    for sons in sorted(per_sons, key=lambda s: (s.order, s.code)):
        history = per_sons[sons]
        key = tuple((v.label, v.statement) for v in history)
        groups.setdefault(key, VersionGroup([], history)).sons.append(sons)
    return list(groups.values())


@require_GET
def requirement_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if reference.endswith("/"):
        return redirect("requirement_detail", reference=reference.rstrip("/"), permanent=True)
    requirement = get_object_or_404(
        Requirement.objects.select_related("topic"), reference=reference
    )
    applicabilities = list(requirement.applicabilities.select_related("sons"))
    if not applicabilities and not may_see_unlisted_requirements(request.user):
        raise Http404
    decisions = current_decisions([requirement.pk], request.user)
    rows = sorted(applicabilities, key=lambda r: (r.sons.order, r.sons.code))
    # One block per decision, listing the SONS it covers ("en attente" for none).
    decision_groups: dict[int | None, tuple[Arbitration | None, list[Sons]]] = {}
    for row in rows:
        arbitration = decisions.get((requirement.pk, row.sons_id))
        key = arbitration.pk if arbitration else None
        decision_groups.setdefault(key, (arbitration, []))[1].append(row.sons)
    decidable = decidable_sons_ids(request.user)
    versions = list(requirement.versions.select_related("sons").order_by("created_at", "pk"))
    context = {
        "requirement": requirement,
        "statements": statements_by_text(applicabilities),
        "perimeter": ", ".join(row.sons.code for row in rows),
        "decision_groups": [
            (arbitration, covered, may_decide(request.user, covered) if arbitration else False)
            for arbitration, covered in decision_groups.values()
        ],
        "editable_codes": [row.sons.code for row in rows if row.sons_id in decidable],
        "timeline": requirement_timeline(requirement, request.user),
        "version_groups": version_groups(versions),
        "feedback_html": feedback_section(request, requirement.topic, requirement)
        if requirement.topic
        else None,
        **thread_context(request, requirement, latest=SUBJECT_PAGE_DISCUSSIONS),
    }
    if concertation_access.may_read_internal_notes(request.user):
        # The leads' notes: only ever put in the context of the authority.
        context["notes"] = comments.internal_notes(request.user, requirement)
        context["note_form"] = InternalNoteForm(auto_id="note-%s")
    return render_page(request, "arbitrations/requirement_detail.html", context)
