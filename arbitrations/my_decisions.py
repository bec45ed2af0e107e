"""'Mes décisions': the published decisions on a person's SONS, with what is
new or modified since their previous visit. Published decisions only, for
everyone (leads included): it is what the editors read."""

from __future__ import annotations

import bisect
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import caching
from topics.models import RequirementSons, Sons, Topic

from .caching import NAMESPACE
from .decisions import published_before
from .models import Arbitration, DecisionsSeen

NEW = "new"
MODIFIED = "modified"
BADGES = {NEW: _("nouveau"), MODIFIED: _("modifié")}
SESSION_KEY = "my_decisions_since"


# Marks the places of a rendered "Mes décisions" that depend on the reader's
# previous visit (core text never holds NUL: PostgreSQL refuses it, Django's
# form fields reject it).
SLOT = "\x00"


@dataclass
class Line:
    """One SONS' current decision on a requirement (or topic)."""

    sons: Sons
    arbitration: Arbitration
    previous: Arbitration | None
    badge: str | None
    index: int = 0

    # Slots filled per reader (``rendered_decisions``): the row's class, its
    # badge, the link to a new statement; all three only for a line new to
    # the reader.
    @property
    def class_slot(self) -> str:
        return mark_safe(f"{SLOT}c{self.index}{SLOT}")  # noqa: S308 - no outside text

    @property
    def badge_slot(self) -> str:
        return mark_safe(f"{SLOT}b{self.index}{SLOT}")  # noqa: S308 - no outside text

    @property
    def link_slot(self) -> str:
        return mark_safe(f"{SLOT}l{self.index}{SLOT}")  # noqa: S308 - no outside text


@dataclass
class Item:
    requirement: object | None
    topic: Topic | None
    lines: list[Line] = field(default_factory=list)


@dataclass
class Group:
    topic: Topic | None
    items: list[Item] = field(default_factory=list)


def _badge(arbitration: Arbitration, previous, since: datetime | None) -> str | None:
    if since is not None and arbitration.published_at and arbitration.published_at <= since:
        return None
    return MODIFIED if previous is not None else NEW


def decisions_by_topic(sons: list[Sons], since: datetime | None) -> list[Group]:
    """Published decisions on ``sons``, grouped by topic in the topics' order.
    ``since``: the end of the previous visit (None: everything is new)."""
    sons_by_id = {s.pk: s for s in sons}
    applicabilities = list(
        RequirementSons.objects.filter(sons__in=sons)
        .select_related("requirement", "requirement__topic")
        .order_by("requirement__reference")
    )
    history = published_before({row.requirement_id for row in applicabilities})
    items: dict[tuple[str, int], Item] = {}
    for row in applicabilities:
        published = history.get((row.requirement_id, row.sons_id))
        if not published:
            continue
        item = items.setdefault(
            ("r", row.requirement_id), Item(row.requirement, row.requirement.topic)
        )
        current, previous = published[-1], (published[-2] if len(published) > 1 else None)
        item.lines.append(
            Line(sons_by_id[row.sons_id], current, previous, _badge(current, previous, since))
        )

    topic_links = (
        Arbitration.sons.through.objects.filter(
            sons__in=sons,
            arbitration__status=Arbitration.Status.PUBLISHED,
            arbitration__topic__isnull=False,
        )
        .select_related("arbitration", "arbitration__topic", "arbitration__session")
        .order_by("arbitration__published_at", "arbitration_id")
    )
    per_pair: dict[tuple[int, int], list[Arbitration]] = defaultdict(list)
    for link in topic_links:
        per_pair[(link.arbitration.topic_id, link.sons_id)].append(link.arbitration)
    for (topic_id, sons_id), published in sorted(per_pair.items()):
        current, previous = published[-1], (published[-2] if len(published) > 1 else None)
        item = items.setdefault(("t", topic_id), Item(None, current.topic))
        item.lines.append(
            Line(sons_by_id[sons_id], current, previous, _badge(current, previous, since))
        )

    for item in items.values():
        item.lines.sort(key=lambda line: (line.sons.order, line.sons.code))
    groups: dict[int | None, Group] = {}
    ordered = sorted(
        items.values(),
        key=lambda i: (
            i.topic is None,
            i.topic.order if i.topic else 0,
            i.requirement is not None,
            i.requirement.reference if i.requirement else "",
        ),
    )
    for item in ordered:
        key = item.topic.pk if item.topic else None
        groups.setdefault(key, Group(item.topic)).items.append(item)
    return list(groups.values())


