"""Writing what an import planned (plan.py), in bulk: a few queries for the
whole file, whatever its number of rows.

The catalogue first (requirements, per-SONS statements, versions, the
iterations' entries), then the decisions through
``arbitrations.bulk.record_decisions`` (the importer's rights, drafts,
conflicts, history, audit log), then — when asked — their publication
through ``arbitrations.bulk.publish_decisions``. Bulk writes send no
signal: what the signals would do (stale cached pages, news of a changed
statement for its followers) is done here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import pairwise

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from arbitrations import bulk
from arbitrations.caching import invalidate_decision_pages
from arbitrations.models import Arbitration
from arbitrations.services import DecisionInput
from notifications.models import Follow, Notification
from notifications.services import notify
from topics.models import (
    Iteration,
    IterationEntry,
    Requirement,
    RequirementSons,
    RequirementVersion,
    Sons,
)

from . import columns as c
from .iterations import iteration_order, parse_iteration
from .plan import Planner, RowPlan, RowReport, Status, same


def followed(requirement_ids, sons_ids) -> set[tuple[int, int]]:
    """(content type id, id) of those of these requirements, their topics and
    these SONS that somebody active follows: one query, so that news is
    composed only where it has readers."""
    types = ContentType.objects.get_for_models(Requirement, Sons)
    from topics.models import Topic

    topic_type = ContentType.objects.get_for_model(Topic).pk
    topics = set(
        Requirement.objects.filter(pk__in=list(requirement_ids))
        .exclude(topic=None)
        .values_list("topic_id", flat=True)
    )
    return set(
        Follow.objects.filter(user__is_active=True)
        .filter(
            Q(subject_type_id=types[Requirement].pk, subject_id__in=list(requirement_ids))
            | Q(subject_type_id=types[Sons].pk, subject_id__in=list(sons_ids))
            | Q(subject_type_id=topic_type, subject_id__in=topics)
        )
        .values_list("subject_type_id", "subject_id")
        .distinct()
    )


class Writer:
    def __init__(
        self,
        planner: Planner,
        pending: list[tuple[RowPlan, RowReport]],
        *,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.planner = planner
        self.pending = pending
        self.progress = progress
        self.user = planner.user

    def write(self) -> None:
        self._write_catalogue()
        self._report(len(self.pending) // 2)
        published = self._record_decisions()
        if self.planner.publish and published:
            bulk.publish_decisions(published, by=self.user)
        invalidate_decision_pages()
        self._report(len(self.pending))

    def _report(self, done: int) -> None:
        if self.progress:
            self.progress(done, len(self.pending))

    # --- The catalogue ------------------------------------------------------------------

    def _write_catalogue(self) -> None:
        planner = self.planner
        fresh: dict[str, Requirement] = {}
        changed_requirements: dict[int, tuple[Requirement, set[str]]] = {}
        for plan, _report in self.pending:
            fields = {
                {c.TOPIC: "topic"}.get(column, column): value
                for column, value in plan.requirement_fields.items()
            }
            requirement = planner.requirements.get(plan.reference)
            if requirement is None:
                if plan.reference not in fresh:
                    fresh[plan.reference] = Requirement(reference=plan.reference, **fields)
                continue
            for name, value in fields.items():
                if not same(getattr(requirement, name), value):
                    setattr(requirement, name, value)
                    changed_requirements.setdefault(requirement.pk, (requirement, set()))[1].add(
                        name
                    )
        for requirement in Requirement.objects.bulk_create(fresh.values(), batch_size=500):
            planner.requirements[requirement.reference] = requirement
            planner.known[requirement.reference] = requirement.pk
        by_fields: dict[tuple[str, ...], list[Requirement]] = defaultdict(list)
        for requirement, names in changed_requirements.values():
            by_fields[tuple(sorted(names))].append(requirement)
        for names, requirements in by_fields.items():
            Requirement.objects.bulk_update(requirements, list(names), batch_size=200)

        new_rows, changed_rows, new_versions, changed_versions = [], [], [], []
        iterations = self._iterations()
        for plan, _report in self.pending:
            if plan.hidden:
                continue
            requirement = planner.requirements[plan.reference]
            pair = (requirement.pk, plan.sons.pk)
            existing = planner.applicabilities.get(pair)
            if existing is None:
                planner.applicabilities[pair] = RequirementSons(
                    requirement=requirement,
                    sons=plan.sons,
                    statement=plan.statement,
                    state=plan.state,
                    remark=plan.remark or "",
                )
                new_rows.append(planner.applicabilities[pair])
            else:
                values = {"statement": plan.statement, "state": plan.state}
                if plan.remark is not None:
                    values["remark"] = plan.remark
                changed = False
                for name, value in values.items():
                    if not same(getattr(existing, name), value):
                        setattr(existing, name, value)
                        changed = True
                if changed:
                    changed_rows.append(existing)
            known = planner.versions[pair]
            for label, statement in plan.versions:
                version = known.get(label)
                iteration = iterations.get(parse_iteration(label)[0])
                if version is None:
                    known[label] = RequirementVersion(
                        requirement=requirement,
                        sons=plan.sons,
                        label=label,
                        statement=statement,
                        iteration=iteration,
                    )
                    new_versions.append(known[label])
                elif not same(version.statement, statement):
                    version.statement = statement
                    changed_versions.append(version)
        RequirementSons.objects.bulk_create(new_rows, batch_size=500)
        RequirementSons.objects.bulk_update(
            changed_rows, ["statement", "state", "remark"], batch_size=200
        )
        # In the order of the file: the former statement before the current one.
        RequirementVersion.objects.bulk_create(new_versions, batch_size=500)
        RequirementVersion.objects.bulk_update(changed_versions, ["statement"], batch_size=200)
        self._write_entries(iterations)
        self._tell_statement_changes(new_versions)

    def _iterations(self) -> dict[str, Iteration]:
        """The iterations the file names (and only those whose versions it
        writes get their label): created when new."""
        planner = self.planner
        wanted: dict[str, str] = {}
        for plan, _report in self.pending:
            for entry in plan.entries:
                wanted.setdefault(entry.code, entry.label)
            for label, _statement in plan.versions:
                code, iteration_label = parse_iteration(label)
                if code.startswith("IT") and code[2:].isdigit():
                    wanted.setdefault(code, iteration_label)
        missing = [
            Iteration(code=code, label=label, order=iteration_order(code))
            for code, label in wanted.items()
            if code not in planner.iterations
        ]
        if missing:
            Iteration.objects.bulk_create(missing, ignore_conflicts=True)
            planner.iterations = {i.code: i for i in Iteration.objects.all()}
        return planner.iterations

    def _write_entries(self, iterations: dict[str, Iteration]) -> None:
        planner = self.planner
        now = timezone.now()
        fresh, changed = {}, []
        fields = ["statement", "evolution", "comment", "hidden", "internal_note", "milestones"]
        for plan, _report in self.pending:
            requirement = planner.requirements[plan.reference]
            for entry in plan.entries:
                iteration = iterations[entry.code]
                key = (requirement.pk, plan.sons.pk, iteration.pk)
                known = planner.entries.get(key) or fresh.get(key)
                values = {name: getattr(entry, name) for name in fields}
                if known is None:
                    fresh[key] = IterationEntry(
                        iteration=iteration, requirement=requirement, sons=plan.sons, **values
                    )
                elif not entry.only_if_missing and any(
                    not same(getattr(known, name), value) for name, value in values.items()
                ):
                    for name, value in values.items():
                        setattr(known, name, value)
                    known.updated_at = now
                    changed.append(known)
        created = IterationEntry.objects.bulk_create(fresh.values(), batch_size=500)
        for entry in created:
            planner.entries[(entry.requirement_id, entry.sons_id, entry.iteration_id)] = entry
        IterationEntry.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=200)

    def _tell_statement_changes(self, new_versions: list[RequirementVersion]) -> None:
        """What notifications' post_save receiver does for one version, for
        versions written in bulk (which sends no signal): a new version that
        says something else than the one before it is news for the followers
        of the requirement and of the SONS."""
        fresh = {id(version) for version in new_versions}
        news: dict[tuple[int, str], list[RequirementVersion]] = defaultdict(list)
        for known in self.planner.versions.values():
            for before, version in pairwise(list(known.values())):
                if id(version) in fresh and not same(before.statement, version.statement):
                    news[(version.requirement_id, version.label)].append(version)
        if not news:
            return
        readers = followed(
            {requirement_id for requirement_id, _label in news},
            {v.sons_id for versions in news.values() for v in versions},
        )
        if not readers:
            return
        types = ContentType.objects.get_for_models(Requirement, Sons)
        from topics.models import Topic

        topic_type = ContentType.objects.get_for_model(Topic).pk
        # The same new version recorded for several SONS is one piece of news.
        for (requirement_id, label), versions in news.items():
            requirement = versions[0].requirement
            mine = {(types[Requirement].pk, requirement_id), (topic_type, requirement.topic_id)}
            mine |= {(types[Sons].pk, v.sons_id) for v in versions}
            if not mine & readers:
                continue
            notify(
                subjects=[requirement, *(version.sons for version in versions)],
                kind=Notification.Kind.STATEMENT_CHANGED,
                actor=self.user,
                target=versions[0],
                key=f"topics.requirement:{requirement_id}:version:{label}",
            )

    # --- Decisions ----------------------------------------------------------------------

    def _record_decisions(self) -> list[Arbitration]:
        """The decisions the rows ask for, one per requirement, decision and
        comment (covering the SONS whose rows say the same, as the deck
        announces them); returns those to publish."""
        planner = self.planner
        groups: dict[tuple, list[tuple[RowPlan, RowReport]]] = defaultdict(list)
        for plan, report in self.pending:
            if plan.record:
                groups[(plan.reference, plan.decision, plan.comment.strip())].append((plan, report))
        items, members_of = [], []
        for (reference, decision, comment), members in groups.items():
            members.sort(key=lambda member: member[0].sons.pk)
            items.append(
                bulk.BulkDecision(
                    requirement=planner.requirements[reference],
                    sons=[plan.sons for plan, _ in members],
                    data=DecisionInput(decision=decision, comment=comment),
                    base=",".join(plan.base for plan, _ in members),
                )
            )
            members_of.append(members)
        outcome = bulk.record_decisions(by=self.user, items=items)
        to_publish = dict(planner.to_publish)
        for index, members in enumerate(members_of):
            requirement = items[index].requirement
            if index in outcome.conflicts:
                now = outcome.conflicts[index]
                for plan, report in members:
                    report.status = Status.CONFLICT
                    report.changes = report.changes[:-1]  # the decision's, the last one
                    report.messages.append(planner.conflict_message(now.get(plan.sons.pk), None))
                continue
            arbitration = outcome.recorded[index]
            for plan, _report in members:
                planner.decisions[(requirement.pk, plan.sons.pk)] = arbitration
            to_publish[arbitration.pk] = arbitration
        # A draft the batch changed (or replaced) is published as it is now.
        for pk in outcome.deleted:
            to_publish.pop(pk, None)
        for pk, arbitration in outcome.changed.items():
            if pk in to_publish:
                to_publish[pk] = arbitration
        return list(to_publish.values())
