"""Reading decisions: the current decision of each (requirement, SONS) pair
and the status of each topic, in a fixed number of queries whatever the
number of requirements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, TextChoices
from django.utils.translation import gettext_lazy as _

from calendar_app.models import AgendaItem, Event
from topics.models import RequirementSons

from .models import Arbitration

Pair = tuple[int, int]  # (requirement or topic id, SONS id)

# Published decisions by publication date, then drafts (no date: last on
# every database, SQLite sorts NULL first otherwise), then by creation.
LATEST_LAST = (
    F("arbitration__published_at").asc(nulls_last=True),
    "arbitration__created_at",
    "arbitration_id",
)


def current_decisions(
    subject_ids: Iterable[int], user, *, on: str = "requirement"
) -> dict[Pair, Arbitration]:
    """The current decision of every (subject, SONS) pair: the latest
    arbitration covering that SONS, among those the user may see (published
    ones, and drafts for the authority, a draft counting as the latest).
    The subjects are requirements, or with ``on="topic"`` topics (decisions
    taken on a topic itself: administrative subjects)."""
    subject_id = {"requirement": "requirement_id", "topic": "topic_id"}[on]
    links = (
        Arbitration.sons.through.objects.filter(
            arbitration__in=Arbitration.objects.visible_to(user).filter(
                **{f"{subject_id}__in": list(subject_ids)}
            )
        )
        .select_related("arbitration", "arbitration__session")
        .order_by(*LATEST_LAST)
    )
    decisions: dict[Pair, Arbitration] = {}
    for link in links:
        # Later rows win: published ones by publication date, then drafts.
        decisions[(getattr(link.arbitration, subject_id), link.sons_id)] = link.arbitration
    return decisions


def published_before(requirement_ids: Iterable[int]) -> dict[Pair, list[Arbitration]]:
    """Every published decision of each (requirement, SONS) pair, oldest first:
    what a pair's decision was before its current one."""
    links = (
        Arbitration.sons.through.objects.filter(
            arbitration__status=Arbitration.Status.PUBLISHED,
            arbitration__requirement_id__in=list(requirement_ids),
        )
        .select_related("arbitration", "arbitration__session")
        .order_by("arbitration__published_at", "arbitration_id")
    )
    history: dict[Pair, list[Arbitration]] = defaultdict(list)
    for link in links:
        history[(link.arbitration.requirement_id, link.sons_id)].append(link.arbitration)
    return history


class TopicStatus(TextChoices):
    TO_PROCESS = "to_process", _("À traiter")
    PRESENTED = "presented", _("Présenté")
    DECIDED = "decided", _("Arbitré")


@dataclass
class TopicProgress:
    status: str = TopicStatus.TO_PROCESS
    pairs: int = 0  # (requirement, SONS) pairs in the topic
    decided: int = 0  # pairs with a final published decision

    @property
    def label(self) -> str:
        return TopicStatus(self.status).label


@dataclass
class _Tally:
    pairs: set[Pair] = field(default_factory=set)
    final: set[Pair] = field(default_factory=set)


# Work other apps keep open on topics (argued feedback awaiting an answer:
# concertation registers it): a topic with open work is not "arbitré".
# Each function takes topic ids and returns those with work still open.
OPEN_WORK: list[Callable[[list[int]], set[int]]] = []


def register_open_work(find: Callable[[list[int]], set[int]]) -> None:
    if find not in OPEN_WORK:
        OPEN_WORK.append(find)


def topics_with_open_work(topic_ids: Iterable[int]) -> set[int]:
    topic_ids = list(topic_ids)
    found: set[int] = set()
    for find in OPEN_WORK:
        found |= find(topic_ids)
    return found


def topic_progress(topic_ids: Iterable[int], now: datetime) -> dict[int, TopicProgress]:
    """Status of each topic, derived, never typed:

    - "arbitré" when every (requirement, SONS) pair of the topic has a final
      published decision (a topic without requirements: when it has a final
      published topic-level decision) and no other app keeps work open on it
      (``OPEN_WORK``: every argued feedback filed on it is answered);
    - "présenté" when it was on the agenda of a sharing session already held;
    - "à traiter" otherwise.
    """
    topic_ids = list(topic_ids)
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for requirement_id, sons_id, topic_id in RequirementSons.objects.filter(
        requirement__topic_id__in=topic_ids
    ).values_list("requirement_id", "sons_id", "requirement__topic_id"):
        tallies[topic_id].pairs.add((requirement_id, sons_id))

    decided_topics: set[int] = set()
    final = Arbitration.objects.published().exclude(decision=Arbitration.Decision.UNDER_INSTRUCTION)
    latest: dict[Pair, tuple[int, bool]] = {}
    for requirement_id, topic_id, sons_id, decision in (
        Arbitration.sons.through.objects.filter(arbitration__status=Arbitration.Status.PUBLISHED)
        .filter(arbitration__requirement__topic_id__in=topic_ids)
        .order_by("arbitration__published_at", "arbitration_id")
        .values_list(
            "arbitration__requirement_id",
            "arbitration__requirement__topic_id",
            "sons_id",
            "arbitration__decision",
        )
    ):
        latest[(requirement_id, sons_id)] = (
            topic_id,
            decision != Arbitration.Decision.UNDER_INSTRUCTION,
        )
    for pair, (topic_id, is_final) in latest.items():
        if is_final:
            tallies[topic_id].final.add(pair)
    decided_topics.update(final.filter(topic_id__in=topic_ids).values_list("topic_id", flat=True))
    presented = set(
        AgendaItem.objects.filter(
            topic_id__in=topic_ids,
            event__kind=Event.Kind.SHARING_SESSION,
            event__starts_at__lte=now,
        ).values_list("topic_id", flat=True)
    )

    open_work = topics_with_open_work(topic_ids)
    progress = {}
    for topic_id in topic_ids:
        tally = tallies[topic_id]
        decided = len(tally.final & tally.pairs)
        done = decided == len(tally.pairs) if tally.pairs else topic_id in decided_topics
        done = done and topic_id not in open_work
        if done:
            status = TopicStatus.DECIDED
        elif topic_id in presented:
            status = TopicStatus.PRESENTED
        else:
            status = TopicStatus.TO_PROCESS
        progress[topic_id] = TopicProgress(status=status, pairs=len(tally.pairs), decided=decided)
    return progress
