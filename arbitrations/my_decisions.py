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
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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


@dataclass
class Line:
    """One SONS' current decision on a requirement (or topic)."""

    sons: Sons
    arbitration: Arbitration
    previous: Arbitration | None


@dataclass
class Item:
    requirement: object | None
    topic: Topic | None
    lines: list[Line] = field(default_factory=list)


@dataclass
class Group:
    topic: Topic | None
    items: list[Item] = field(default_factory=list)


def decisions_by_topic(sons: list[Sons]) -> list[Group]:
    """Published decisions on ``sons``, grouped by topic in the topics' order."""
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
        item.lines.append(Line(sons_by_id[row.sons_id], current, previous))

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
        item.lines.append(Line(sons_by_id[sons_id], current, previous))

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


# --- The page ----------------------------------------------------------------------
#
# What every reader of the same SONS sees alike is kept in the cache as plain
# values, a page at a time; each request sets the reader's badges on its
# page and the template renders it.

# Topics per page of "Mes décisions": the page stays the same size however
# many topics and requirements the concertation grows to.
TOPICS_PER_PAGE = 10


@dataclass
class ShownLine:
    """A line of the page: one SONS' current decision on a requirement (or
    its topic). ``badge`` is the reader's (``NEW``, ``MODIFIED`` or None),
    set at each request; the rest is the same for every reader."""

    sons: Sons
    decision: str
    previous_decision: str  # "" for a first decision
    comment: str
    has_new_statement: bool
    published_at: datetime
    session_title: str
    badge: str | None = None

    # What includes/decision_badge.html reads of a decision besides the two below.
    is_published = True

    def get_decision_display(self) -> str:
        return Arbitration.Decision(self.decision).label

    def get_previous_decision_display(self) -> str:
        return Arbitration.Decision(self.previous_decision).label

    @property
    def badge_label(self) -> str:
        return BADGES.get(self.badge, "")

    @property
    def news_kind(self) -> str:
        """The badge this line gives whoever has not seen it yet."""
        return MODIFIED if self.previous_decision else NEW


@dataclass
class ShownItem:
    reference: str  # the requirement's; "" for the topic itself
    lines: list[ShownLine]


@dataclass
class ShownGroup:
    topic_key: str  # in the topic's URL; "" for the requirements outside any topic
    topic_number: int | None
    topic_label: str
    items: list[ShownItem]

    @property
    def lines(self):
        return (line for item in self.items for line in item.lines)


def _shown(group: Group) -> ShownGroup:
    topic = group.topic
    return ShownGroup(
        topic_key=str(topic.number or topic.slug) if topic else "",
        topic_number=topic.number if topic else None,
        topic_label=topic.label if topic else "",
        items=[
            ShownItem(
                item.requirement.reference if item.requirement else "",
                [
                    ShownLine(
                        sons=line.sons,
                        decision=line.arbitration.decision,
                        previous_decision=line.previous.decision if line.previous else "",
                        comment=line.arbitration.comment,
                        has_new_statement=bool(line.arbitration.new_statement),
                        published_at=line.arbitration.published_at,
                        session_title=(
                            line.arbitration.session.title if line.arbitration.session else ""
                        ),
                    )
                    for line in item.lines
                ],
            )
            for item in group.items
        ],
    )


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


def _pages(sons: list[Sons]) -> tuple[NewsIndex, list[list[ShownGroup]]]:
    """The decisions of ``sons`` for every reader, in pages of
    ``TOPICS_PER_PAGE`` topics, and the index of the news."""
    groups = decisions_by_topic(sons)
    pages = []
    per_stamp: dict[float, dict[str, int]] = defaultdict(lambda: {NEW: 0, MODIFIED: 0})
    page_latest = array("d")
    for start in range(0, len(groups), TOPICS_PER_PAGE):
        page = [_shown(group) for group in groups[start : start + TOPICS_PER_PAGE]]
        latest = float("-inf")
        for line in (line for group in page for line in group.lines):
            stamp = line.published_at.timestamp()
            per_stamp[stamp][line.news_kind] += 1
            latest = max(latest, stamp)
        pages.append(page)
        page_latest.append(latest)
    if not pages:
        pages.append([])
        page_latest.append(float("-inf"))
    stamps = array("d", sorted(per_stamp))
    new_from, modified_from = array("q", [0] * len(stamps)), array("q", [0] * len(stamps))
    new_total = modified_total = 0
    for position in range(len(stamps) - 1, -1, -1):
        new_total += per_stamp[stamps[position]][NEW]
        modified_total += per_stamp[stamps[position]][MODIFIED]
        new_from[position], modified_from[position] = new_total, modified_total
    return NewsIndex(stamps, new_from, modified_from, page_latest), pages


# The cache holds pickles of this module's classes: when their module or
# shape changes, so do these names, lest a deployment read the old ones.
def index_key(token: str, sons_ids: list[int]) -> str:
    return caching.versioned_key(NAMESPACE, token, ("my_decisions_news", sons_ids))


def page_key(token: str, sons_ids: list[int], number: int) -> str:
    return caching.versioned_key(NAMESPACE, token, ("my_decisions_page", sons_ids, number))


@dataclass
class DecisionsPage:
    groups: list[ShownGroup]
    counts: dict[str, int]
    page: Page
    # The numbers of the pages holding lines new or modified for the reader.
    pages_with_news: list[int]


def _page_number(page: str | int | None) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def decisions_page(
    sons: list[Sons], since: datetime | None, page: str | int | None = None
) -> DecisionsPage:
    """ "Mes décisions" for a reader whose previous visit ended at ``since``:
    one page of it, how many lines are new and modified for them in all,
    and on which pages. The pages are shared by everyone with the same SONS
    (cached until the decision pages are invalidated, arbitrations.caching),
    each page and the index of the news apart: a request reads one page and
    the index, whatever the number of pages; only the badges are the
    reader's."""
    sons_ids = sorted(s.pk for s in sons)
    token = caching.version(NAMESPACE)

    def compute_and_keep() -> tuple[NewsIndex, list[list[ShownGroup]]]:
        index, pages = _pages(sons)
        values = {page_key(token, sons_ids, n): groups for n, groups in enumerate(pages, 1)}
        cache.set_many({index_key(token, sons_ids): index, **values}, caching.TIMEOUT)
        return index, pages

    wanted = _page_number(page)
    found = cache.get_many([index_key(token, sons_ids), page_key(token, sons_ids, wanted)])
    index, computed = found.get(index_key(token, sons_ids)), None
    if index is None:
        index, computed = compute_and_keep()
    chosen = Paginator(range(index.page_count), 1).get_page(page)
    if computed is None:
        groups = found.get(page_key(token, sons_ids, chosen.number))
        if groups is None and chosen.number != wanted:  # past the last page
            groups = cache.get(page_key(token, sons_ids, chosen.number))
        if groups is None:  # evicted meanwhile
            index, computed = compute_and_keep()
            chosen = Paginator(range(index.page_count), 1).get_page(page)
    if computed is not None:
        groups = computed[chosen.number - 1]
    after = float("-inf") if since is None else since.timestamp()
    for line in (line for group in groups for line in group.lines):
        line.badge = line.news_kind if line.published_at.timestamp() > after else None
    counts, pages_with_news = index.news(since)
    return DecisionsPage(groups, counts, chosen, pages_with_news)


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
