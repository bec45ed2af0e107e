"""The history of a requirement's decisions as a timeline: who, when, what
before → what after. Read from django-simple-history's records, in a fixed
number of queries.

Editors and federations see publications only (what a decision replaced,
and by what); the authority also sees every change of a draft."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .access import may_see_drafts
from .models import Arbitration

Historical = Arbitration.history.model

FIELDS = [
    ("decision", _("Arbitrage")),
    ("comment", _("Commentaire")),
    ("new_statement", _("Nouvel énoncé")),
    ("session", _("Annoncé lors de")),
    ("status", _("Statut")),
]


@dataclass
class Change:
    label: str
    before: str
    after: str
    long: bool = False  # comment or statement: shown as blocks


@dataclass
class TimelineEntry:
    when: datetime
    who: object
    kind: str  # "published", "created", "changed", "deleted"
    arbitration_id: int
    decision: str
    codes: str
    session: object = None
    comment: str = ""
    changes: list[Change] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (SONS codes, decision)
    sons_ids: list[int] = field(default_factory=list)

    @property
    def kind_label(self):
        return {
            "published": _("Publication"),
            "created": _("Brouillon créé"),
            "changed": _("Brouillon modifié"),
            "deleted": _("Brouillon retiré"),
        }[self.kind]


def _display(record, name: str) -> str:
    value = getattr(record, name)
    if name == "decision":
        return Arbitration.Decision(value).label if value else ""
    if name == "status":
        return Arbitration.Status(value).label if value else ""
    if name == "session":
        return record.session.title if record.session_id and record.session else ""
    return value or ""


def requirement_timeline(requirement, user) -> list[TimelineEntry]:
    """Newest first."""
    records = list(
        Historical.objects.filter(requirement_id=requirement.pk)
        .select_related("history_user", "session")
        .order_by("history_date", "history_id")
    )
    sons_of: dict[int, list] = defaultdict(list)
    m2m = Historical._history_m2m_fields[0]
    sons_model = _historical_sons_model(m2m)
    for row in (
        sons_model.objects.filter(history__in=[r.history_id for r in records])
        .select_related("sons")
        .order_by("sons__order", "sons__code")
    ):
        sons_of[row.history_id].append(row.sons)

    authority = may_see_drafts(user)
    entries: list[TimelineEntry] = []
    previous: dict[int, object] = {}
    last_entry: dict[int, TimelineEntry] = {}
    for record in records:  # per arbitration, in the order of its saves
        before = previous.get(record.id)
        previous[record.id] = record
        sons = sons_of.get(record.history_id, [])
        codes = ", ".join(s.code for s in sons)
        if before is not None and not sons_of.get(before.history_id) and record.id in last_entry:
            # Saved, then given its SONS (created outside services.py, e.g. by
            # the demo loader or the admin): one event, not two.
            merged = last_entry[record.id]
            merged.codes, merged.sons_ids = codes, [s.pk for s in sons]
            continue
        published_now = record.status == Arbitration.Status.PUBLISHED and (
            before is None or before.status != Arbitration.Status.PUBLISHED
        )
        entry = TimelineEntry(
            when=(record.published_at if published_now else None) or record.history_date,
            who=record.history_user,
            kind="published" if published_now else "created" if before is None else "changed",
            arbitration_id=record.id,
            decision=_display(record, "decision"),
            codes=codes,
            session=record.session if record.session_id else None,
            comment=record.comment,
        )
        entry.sons_ids = [s.pk for s in sons]
        if record.history_type == "-":
            entry.kind = "deleted"
        if before is not None and not published_now:
            for name, label in FIELDS:
                old, new = _display(before, name), _display(record, name)
                if old != new:
                    entry.changes.append(
                        Change(str(label), old, new, long=name in ("comment", "new_statement"))
                    )
            old_codes = ", ".join(s.code for s in sons_of.get(before.history_id, []))
            if old_codes != codes:
                entry.changes.append(Change(str(_("SONS")), old_codes, codes))
            if not entry.changes and entry.kind != "deleted":
                continue  # a save that changed nothing visible
        last_entry[record.id] = entry
        if authority or published_now:
            entries.append(entry)

    # What each publication replaced: the decision then current for its SONS,
    # walking the publications in the order they were announced.
    entries.sort(key=lambda e: (e.when, e.arbitration_id))
    current_by_sons: dict[int, tuple[int, str]] = {}
    for entry in entries:
        if entry.kind != "published":
            continue
        replaced: dict[tuple[int, str], list[str]] = defaultdict(list)
        for sons_id, code in zip(entry.sons_ids, entry.codes.split(", "), strict=False):
            if sons_id in current_by_sons:
                replaced[current_by_sons[sons_id]].append(code)
            current_by_sons[sons_id] = (entry.arbitration_id, entry.decision)
        entry.replaced = [(", ".join(c), label) for (_, label), c in replaced.items()]
    entries.reverse()
    return entries


def _historical_sons_model(m2m_field):
    """The model in which simple-history keeps the SONS of each record."""
    from django.apps import apps

    return apps.get_model(
        Arbitration._meta.app_label, f"Historical{Arbitration.__name__}_{m2m_field.name}"
    )
