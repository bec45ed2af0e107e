"""django-import-export resources of the requirement catalogue.

Import: ``CatalogueImportResource`` reads one row = one requirement in one
SONS (the authority's layout, or the portal's own export). Per row it plans
what would change (created / updated / unchanged / ignored / conflict /
error); outside a dry run it applies the plan: the requirement, that SONS'
statement, state and remark, its versions, and the decision, which goes
through ``arbitrations.services.record_decision`` like any decision (the
importer's rights, drafts unless publishing is asked, optimistic concurrency,
history, audit log). django-import-export runs the rows in one transaction
and rolls everything back on a dry run or when any row is invalid.

Export: ``CatalogueExportResource`` writes the same layout back, one row per
requirement and SONS, with the versions as columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from arbitrations.access import decidable_sons_ids
from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration, DecisionConflict
from arbitrations.services import DecisionInput, publish_decisions, record_decision, snapshot
from notifications.models import Notification
from notifications.services import notify
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons, Topic

from . import columns as c
from .access import may_see_remarks
from .reading import Exact, Table, clean_code, clean_text

# The deck's words for the two natures.
NATURE_ALIASES = {
    "DOIT": Requirement.Nature.MANDATORY,
    "PEUT": Requirement.Nature.RECOMMENDED,
    "Recommandée": Requirement.Nature.RECOMMENDED,
}


def same(before: object, after: object) -> bool:
    """Equal texts, whatever their line endings (a form's "\r\n", a
    spreadsheet's "\n"): a file that says the same changes nothing."""
    if isinstance(before, str) and isinstance(after, str):
        return before.replace("\r\n", "\n").replace("\r", "\n") == after.replace(
            "\r\n", "\n"
        ).replace("\r", "\n")
    return before == after


class Status:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    IGNORED = "ignored"
    CONFLICT = "conflict"
    ERROR = "error"


STATUS_LABELS = {
    Status.CREATED: gettext_lazy("créée"),
    Status.UPDATED: gettext_lazy("modifiée"),
    Status.UNCHANGED: gettext_lazy("inchangée"),
    Status.IGNORED: gettext_lazy("ignorée"),
    Status.CONFLICT: gettext_lazy("conflit"),
    Status.ERROR: gettext_lazy("erreur"),
}


def dataset_from_table(table: Table) -> tablib.Dataset:
    """The rows under canonical column keys (columns.py), with each row's
    number as the file shows it; the file's own header names ride along for
    messages (``dataset.column_names``)."""
    keys, kept, names, ignored = [], [], {}, []
    for index, header in enumerate(table.headers):
        column = c.column_of(header)
        if column is None or column in keys:
            if str(header).strip():
                ignored.append(" ".join(str(header).split()))
            continue
        keys.append(column)
        kept.append(index)
        names[column] = " ".join(str(header).split())
    dataset = tablib.Dataset(headers=[*keys, c.ROW_NUMBER])
    # The portal's own export (it has the decision reference column) is read
    # exactly as it was written: export then import changes nothing.
    exact = c.BASE in keys

    def cell(value):
        return Exact(value) if exact and isinstance(value, str) else value

    for number, values in table.rows:
        dataset.append([cell(values[i]) if i < len(values) else None for i in kept] + [number])
    dataset.column_names = names
    dataset.ignored_columns = ignored
    dataset.table = table
    return dataset


class NoInstanceLoader(BaseInstanceLoader):
    """Rows are matched to the catalogue by the resource itself."""

    def get_instance(self, row):
        return None


class CatalogueRowResult(RowResult):
    def __init__(self):
        super().__init__()
        self.number = None
        self.reference = ""
        self.sons = ""
        self.status = Status.UNCHANGED
        self.messages: list[str] = []
        self.changes: list[str] = []
        self.problems: list[tuple[str, str]] = []  # (column, what is wrong)

    def as_dict(self) -> dict:
        return {
            "row": self.number,
            "reference": self.reference,
            "sons": self.sons,
            "status": self.status,
            "changes": self.changes,
            "messages": self.messages,
            "errors": [{"column": col, "message": msg} for col, msg in self.problems],
        }


@dataclass
class RowPlan:
    reference: str
    sons: Sons
    requirement_fields: dict = field(default_factory=dict)
    statement: str = ""
    state: str = RequirementSons.State.IN_FORCE
    remark: str | None = None
    versions: list[tuple[str, str]] = field(default_factory=list)
    decision: str | None = None
    comment: str = ""
    base: str | None = None
    conflict: str = ""
    record: bool = False  # the decision is to be recorded


def _yes_no(value: str) -> bool | None:
    folded = c.key(value)
    if folded in ("oui", "yes", "vrai", "true", "1", "x"):
        return True
    if folded in ("non", "no", "faux", "false", "0", ""):
        return False
    return None


class CatalogueImportResource(resources.Resource):
    """Imports requirement spreadsheets through the arbitrations' service."""

    # The expected columns, as the admin's import page lists them.
    reference = Field(column_name=c.HEADERS[c.REFERENCE])
    domain = Field(column_name=c.HEADERS[c.DOMAIN])
    block = Field(column_name=c.HEADERS[c.BLOCK])
    function = Field(column_name=c.HEADERS[c.FUNCTION])
    nature = Field(column_name=c.HEADERS[c.NATURE])
    evolution = Field(column_name=c.HEADERS[c.EVOLUTION])
    comment = Field(column_name=c.HEADERS[c.COMMENT])
    current = Field(column_name=c.CURRENT_HEADER.format(label="Itération #2"))
    former = Field(column_name=c.FORMER_HEADER.format(label="Itération #1"))
    remark = Field(column_name=c.HEADERS[c.REMARK])
    sons = Field(column_name=c.HEADERS[c.SONS])

    class Meta:
        instance_loader_class = NoInstanceLoader
        use_transactions = True
        skip_diff = True
        report_skipped = True

    def __init__(
        self,
        *,
        user=None,
        publish: bool = False,
        bases: dict[str, str] | None = None,
        made_at=None,
        progress: Callable[[int, int], None] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.user = user
        self.publish = publish
        self.given_bases = bases or {}
        self.made_at = made_at
        self.progress = progress

    @classmethod
    def get_display_name(cls):
        return _("Tableur d'exigences (une ligne par exigence et par SONS)")

    # --- django-import-export's hooks ------------------------------------------------

    @classmethod
    def get_row_result_class(cls):
        return CatalogueRowResult

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """All or nothing, whoever calls (the admin's confirmation included)."""
        kwargs.pop("use_transactions", None)
        kwargs.pop("rollback_on_validation_errors", None)
        self.user = self.user or kwargs.get("user")
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def before_import(self, dataset, **kwargs):
        if self.user is None:
            raise ValueError("An import needs the person it acts for.")
        self.names = getattr(dataset, "column_names", {})
        self.total = len(dataset)
        self.done = 0
        self.pending: list[tuple[RowPlan, CatalogueRowResult]] = []
        self.read_bases: dict[str, str] = {}
        self.to_publish: dict[int, Arbitration] = {}
        self.seen_pairs: dict[tuple[str, int], int] = {}
        self.first_rows: dict[str, tuple[int, dict]] = {}
        self.decidable = decidable_sons_ids(self.user)
        self.sons_by_key: dict[str, Sons] = {}
        for sons in Sons.objects.all():
            self.sons_by_key[c.key(sons.code)] = sons
            for alias in sons.aliases.split(","):
                if alias.strip():
                    self.sons_by_key[c.key(alias)] = sons
        self.topics: dict[str, Topic] = {}
        for topic in Topic.objects.all():
            self.topics[c.key(topic.slug)] = topic
            if topic.number is not None:
                self.topics[str(topic.number)] = topic
        references = (
            {clean_code(v) for v in dataset[c.REFERENCE]}
            if c.REFERENCE in dataset.headers
            else set()
        )
        self.requirements = {
            r.reference: r for r in Requirement.objects.filter(reference__in=references)
        }
        ids = [r.pk for r in self.requirements.values()]
        self.applicabilities = {
            (row.requirement_id, row.sons_id): row
            for row in RequirementSons.objects.filter(requirement_id__in=ids)
        }
        self.versions: dict[tuple[int, int], dict[str, RequirementVersion]] = defaultdict(dict)
        for version in RequirementVersion.objects.filter(requirement_id__in=ids).order_by(
            "created_at", "pk"
        ):
            self.versions[(version.requirement_id, version.sons_id)][version.label] = version
        self.decisions = current_decisions(ids, self.user)
        self.deciders = {
            user.pk: user
            for user in get_user_model().objects.filter(
                pk__in={a.decided_by_id for a in self.decisions.values() if a.decided_by_id}
            )
        }

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_validation_errors() or result.has_errors():
            return
        self._write()

    def import_row(self, row, instance_loader, **kwargs):
        result = CatalogueRowResult()
        result.number = row.get(c.ROW_NUMBER)
        try:
            plan = self._plan(row, result)
            if plan is not None and result.status != Status.ERROR:
                self._compare(plan, result)
                if not kwargs.get("dry_run"):
                    # Written once every row is read (after_import): in bulk.
                    self.pending.append((plan, result))
        finally:
            self.done += 1
        if result.status == Status.ERROR:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError(
                {column: [message] for column, message in result.problems}
            )
        elif result.status == Status.CREATED:
            result.import_type = RowResult.IMPORT_TYPE_NEW
        elif result.status == Status.UPDATED or (
            result.status == Status.CONFLICT and result.changes
        ):
            result.import_type = RowResult.IMPORT_TYPE_UPDATE
        else:
            result.import_type = RowResult.IMPORT_TYPE_SKIP
        result.object_repr = f"{result.reference} ({result.sons})"
        return result

    # --- Reading a row -------------------------------------------------------------------

    def _name(self, column: str) -> str:
        return self.names.get(column) or str(c.LABELS.get(column, c.HEADERS.get(column, column)))

    def _problem(self, result: CatalogueRowResult, column: str, message: str) -> None:
        result.status = Status.ERROR
        result.problems.append((self._name(column), message))

    def _plan(self, row: dict, result: CatalogueRowResult) -> RowPlan | None:
        reference = clean_code(row.get(c.REFERENCE))
        sons_code = clean_code(row.get(c.SONS))
        result.reference, result.sons = reference, sons_code
        if not reference:
            self._problem(result, c.REFERENCE, _("la référence de l'exigence est vide."))
        sons = self.sons_by_key.get(c.key(sons_code))
        if not sons_code:
            self._problem(result, c.SONS, _("le code du SONS (REM) est vide."))
        elif sons is None:
            known = ", ".join(
                sorted(
                    {
                        s.code + (f" ({s.aliases})" if s.aliases else "")
                        for s in self.sons_by_key.values()
                    }
                )
            )
            self._problem(
                result,
                c.SONS,
                _("SONS inconnu « %(code)s » ; codes connus : %(known)s.")
                % {"code": sons_code, "known": known},
            )
        if sons is not None:
            result.sons = sons.code
        if result.status == Status.ERROR:
            return None
        if sons.pk not in self.decidable:
            result.status = Status.IGNORED
            result.messages.append(
                _("Hors de votre périmètre : vous n'arbitrez pas pour %(sons)s ; rien n'est lu.")
                % {"sons": sons.code}
            )
            return None
        pair = (reference, sons.pk)
        if pair in self.seen_pairs:
            self._problem(
                result,
                c.REFERENCE,
                _("doublon : la ligne %(row)s porte déjà %(reference)s pour %(sons)s.")
                % {"row": self.seen_pairs[pair], "reference": reference, "sons": sons.code},
            )
            return None
        self.seen_pairs[pair] = result.number
        plan = RowPlan(reference=reference, sons=sons)

        evolution = clean_code(row.get(c.EVOLUTION))
        if evolution:
            plan.decision = c.choice(
                evolution,
                c.EVOLUTIONS,
                {str(label): code for code, label in Arbitration.Decision.choices},
            )
            if plan.decision is None:
                self._problem(
                    result,
                    c.EVOLUTION,
                    _("« %(value)s » n'est pas une évolution connue (%(known)s).")
                    % {"value": evolution, "known": ", ".join(c.EVOLUTIONS)},
                )
        plan.comment = clean_text(row.get(c.COMMENT))
        fields = plan.requirement_fields
        for column in (c.DOMAIN, c.BLOCK, c.FUNCTION):
            raw = row.get(column)
            if value := (str(raw) if isinstance(raw, Exact) else clean_code(raw)):
                fields[column] = value
        if nature := clean_code(row.get(c.NATURE)):
            fields[c.NATURE] = c.choice(nature, c.NATURES, NATURE_ALIASES)
            if fields[c.NATURE] is None:
                self._problem(
                    result,
                    c.NATURE,
                    _("« %(value)s » n'est pas une nature connue (Obligatoire, Préconisée).")
                    % {"value": nature},
                )
        if c.BLOCKING in row:
            fields[c.BLOCKING] = _yes_no(clean_code(row.get(c.BLOCKING)))
            if fields[c.BLOCKING] is None:
                self._problem(
                    result, c.BLOCKING, _("« %s » : Oui ou Non attendu.") % row.get(c.BLOCKING)
                )
        if topic := clean_code(row.get(c.TOPIC)):
            number = topic.split(".")[0].strip().lstrip("#")
            fields[c.TOPIC] = self.topics.get(number) or self.topics.get(c.key(topic))
            if fields[c.TOPIC] is None:
                self._problem(
                    result, c.TOPIC, _("sujet inconnu « %s » (numéro ou identifiant).") % topic
                )
        state = clean_code(row.get(c.STATE))
        if state:
            plan.state = c.choice(state, c.STATES)
            if plan.state is None:
                self._problem(
                    result, c.STATE, _("« %s » : En vigueur ou Obsolète attendu.") % state
                )
        if plan.decision == Arbitration.Decision.REMOVED and not state:
            # The authority's layout has no state: "Obsolète" makes the row obsolete.
            plan.state = RequirementSons.State.OBSOLETE
        if c.REMARK in row:
            plan.remark = clean_text(row.get(c.REMARK))
        plan.base = clean_code(row.get(c.BASE)) or None

        # The statements: former ones, then the portal's versions, then the current one.
        headers = list(row)
        ordered = (
            [h for h in headers if h.startswith(c.FORMER_PREFIX)]
            + [h for h in headers if h.startswith(c.VERSION_PREFIX)]
            + [h for h in headers if h.startswith(c.CURRENT_PREFIX)]
        )
        for header in ordered:
            if value := clean_text(row.get(header)):
                plan.versions.append((header.split(":", 1)[1], value))
        statement = clean_text(row.get(c.STATEMENT))
        if not statement:
            current = [clean_text(row.get(h)) for h in headers if h.startswith(c.CURRENT_PREFIX)]
            statement = next((s for s in reversed(current) if s), "")
        if not statement:
            # No new statement (obsolete in this SONS, still under instruction…):
            # the one in force stands, else the former one of the file.
            existing = self._existing(plan)
            statement = existing.statement if existing else ""
            statement = statement or (plan.versions[-1][1] if plan.versions else "")
        if not statement and plan.state != RequirementSons.State.OBSOLETE:
            statement_columns = [h for h in headers if h.startswith(c.CURRENT_PREFIX)]
            self._problem(
                result,
                statement_columns[0] if statement_columns else c.STATEMENT,
                _("l'énoncé de l'exigence est vide."),
            )
        plan.statement = statement
        self._check_consistency(plan, result)
        return None if result.status == Status.ERROR else plan

    def _check_consistency(self, plan: RowPlan, result: CatalogueRowResult) -> None:
        """A requirement's own fields (domain, block, function, nature) come
        from its first row; a later row that says otherwise is told."""
        first = self.first_rows.get(plan.reference)
        if first is None:
            self.first_rows[plan.reference] = (result.number, dict(plan.requirement_fields))
            return
        number, fields = first
        for column, value in list(plan.requirement_fields.items()):
            if column in fields and fields[column] != value and column != c.TOPIC:
                result.messages.append(
                    _("%(column)s « %(value)s » diffère de la ligne %(row)s : celle-ci l'emporte.")
                    % {"column": self._name(column), "value": value, "row": number}
                )
            # Only the first row of a reference writes the requirement's fields.
            plan.requirement_fields.pop(column)

    # --- Comparing with the catalogue ------------------------------------------------------

    def _existing(self, plan: RowPlan) -> RequirementSons | None:
        requirement = self.requirements.get(plan.reference)
        if requirement is None:
            return None
        return self.applicabilities.get((requirement.pk, plan.sons.pk))

    def _compare(self, plan: RowPlan, result: CatalogueRowResult) -> None:
        requirement = self.requirements.get(plan.reference)
        existing = self._existing(plan)
        changes = result.changes
        if requirement is None:
            changes.append(_("nouvelle exigence"))
        else:
            for column, value in plan.requirement_fields.items():
                attribute = {c.TOPIC: "topic"}.get(column, column)
                if not same(getattr(requirement, attribute), value):
                    changes.append(self._name(column))
        if existing is None:
            result.status = Status.CREATED
            changes.append(_("ajoutée au référentiel %s") % plan.sons.code)
        else:
            if not same(existing.statement, plan.statement):
                changes.append(_("énoncé"))
            if existing.state != plan.state:
                changes.append(_("état : %s") % RequirementSons.State(plan.state).label.lower())
            if plan.remark is not None and not same(existing.remark, plan.remark):
                changes.append(_("remarques"))
        known = self.versions.get((requirement.pk, plan.sons.pk), {}) if requirement else {}
        for label, statement in plan.versions:
            if label not in known:
                changes.append(_("version « %s » ajoutée") % label)
            elif not same(known[label].statement, statement):
                changes.append(_("version « %s » corrigée") % label)
        self._compare_decision(plan, result, requirement)
        if result.status != Status.CREATED and changes and result.status != Status.CONFLICT:
            result.status = Status.UPDATED

    def _compare_decision(self, plan, result, requirement) -> None:
        pair_key = f"{plan.reference}|{plan.sons.code}"
        current = self.decisions.get((requirement.pk, plan.sons.pk)) if requirement else None
        now = snapshot({plan.sons.pk: current} if current else {}, [plan.sons.pk])
        self.read_bases[pair_key] = now
        if plan.decision is None:
            return
        wanted = Arbitration.Decision(plan.decision)
        unchanged = (
            current is not None
            and current.decision == plan.decision
            and same(current.comment, plan.comment.strip())
        )
        if unchanged:
            if self.publish and not current.is_published:
                result.changes.append(_("arbitrage publié : %s") % wanted.label)
                self.to_publish[current.pk] = current
            return
        # What the decision was when the file (or its dry run) was made.
        plan.base = plan.base or self.given_bases.get(pair_key) or now
        if plan.base != now:
            plan.conflict = self._conflict_message(current, since=None)
        elif current is not None and self.made_at and current.updated_at > self.made_at:
            plan.conflict = self._conflict_message(current, since=self.made_at)
        if plan.conflict:
            result.status = Status.CONFLICT
            result.messages.append(plan.conflict)
            return
        plan.record = True
        before = current.get_decision_display() if current else _("en attente")
        result.changes.append(
            _("arbitrage : %(before)s → %(after)s%(draft)s")
            % {
                "before": before,
                "after": wanted.label,
                "draft": "" if self.publish else _(" (brouillon)"),
            }
        )

    def _conflict_message(self, current: Arbitration | None, since) -> str:
        if current is None:
            return _("Arbitrage non importé : il a été supprimé depuis la préparation du fichier.")
        who = self.deciders.get(current.decided_by_id)
        values = {
            "when": date_format(localtime(current.updated_at), "DATETIME_FORMAT"),
            "who": who.get_full_name() or who.email if who else _("inconnu"),
            "decision": current.get_decision_display(),
            "status": current.get_status_display().lower(),
        }
        if since is not None:
            values["since"] = date_format(localtime(since), "DATETIME_FORMAT")
            return (
                _(
                    "Arbitrage non importé : il a été modifié le %(when)s par %(who)s, après "
                    "l'enregistrement du fichier (%(since)s) ; il reste « %(decision)s » "
                    "(%(status)s)."
                )
                % values
            )
        return (
            _(
                "Arbitrage non importé : il a été modifié le %(when)s par %(who)s depuis la "
                "lecture du fichier ; il reste « %(decision)s » (%(status)s)."
            )
            % values
        )

    # --- Writing ---------------------------------------------------------------------------

    def _write(self) -> None:
        """What the rows planned, once every row is read: the catalogue in
        bulk (a few queries for the whole file), then the decisions through
        the service, one call per requirement and decision, covering the SONS
        whose rows say the same (as the deck announces them)."""
        self._write_catalogue()
        self._record_decisions()
        if self.to_publish:
            publish_decisions(list(self.to_publish.values()), by=self.user)

    def _write_catalogue(self) -> None:
        fresh: dict[str, Requirement] = {}
        changed_requirements: dict[int, tuple[Requirement, set[str]]] = {}
        for plan, _result in self.pending:
            fields = {
                {c.TOPIC: "topic"}.get(column, column): value
                for column, value in plan.requirement_fields.items()
            }
            requirement = self.requirements.get(plan.reference)
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
            self.requirements[requirement.reference] = requirement
        for requirement, names in changed_requirements.values():
            requirement.save(update_fields=sorted(names))

        new_rows, changed_rows, new_versions, changed_versions = [], [], [], []
        for plan, _result in self.pending:
            requirement = self.requirements[plan.reference]
            pair = (requirement.pk, plan.sons.pk)
            existing = self.applicabilities.get(pair)
            if existing is None:
                self.applicabilities[pair] = RequirementSons(
                    requirement=requirement,
                    sons=plan.sons,
                    statement=plan.statement,
                    state=plan.state,
                    remark=plan.remark or "",
                )
                new_rows.append(self.applicabilities[pair])
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
            known = self.versions[pair]
            for label, statement in plan.versions:
                version = known.get(label)
                if version is None:
                    known[label] = RequirementVersion(
                        requirement=requirement, sons=plan.sons, label=label, statement=statement
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
        self._tell_statement_changes(new_versions)

    def _tell_statement_changes(self, new_versions: list[RequirementVersion]) -> None:
        """What notifications' post_save receiver does for one version, for
        versions written in bulk (which sends no signal): a new version that
        says something else than the one before it is news for the followers
        of the requirement and of the SONS."""
        fresh = {id(version) for version in new_versions}
        news: dict[tuple[int, str], list[RequirementVersion]] = defaultdict(list)
        for known in self.versions.values():
            for before, version in pairwise(list(known.values())):
                if id(version) in fresh and not same(before.statement, version.statement):
                    news[(version.requirement_id, version.label)].append(version)
        # The same new version recorded for several SONS is one piece of news.
        for (requirement_id, label), versions in news.items():
            notify(
                subjects=[versions[0].requirement, *(version.sons for version in versions)],
                kind=Notification.Kind.STATEMENT_CHANGED,
                actor=self.user,
                target=versions[0],
                key=f"topics.requirement:{requirement_id}:version:{label}",
            )

    def _record_decisions(self) -> None:
        groups: dict[tuple, list[tuple[RowPlan, CatalogueRowResult]]] = defaultdict(list)
        done = 0
        for plan, result in self.pending:
            if not plan.record:
                done += 1
                continue
            # The statement itself is already written (the catalogue's version
            # of that SONS): the decision needs no "new statement" of its own.
            groups[(plan.reference, plan.decision, plan.comment.strip())].append((plan, result))
        self._report_progress(done)
        for (reference, decision, comment), members in groups.items():
            requirement = self.requirements[reference]
            sons = [plan.sons for plan, _ in members]
            base = ",".join(
                plan.base for plan, _ in sorted(members, key=lambda member: member[0].sons.pk)
            )
            try:
                outcome = record_decision(
                    by=self.user,
                    subject=requirement,
                    sons=sons,
                    data=DecisionInput(decision=decision, comment=comment),
                    base=base,
                )
            except DecisionConflict:
                now = current_decisions([requirement.pk], self.user)
                for plan, result in members:
                    result.status = Status.CONFLICT
                    result.changes = result.changes[:-1]  # the decision's, the last one
                    result.messages.append(
                        self._conflict_message(now.get((requirement.pk, plan.sons.pk)), None)
                    )
            else:
                for plan, _result in members:
                    self.decisions[(requirement.pk, plan.sons.pk)] = outcome.arbitration
                if self.publish:
                    self.to_publish[outcome.arbitration.pk] = outcome.arbitration
            done += len(members)
            self._report_progress(done)

    def _report_progress(self, done: int) -> None:
        if self.progress:
            self.progress(done, len(self.pending))


# --- Export ---------------------------------------------------------------------------------


class CatalogueExportResource(resources.Resource):
    """One row per requirement and SONS, in the authority's words, with what
    the portal adds (state, topic, blocking, every version): what it writes,
    the import reads back unchanged. The SONS remarks are written for those
    who may see them (access.may_see_remarks) only: for anyone else the
    column is not there."""

    def __init__(
        self,
        *,
        user=None,
        rows: Sequence[RequirementSons] | None = None,
        decisions: dict | None = None,
        versions: dict | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.user = user
        self.rows = rows
        self.decisions = decisions or {}
        self.versions = versions or {}
        self._build_fields()

    def _build_fields(self) -> None:
        """The columns: fixed ones, then one per version label found, in the
        order the versions were made."""
        labels: list[str] = []
        for pair_versions in self.versions.values():
            for version in pair_versions:
                if version.label not in labels:
                    labels.append(version.label)
        simple = [
            (c.REFERENCE, lambda r: r.requirement.reference),
            (c.SONS, lambda r: r.sons.code),
            (c.DOMAIN, lambda r: r.requirement.domain),
            (c.BLOCK, lambda r: r.requirement.block),
            (c.FUNCTION, lambda r: r.requirement.function),
            (c.NATURE, lambda r: c.NATURE_OF.get(r.requirement.nature, "")),
            (c.BLOCKING, lambda r: c.YES if r.requirement.blocking else c.NO),
            (c.TOPIC, self._topic),
            (c.STATE, lambda r: c.STATE_OF.get(r.state, "")),
            (c.EVOLUTION, self._evolution),
            (c.STATUS, self._status),
            (c.COMMENT, lambda r: getattr(self._decision(r), "comment", "")),
            (c.STATEMENT, lambda r: r.statement),
        ]
        if may_see_remarks(self.user):
            simple.append((c.REMARK, lambda r: r.remark))
        self.fields = {}
        for column, getter in simple:
            self.fields[column] = Field(column_name=c.HEADERS[column], dehydrate_method=getter)
        for label in labels:
            self.fields[c.VERSION_PREFIX + label] = Field(
                column_name=c.VERSION_HEADER.format(label=label),
                dehydrate_method=self._version_getter(label),
            )
        self.fields[c.BASE] = Field(column_name=c.HEADERS[c.BASE], dehydrate_method=self._base)

    @classmethod
    def get_display_name(cls):
        return _("Exigences par SONS, avec arbitrages et versions")

    def get_export_order(self):
        return tuple(self.fields)

    def _decision(self, row: RequirementSons) -> Arbitration | None:
        return self.decisions.get((row.requirement_id, row.sons_id))

    def _evolution(self, row: RequirementSons) -> str:
        decision = self._decision(row)
        return c.EVOLUTION_OF.get(decision.decision, "") if decision else ""

    def _status(self, row: RequirementSons) -> str:
        decision = self._decision(row)
        return str(decision.get_status_display()) if decision else ""

    def _topic(self, row: RequirementSons) -> str:
        topic = row.requirement.topic
        if topic is None:
            return ""
        return f"{topic.number}. {topic.label}" if topic.number else topic.slug

    def _base(self, row: RequirementSons) -> str:
        decision = self._decision(row)
        current = {row.sons_id: decision} if decision else {}
        return snapshot(current, [row.sons_id])

    def _version_getter(self, label: str):
        def getter(row: RequirementSons) -> str:
            for version in self.versions.get((row.requirement_id, row.sons_id), ()):
                if version.label == label:
                    return version.statement
            return ""

        return getter

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        if queryset is not None:
            # The admin's export: rows of RequirementSons, read as ``user`` may.
            ids = queryset.values_list("requirement_id", flat=True).distinct()
            self.rows, self.decisions, self.versions = export_rows(
                Requirement.objects.filter(pk__in=ids), self.user
            )
            allowed = set(queryset.values_list("pk", flat=True))
            self.rows = [row for row in self.rows if row.pk in allowed]
            self._build_fields()
        kwargs.pop("export_fields", None)  # every column, always: the import reads them all
        return super().export(queryset=list(self.rows or ()), **kwargs)


def export_rows(requirements: Iterable[Requirement], user, sons: Sons | None = None):
    """The per-SONS rows of ``requirements`` with their current decision (as
    ``user`` may see it) and versions: what an export writes, in 3 queries."""
    requirements = list(requirements)
    ids = [r.pk for r in requirements]
    rows = list(
        RequirementSons.objects.filter(requirement_id__in=ids)
        .select_related("requirement", "requirement__topic", "sons")
        .order_by("requirement__reference", "sons__order", "sons__code")
    )
    if sons is not None:
        rows = [row for row in rows if row.sons_id == sons.pk]
    versions: dict[tuple[int, int], list[RequirementVersion]] = defaultdict(list)
    for version in RequirementVersion.objects.filter(requirement_id__in=ids).order_by(
        "created_at", "pk"
    ):
        versions[(version.requirement_id, version.sons_id)].append(version)
    decisions = current_decisions(ids, user)
    return rows, decisions, versions