GROUPS = "arbitrations/includes/my_decisions_groups.html"


def _news_fragments() -> dict[str, dict[str, str]]:
    """What fills the class and badge slots of a line new to the reader,
    for each badge (the template's partials, rendered once per rendering)."""
    return {
        badge: {
            "c": render_to_string(f"{GROUPS}#news_class", {"badge": badge}),
            "b": render_to_string(f"{GROUPS}#news_badge", {"badge": badge, "label": label}),
        }
        for badge, label in BADGES.items()
    }


def _news_link(line: Line, requirement) -> str:
    """What fills the link slot of a line new to the reader: to the new statement, if any."""
    if not (line.arbitration.new_statement and requirement is not None):
        return ""
    return render_to_string(f"{GROUPS}#news_link", {"reference": requirement.reference})


# Topics per page of "Mes décisions": the page stays the same size however
# many topics and requirements the concertation grows to.
TOPICS_PER_PAGE = 10


@dataclass
class NewsIndex:
    """When each line of a SONS set's "Mes décisions" was published, kept
    small (arrays of numbers, not the pages) so that a reader's counts and
    the pages holding their news cost a binary search, not a walk over
    every line: ``stamps`` are the distinct publication times, ascending;
    ``new_from[i]`` and ``modified_from[i]`` count the lines published at
    ``stamps[i]`` or later; ``page_latest[n]`` is the latest publication on
    page n + 1."""

    stamps: array
    new_from: array
    modified_from: array
    page_latest: array

    @property
    def page_count(self) -> int:
        return len(self.page_latest)

    def news(self, since: datetime | None) -> tuple[dict[str, int], list[int]]:
        """How many lines are new and modified after ``since``, and on which pages."""
        after = float("-inf") if since is None else since.timestamp()
        first = bisect.bisect_right(self.stamps, after)
        counts = {NEW: 0, MODIFIED: 0}
        if first < len(self.stamps):
            counts = {NEW: self.new_from[first], MODIFIED: self.modified_from[first]}
        pages = [n + 1 for n, latest in enumerate(self.page_latest) if latest > after]
        return counts, pages


def _render_decisions(sons: list[Sons]) -> tuple[NewsIndex, list[dict]]:
    """The decisions of ``sons`` rendered once for every reader, in pages of
    ``TOPICS_PER_PAGE`` topics: each page's HTML cut at the slots with, for
    each of its lines, when it was published and what fills its slots when
    it is new to the reader; and the index of the news."""
    groups = decisions_by_topic(sons, None)
    news = _news_fragments()
    pages = []
    per_stamp: dict[float, dict[str, int]] = defaultdict(lambda: {NEW: 0, MODIFIED: 0})
    page_latest = array("d")
    index = 0
    for start in range(0, len(groups), TOPICS_PER_PAGE):
        chunk = groups[start : start + TOPICS_PER_PAGE]
        lines = {}
        for group in chunk:
            for item in group.items:
                for line in item.lines:
                    line.index = index = index + 1
                    stamp = line.arbitration.published_at.timestamp()
                    fragments = {**news[line.badge], "l": _news_link(line, item.requirement)}
                    lines[index] = (stamp, fragments)
                    per_stamp[stamp][line.badge] += 1
        html = render_to_string(GROUPS, {"groups": chunk})
        pages.append({"parts": html.split(SLOT), "lines": lines})
        page_latest.append(max((stamp for stamp, _ in lines.values()), default=float("-inf")))
    if not pages:
        html = render_to_string(GROUPS)
        pages.append({"parts": [html], "lines": {}})
        page_latest.append(float("-inf"))
    stamps = array("d", sorted(per_stamp))
    new_from, modified_from = array("q", [0] * len(stamps)), array("q", [0] * len(stamps))
    new_total = modified_total = 0
    for position in range(len(stamps) - 1, -1, -1):
        new_total += per_stamp[stamps[position]][NEW]
        modified_total += per_stamp[stamps[position]][MODIFIED]
        new_from[position], modified_from[position] = new_total, modified_total
    return NewsIndex(stamps, new_from, modified_from, page_latest), pages


