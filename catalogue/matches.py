"""References a file writes differently from the catalogue: the matches an
import proposes (plan.Planner._propose), confirmed once by a lead and
remembered (topics.ReferenceAlias) for every later file.

- "same": the file writes an existing reference another way ("CDA/INT.04"
  for SC.CDA/INT.04): the file's way becomes an alias.
- "renamed": the file's reference is the new name of an existing
  requirement (its note says "anciennement SC.MSS/CDA.04"): the requirement
  takes the new name, and the old one becomes an alias that leads to it.
- Declined: the file's reference is a requirement of its own; the match is
  not proposed again.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import Action, record
from topics.models import ReferenceAlias, Requirement


class _Aliases:
    """The aliases one confirmation writes, in two queries for hundreds."""

    def __init__(self, by):
        self.by = by
        self.wanted: dict[str, tuple[Requirement | None, str]] = {}

    def add(self, reference: str, requirement: Requirement | None, reason: str) -> None:
        self.wanted[reference] = (requirement, reason[:200])

    def save(self) -> None:
        now = timezone.now()
        existing = {
            alias.reference: alias
            for alias in ReferenceAlias.objects.filter(reference__in=list(self.wanted))
        }
        fresh, changed = [], []
        for reference, (requirement, reason) in self.wanted.items():
            alias = existing.get(reference)
            if alias is None:
                alias = ReferenceAlias(reference=reference)
                fresh.append(alias)
            else:
                changed.append(alias)
            alias.requirement, alias.reason = requirement, reason
            alias.decided_by, alias.decided_at = self.by, now
        ReferenceAlias.objects.bulk_create(fresh, batch_size=500)
        ReferenceAlias.objects.bulk_update(
            changed, ["requirement", "reason", "decided_by", "decided_at"], batch_size=200
        )


def confirm_matches(proposals: list[dict], *, accepted: set[str], by) -> list[str]:
    """Apply the lead's answers to ``proposals`` (an import's report): those
    whose file reference is in ``accepted`` are confirmed, the others
    declined. Returns what could not be done, in French."""
    problems: list[str] = []
    renamed = same = declined = 0
    aliases = _Aliases(by)
    with transaction.atomic():
        targets = {
            r.reference: r
            for r in Requirement.objects.select_for_update().filter(
                reference__in=[p["target"] for p in proposals if p["reference"] in accepted]
            )
        }
        taken = set(
            Requirement.objects.filter(
                reference__in=[p["new_reference"] for p in proposals if p["kind"] == "renamed"]
            ).values_list("reference", flat=True)
        )
        for proposal in proposals:
            reference = proposal["reference"]
            if reference not in accepted:
                aliases.add(reference, None, _("correspondance refusée"))
                declined += 1
                continue
            requirement = targets.get(proposal["target"])
            if requirement is None:
                problems.append(
                    _("%(target)s n'existe plus : « %(file)s » reste à part.")
                    % {"target": proposal["target"], "file": reference}
                )
                continue
            if proposal["kind"] != "renamed":
                aliases.add(reference, requirement, proposal["reason"])
                same += 1
                continue
            new = proposal["new_reference"]
            if new in taken:
                problems.append(
                    _("%(new)s existe déjà : %(old)s n'est pas renommée.")
                    % {"new": new, "old": requirement.reference}
                )
                continue
            old = requirement.reference
            requirement.reference = new
            requirement.save(update_fields=["reference"])
            taken.add(new)
            # The new name is no longer an alias of anything; the old one leads here.
            ReferenceAlias.objects.filter(reference=new).delete()
            aliases.wanted.pop(new, None)
            aliases.add(old, requirement, _("renommée en %s") % new)
            if reference != new:
                aliases.add(reference, requirement, proposal["reason"])
            renamed += 1
        aliases.save()
        record(
            Action.IMPORT,
            actor=by,
            details={"matches": {"aliases": same, "renamed": renamed, "declined": declined}},
        )
    return problems
