"""Reading the catalogue: scopes, perimeters, statements per SONS."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import RequirementSons, Sons


def concertation_sons() -> list[Sons]:
    """The SONS that "Tous" stands for (SGL follows its own scheme)."""
    return list(Sons.objects.filter(in_concertation=True))


def scope_label(scope: Iterable[Sons], everyone: Iterable[Sons]) -> str:
    """ "Tous" when the scope is every SONS of the concertation, else the codes."""
    codes = {sons.code for sons in scope}
    if codes and codes == {sons.code for sons in everyone}:
        return _("Tous")
    ordered = sorted(scope, key=lambda sons: (sons.order, sons.code))
    return ", ".join(sons.code for sons in ordered)


@dataclass
class Statement:
    """One statement and the SONS whose requirement set says it."""

    text: str
    sons: list[Sons]
    applicabilities: list[RequirementSons]

    @property
    def codes(self) -> str:
        return ", ".join(sons.code for sons in self.sons)


def statements_by_text(applicabilities: Iterable[RequirementSons]) -> list[Statement]:
    """Group a requirement's per-SONS rows by identical statement, so that a
    statement shared by four SONS shows once, and one adapted for a SONS
    shows apart."""
    groups: dict[str, Statement] = {}
    for row in sorted(applicabilities, key=lambda r: (r.sons.order, r.sons.code)):
        group = groups.setdefault(row.statement, Statement(row.statement, [], []))
        group.sons.append(row.sons)
        group.applicabilities.append(row)
    return list(groups.values())
