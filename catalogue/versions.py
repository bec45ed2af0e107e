"""A requirement's statement versions as its page shows them: grouped by
the SONS that share the same history, with the diff of the last change."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.text import word_diff
from topics.models import RequirementVersion, Sons


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
