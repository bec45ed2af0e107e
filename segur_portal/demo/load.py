"""Load the deck's concertation into the database (``manage.py load_demo``).

Idempotent: rows that exist are left as they are (a lead's changes to the
demo survive a restart), missing rows are created; ``refresh`` puts every
row of the deck back to the deck's values. Dates are shifted by whole weeks
so that the deck's session falls in the current week (DESIGN.md, "Time"),
unless ``original_dates`` keeps 2023.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from arbitrations.models import Arbitration
from calendar_app.models import AgendaItem, Audience, Event
from topics.models import (
    ReferenceDocument,
    Requirement,
    RequirementSons,
    RequirementVersion,
    Sons,
    Topic,
)

from . import deck
from .accounts import ensure_sons_and_task_forces


def week_shift(today: date) -> timedelta:
    """Whole weeks from the deck's session week to the week of ``today``."""
    session_day = deck.EVENTS[deck.SESSION_OF_THE_DECK]["day"]
    monday_then = session_day - timedelta(days=session_day.weekday())
    monday_now = today - timedelta(days=today.weekday())
    return timedelta(weeks=(monday_now - monday_then).days // 7)


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[models.Model], created: bool, updated: bool) -> None:
        name = model._meta.verbose_name_plural
        if created:
            self.created[name] = self.created.get(name, 0) + 1
        elif updated:
            self.updated[name] = self.updated.get(name, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class Loader:
    def __init__(self, *, today: date | None, original_dates: bool, refresh: bool):
        today = today or timezone.localdate()
        self.shift = timedelta(0) if original_dates else week_shift(today)
        self.refresh = refresh
        self.report = Report()

    def sync(self, model, lookup: dict[str, Any], values: dict[str, Any]):
        """get_or_create, and with ``refresh`` put back the deck's values."""
        instance, created = model.objects.get_or_create(**lookup, defaults=values)
        updated = False
        if not created and self.refresh:
            changed = [name for name, value in values.items() if getattr(instance, name) != value]
            for name in changed:
                setattr(instance, name, values[name])
            if changed:
                instance.save(update_fields=changed)
                updated = True
        self.report.count(model, created, updated)
        return instance, created or updated

    def set_m2m(self, manager, objects, *, fresh: bool) -> None:
        if fresh or self.refresh:
            manager.set(objects)

    def day(self, value: date) -> date:
        return value + self.shift

    # --- The deck -----------------------------------------------------------------

    def run(self) -> Report:
        ensure_sons_and_task_forces()
        self.sons = {sons.code: sons for sons in Sons.objects.all()}
        self.load_audiences()
        self.load_topics()
        self.load_requirements()
        self.load_events()
        self.load_decisions()
        self.load_documents()
        return self.report

    def load_audiences(self) -> None:
        self.audiences = {}
        for code, label, sons in deck.AUDIENCES:
            self.audiences[code], fresh = self.sync(Audience, {"code": code}, {"label": label})
            self.set_m2m(self.audiences[code].sons, [self.sons[c] for c in sons], fresh=fresh)

    def load_topics(self) -> None:
        self.topics: dict[int | str, Topic] = {}
        for order, (number, slug, domain, title, kind, scope) in enumerate(deck.TOPICS, 1):
            topic, fresh = self.sync(
                Topic,
                {"slug": slug},
                {
                    "number": number,
                    "domain_code": domain,
                    "title": title,
                    "kind": kind,
                    "order": order,
                },
            )
            self.set_m2m(topic.scope, [self.sons[code] for code in scope], fresh=fresh)
            self.topics[slug] = topic
            if number is not None:
                self.topics[number] = topic

    def load_requirements(self) -> None:
        self.requirements: dict[str, Requirement] = {}
        for reference, data in deck.REQUIREMENTS.items():
            requirement, _ = self.sync(
                Requirement,
                {"reference": reference},
                {
                    "topic": self.topics[data["topic"]],
                    "domain": data["domain"],
                    "nature": Requirement.Nature.MANDATORY,
                    "prerequisites": data.get("prerequisites", ""),
                    "steps": data.get("steps", ""),
                    "proof": data.get("proof", ""),
                },
            )
            self.requirements[reference] = requirement
            for code in data["perimeter"]:
                sons = self.sons[code]
                self.sync(
                    RequirementSons,
                    {"requirement": requirement, "sons": sons},
                    {"statement": data["statement"], "state": RequirementSons.State.IN_FORCE},
                )
                if "former_statement" in data:
                    versions = [
                        (deck.DECK_LABEL, data["former_statement"], deck.FORMER_NOTE),
                        (deck.UPDATED_LABEL, data["statement"], ""),
                    ]
                else:
                    versions = [(deck.DECK_LABEL, data["statement"], "")]
                for label, statement, note in versions:
                    self.sync(
                        RequirementVersion,
                        {"requirement": requirement, "sons": sons, "label": label},
                        {"statement": statement, "note": note},
                    )

    def load_events(self) -> None:
        self.events: dict[str, Event] = {}
        for slug, data in deck.EVENTS.items():
            at = data.get("time")
            values = {
                "kind": data["kind"],
                "title": data["title"],
                "description": data.get("description", ""),
                "status": data.get("status", Event.Status.FIXED),
                "all_day": "day" in data and at is None,
                "starts_at": deck.paris(self.day(data["day"]), at) if "day" in data else None,
                "ends_at": None,
                "target_week": self.day(data["target_week"]) if "target_week" in data else None,
            }
            event, fresh = self.sync(Event, {"slug": slug}, values)
            self.set_m2m(
                event.audiences,
                [self.audiences[code] for code in data.get("audiences", [])],
                fresh=fresh,
            )
            if fresh or self.refresh:
                event.agenda_items.all().delete()
                for order, item in enumerate(data["agenda"], 1):
                    if isinstance(item, tuple):
                        AgendaItem.objects.create(event=event, label=item[1], order=order)
                    else:
                        AgendaItem.objects.create(event=event, topic=self.topics[item], order=order)
            self.events[slug] = event

    def load_decisions(self) -> None:
        session = self.events[deck.SESSION_OF_THE_DECK]
        targets = [
            ({"requirement": self.requirements[ref]}, decision, comment, ref)
            for ref, decision, comment in deck.DECISIONS
        ] + [
            ({"topic": self.topics[slug]}, decision, comment, None)
            for slug, decision, comment in deck.TOPIC_DECISIONS
        ]
        for target, decision, comment, reference in targets:
            arbitration, fresh = self.sync(
                Arbitration,
                {**target, "session": session},
                {
                    "decision": decision,
                    "comment": comment,
                    "status": Arbitration.Status.PUBLISHED,
                    "published_at": session.starts_at,
                },
            )
            codes = deck.REQUIREMENTS[reference]["perimeter"] if reference else deck.ALL
            self.set_m2m(arbitration.sons, [self.sons[c] for c in codes], fresh=fresh)

    def load_documents(self) -> None:
        for name, code in deck.DOCUMENTS:
            self.sync(
                ReferenceDocument,
                {"name": name},
                {
                    "sons": self.sons[code],
                    "contents": "REM, DSR, AF",
                    "release": "Release candidate — juillet 2023",
                    "published_on": self.day(deck.RC_PUBLISHED_ON),
                    "url": deck.RC_URL,
                },
            )


@transaction.atomic
def load_demo(
    *, today: date | None = None, original_dates: bool = False, refresh: bool = False
) -> Report:
    return Loader(today=today, original_dates=original_dates, refresh=refresh).run()
