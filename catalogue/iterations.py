"""Iterations of the requirement sets (IT1 → IT2 → IT3…) and what changed
between any two of them, per SONS, per topic or for the whole catalogue.

Each import writes what its file says of each (requirement, SONS) for its
iteration (topics.IterationEntry); two iterations are compared from those
entries alone. Rows the authority did not publish ("HIDEME") and its
internal notes are the authority's: participants never see them here
(they are not in their comparison at all, not even as "removed").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arbitrations.models import Arbitration
from core.text import word_diff
from topics.models import Iteration, IterationEntry, Requirement, Sons

from .access import may_see_unpublished_rows

EVOLUTION_LABELS = dict(Arbitration.Decision.choices)

_ITERATION = re.compile(r"^(?:it[ée]ration|iteration|it)\s*(?:n[°o]\s*)?#?\s*(?P<n>\d{1,3})$", re.I)


def parse_iteration(label: str) -> tuple[str, str]:
    """(code, label) of an iteration as files name it: "Itération #3", "IT3",
    "it 3" → ("IT3", "Itération #3"); any other milestone ("Version 1.0")
    is its own code."""
    label = " ".join(str(label).split())
    if match := _ITERATION.match(label):
        number = int(match.group("n"))
        return f"IT{number}", f"Itération #{number}"
    code_limit = Iteration._meta.get_field("code").max_length
    label_limit = Iteration._meta.get_field("label").max_length
    return label[:code_limit], label[:label_limit]


def iteration_order(code: str) -> int:
    """IT1, IT2… in their order; other milestones before them."""
    if code.startswith("IT") and code[2:].isdigit():
        return int(code[2:]) * 10
    return 0


# --- Comparing two iterations ------------------------------------------------------------


class Change:
    NEW = "new"
    REMOVED = "removed"
    STATEMENT = "statement"
    DECISION = "decision"
    HIDDEN = "hidden"


CHANGE_LABELS = {
    Change.NEW: gettext_lazy("Nouvelle"),
    Change.REMOVED: gettext_lazy("Retirée"),
    Change.STATEMENT: gettext_lazy("Énoncé modifié"),
    Change.DECISION: gettext_lazy("Arbitrage changé"),
    Change.HIDDEN: gettext_lazy("Masquée (HIDEME)"),
}


def _words(text: str) -> str:
    """A statement as compared: blanks (non-breaking ones too) are the
    writer's layout, not a change."""
    return " ".join((text or "").split())


@dataclass
class PairChange:
    requirement: Requirement
    sons: Sons
    kinds: list[str]
    before: IterationEntry | None
    after: IterationEntry | None

    @property
    def labels(self) -> list[str]:
        return [str(CHANGE_LABELS[kind]) for kind in self.kinds]

    @property
    def parts(self) -> list:
        """The statement's word diff (computed for the rows shown only)."""
        if Change.STATEMENT not in self.kinds:
            return []
        return word_diff(self.before.statement, self.after.statement)

    def evolution(self, entry: IterationEntry | None) -> str:
        if entry is None or not entry.evolution:
            return ""
        return str(EVOLUTION_LABELS.get(entry.evolution, entry.evolution))

    @property
    def before_evolution(self) -> str:
        return self.evolution(self.before)

    @property
    def after_evolution(self) -> str:
        return self.evolution(self.after)


@dataclass
class Comparison:
    before: Iteration
    after: Iteration
    changes: list[PairChange] = field(default_factory=list)
    unchanged: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    per_sons: list[tuple[Sons, dict[str, int]]] = field(default_factory=list)


def _classify(before: IterationEntry | None, after: IterationEntry | None) -> list[str]:
    if after is not None and after.hidden:
        # Not published by the authority: that is the change (leads only).
        return [] if before is not None and before.hidden else [Change.HIDDEN]
    if before is None or before.hidden:
        return [Change.NEW]
    if after is None:
        return [Change.REMOVED]
    kinds = []
    if before.statement and after.statement and _words(before.statement) != _words(after.statement):
        kinds.append(Change.STATEMENT)
    if before.evolution and after.evolution and before.evolution != after.evolution:
        kinds.append(Change.DECISION)
    return kinds


def compare(
    before: Iteration,
    after: Iteration,
    *,
    user,
    sons: Sons | None = None,
    topic=None,
    kind: str = "",
) -> Comparison:
    """What changed from ``before`` to ``after`` for each (requirement, SONS)
    the two iterations hold, as ``user`` may see it, narrowed to a SONS, a
    topic and a kind of change. Two queries."""
    # Every entry, hidden ones too: a pair the authority hid in ``after`` is
    # left out whole for participants (not shown as "removed" either).
    entries = IterationEntry.objects.filter(iteration__in=[before, after]).select_related(
        "requirement", "requirement__topic", "sons"
    )
    unpublished = may_see_unpublished_rows(user)
    if sons is not None:
        entries = entries.filter(sons=sons)
    if topic is not None:
        entries = entries.filter(requirement__topic=topic)
    pairs: dict[tuple[int, int], dict[int, IterationEntry]] = defaultdict(dict)
    for entry in entries:
        pairs[(entry.requirement_id, entry.sons_id)][entry.iteration_id] = entry
    comparison = Comparison(before=before, after=after)
    counts: dict[str, int] = dict.fromkeys(CHANGE_LABELS, 0)
    per_sons: dict[int, tuple[Sons, dict[str, int]]] = {}
    for found in pairs.values():
        old, new = found.get(before.pk), found.get(after.pk)
        if not unpublished:
            if new is not None and new.hidden:
                continue
            if old is not None and old.hidden:
                old = None
            if old is None and new is None:
                continue
        kinds = _classify(old, new)
        some = new or old
        tally = per_sons.setdefault(some.sons_id, (some.sons, dict.fromkeys(CHANGE_LABELS, 0)))[1]
        if not kinds:
            comparison.unchanged += 1
            continue
        for name in kinds:
            counts[name] += 1
            tally[name] += 1
        if kind and kind not in kinds:
            continue
        comparison.changes.append(PairChange(some.requirement, some.sons, kinds, old, new))
    comparison.changes.sort(key=lambda c: (c.requirement.reference, c.sons.order, c.sons.code))
    comparison.counts = counts
    comparison.per_sons = sorted(per_sons.values(), key=lambda item: (item[0].order, item[0].code))
    return comparison


def comparison_dataset(comparison: Comparison, *, with_unpublished: bool):
    """The comparison as rows of text (catalogue.formats writes them): one
    per (requirement, SONS) that changed. The authority's internal notes
    only for those who may read them."""
    import tablib

    before, after = comparison.before.label, comparison.after.label
    headers = [
        _("ID Exigence"),
        _("REM"),
        _("Sujet"),
        _("Changements"),
        _("Énoncé — %s") % before,
        _("Énoncé — %s") % after,
        _("Arbitrage — %s") % before,
        _("Arbitrage — %s") % after,
    ]
    if with_unpublished:
        headers.append(_("Note interne — %s") % after)
    dataset = tablib.Dataset(
        headers=headers, title=f"{comparison.before.code}-{comparison.after.code}"
    )
    for change in comparison.changes:
        topic = change.requirement.topic
        values = [
            change.requirement.reference,
            change.sons.code,
            topic.label if topic else "",
            ", ".join(change.labels),
            change.before.statement if change.before else "",
            change.after.statement if change.after else "",
            change.evolution(change.before),
            change.evolution(change.after),
        ]
        if with_unpublished:
            values.append(change.after.internal_note if change.after else "")
        dataset.append(values)
    return dataset