@dataclass
class RenderedDecisions:
    html: str
    counts: dict[str, int]
    page: Page
    # The numbers of the pages holding lines new or modified for the reader.
    pages_with_news: list[int]


def _page_number(page: str | int | None) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def rendered_decisions(
    sons: list[Sons], since: datetime | None, page: str | int | None = None
) -> RenderedDecisions:
    """ "Mes décisions" for a reader whose previous visit ended at ``since``:
    one page of the HTML, how many lines are new and modified for them in
    all, and on which pages. The rendering is shared by everyone with the
    same SONS (cached until the decision pages are invalidated,
    arbitrations.caching), each page and the index of the news apart: a
    request reads one page and the index, whatever the number of pages;
    only the badges are the reader's."""
    sons_ids = sorted(s.pk for s in sons)
    language = get_language()
    token = caching.version(NAMESPACE)
    # The index is a pickle of NewsIndex: its key changes with the class's
    # module (arbitrations.mine before), lest a deployment read the old one.
    index_key = caching.versioned_key(NAMESPACE, token, ("my_decisions_news", sons_ids))

    def page_key(number: int) -> str:
        parts = ("my_decisions_page", language, sons_ids, number)
        return caching.versioned_key(NAMESPACE, token, parts)

    def render_and_keep() -> tuple[NewsIndex, list[dict]]:
        index, rendered = _render_decisions(sons)
        values = {page_key(n): part for n, part in enumerate(rendered, start=1)}
        cache.set_many({index_key: index, **values}, caching.TIMEOUT)
        return index, rendered

    wanted = _page_number(page)
    found = cache.get_many([index_key, page_key(wanted)])
    index, chosen_page = found.get(index_key), found.get(page_key(wanted))
    rendered = None
    if index is None or (chosen_page is None and wanted <= index.page_count):
        index, rendered = render_and_keep()
    chosen = Paginator(range(index.page_count), 1).get_page(page)
    if rendered is not None:
        chosen_page = rendered[chosen.number - 1]
    elif chosen_page is None or chosen.number != wanted:  # past the last page
        chosen_page = cache.get(page_key(chosen.number))
        if chosen_page is None:  # evicted meanwhile
            index, rendered = render_and_keep()
            chosen_page = rendered[min(chosen.number, index.page_count) - 1]
    counts, pages_with_news = index.news(since)
    after = float("-inf") if since is None else since.timestamp()
    out = []
    for position, part in enumerate(chosen_page["parts"]):
        if position % 2 == 0:
            out.append(part)
            continue
        stamp, fragments = chosen_page["lines"][int(part[1:])]
        if stamp > after:
            out.append(fragments[part[0]])
    return RenderedDecisions(
        mark_safe("".join(out)),  # noqa: S308 - rendered by our templates
        counts,
        chosen,
        pages_with_news,
    )


def visit_baseline(request) -> datetime | None:
    """The end of the previous visit, fixed for the whole of this visit (the
    browser session), so that badges stay while the person reads; the next
    visit starts from now."""
    if SESSION_KEY in request.session:
        stored = request.session[SESSION_KEY]
        return parse_datetime(stored) if stored else None
    seen = DecisionsSeen.objects.filter(user=request.user).first()
    baseline = seen.seen_until if seen else None
    request.session[SESSION_KEY] = baseline.isoformat() if baseline else ""
    DecisionsSeen.objects.update_or_create(
        user=request.user, defaults={"seen_until": timezone.now()}
    )
    return baseline


def mark_everything_seen(request) -> None:
    now = timezone.now()
    request.session[SESSION_KEY] = now.isoformat()
    DecisionsSeen.objects.update_or_create(user=request.user, defaults={"seen_until": now})


def feed_arbitrations(sons: list[Sons], limit: int = 100) -> list[Arbitration]:
    """The latest published decisions on ``sons``, newest first."""
    return list(
        Arbitration.objects.published()
        .filter(sons__in=sons)
        .distinct()
        .select_related("requirement", "topic", "session")
        .prefetch_related(Prefetch("sons", Sons.objects.order_by("order", "code")))
        .order_by("-published_at", "-pk")[:limit]
    )
