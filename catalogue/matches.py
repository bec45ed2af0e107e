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


def _alias(reference: str, requirement: Requirement | None, reason: str, by) -> None:
    ReferenceAlias.objects.update_or_create(
        reference=reference,
        defaults={
            "requirement": requirement,
            "reason": reason[:200],
            "decided_by": by,
            "decided_at": timezone.now(),
        },
    )


def confirm_matches(proposals: list[dict], *, accepted: set[str], by) -> list[str]:
    """Apply the lead's answers to ``proposals`` (an import's report): those
    whose file reference is in ``accepted`` are confirmed, the others
    declined. Returns what could not be done, in French."""
    problems: list[str] = []
    renamed = aliases = declined = 0
    with transaction.atomic():
        for proposal in proposals:
            reference = proposal["reference"]
            if reference not in accepted:
                _alias(reference, None, _("correspondance refusée"), by)
                declined += 1
                continue
            requirement = (
                Requirement.objects.select_for_update().filter(reference=proposal["target"]).first()
            )
            if requirement is None:
                problems.append(
                    _("%(target)s n'existe plus : « %(file)s » reste à part.")
                    % {"target": proposal["target"], "file": reference}
                )
                continue
            if proposal["kind"] != "renamed":
                _alias(reference, requirement, proposal["reason"], by)
                aliases += 1
                continue
            new = proposal["new_reference"]
            if Requirement.objects.filter(reference=new).exists():
                problems.append(
                    _("%(new)s existe déjà : %(old)s n'est pas renommée.")
                    % {"new": new, "old": requirement.reference}
                )
                continue
            old = requirement.reference
            requirement.reference = new
            requirement.save(update_fields=["reference"])
            # The new name is no longer an alias of anything; the old one leads here.
            ReferenceAlias.objects.filter(reference=new).delete()
            _alias(old, requirement, _("renommée en %s") % new, by)
            if reference != new:
                _alias(reference, requirement, proposal["reason"], by)
            renamed += 1
        record(
            Action.IMPORT,
            actor=by,
            details={"matches": {"aliases": aliases, "renamed": renamed, "declined": declined}},
        )
    return problems
