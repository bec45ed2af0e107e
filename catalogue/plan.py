"""Planning an import: what each row of a requirement spreadsheet would change.

A row is one requirement in one SONS (the authority's layout, its
test-management export, or the portal's own export). ``Planner`` reads the
catalogue once (a few queries for the whole file), then for each row says
what it would do — created / updated / unchanged / ignored / conflict /
skipped / hidden / to confirm / error — and why, naming the row and the
column; ``write.Writer`` then applies the plans in bulk.

- References are normalised (topics.references). One the catalogue does not
  know, but that looks like one it knows (another case or spacing, the
  "SC." prefix missing, an "anciennement …" note), is *proposed* as a match
  for a lead to confirm once (topics.ReferenceAlias); until then the row
  waits.
- Every value is checked against what the database keeps (lengths of the
  short texts, no NUL character): the real run finds nothing the dry run
  did not.
- A row whose statement is empty (and has none in force), or a second row
  for the same (reference, SONS), is skipped with its reason: the rest of
  the file stays importable. A row the authority does not publish
  ("HIDEME") is kept for leads and admins only (an iteration entry, never a
  statement or a decision participants could see).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import RowResult

from arbitrations.access import decidable_sons_ids
from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration
from arbitrations.services import snapshot
from topics.models import (
    Iteration,
    IterationEntry,
    ReferenceAlias,
    Requirement,
    RequirementSons,
    RequirementVersion,
    Sons,
    Topic,
)
from topics.references import folded_reference, former_references, normalise_reference

from . import columns as c
from .htmltext import cell_text
from .iterations import parse_iteration
from .reading import REQUIREMENTS, Exact, clean_code, clean_text

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
    SKIPPED = "skipped"
    HIDDEN = "hidden"
    MATCH = "match"
    ERROR = "error"


STATUS_LABELS = {
    Status.CREATED: gettext_lazy("créée"),
    Status.UPDATED: gettext_lazy("modifiée"),
    Status.UNCHANGED: gettext_lazy("inchangée"),
    Status.IGNORED: gettext_lazy("ignorée"),
    Status.CONFLICT: gettext_lazy("conflit"),
    Status.SKIPPED: gettext_lazy("écartée"),
    Status.HIDDEN: gettext_lazy("masquée (HIDEME)"),
    Status.MATCH: gettext_lazy("référence à confirmer"),
    Status.ERROR: gettext_lazy("erreur"),
}


class RowReport(RowResult):
    """What one row does, or would do (a django-import-export row result, so
    that the admin's import pages show it too)."""

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
class EntryPlan:
    """What the file says of the pair for one iteration (topics.IterationEntry)."""

    code: str
    label: str
    statement: str = ""
    evolution: str = ""
    comment: str = ""
    hidden: bool = False
    internal_note: str = ""
    milestones: str = ""
    # The current iteration's entry is written as the file says; the
    # iterations it names before (former statement, milestones) only when
    # the catalogue has nothing for them yet.
    only_if_missing: bool = False


@dataclass
class RowPlan:
    reference: str
    sons: Sons
    requirement_fields: dict = field(default_factory=dict)
    statement: str = ""
    state: str = RequirementSons.State.IN_FORCE
    remark: str | None = None
    versions: list[tuple[str, str]] = field(default_factory=list)  # (label, statement)
    entries: list[EntryPlan] = field(default_factory=list)
    decision: str | None = None
    comment: str = ""
    base: str | None = None
    conflict: str = ""
    record: bool = False  # the decision is to be recorded
    hidden: bool = False  # "HIDEME": the entry only, for leads and admins
    new_requirement: bool = False


@dataclass
class Proposal:
    """A reference of the file that looks like one of the catalogue's."""

    reference: str  # as the file writes it (normalised)
    target: str  # the catalogue's requirement
    kind: str  # "same" (another way of writing it) or "renamed" (its new name)
    reason: str
    rows: list[int] = field(default_factory=list)

    @property
    def new_reference(self) -> str:
        """What the requirement is called once the match is confirmed: its
        new name (renamed), with the old one's "SC." when the file writes
        none; unchanged otherwise."""
        if self.kind != "renamed":
            return self.target
        if self.target.startswith("SC.") and not self.reference.startswith("SC."):
            return "SC." + self.reference
        return self.reference

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "target": self.target,
            "kind": self.kind,
            "reason": self.reason,
            "rows": self.rows,
            "new_reference": self.new_reference,
        }


def _yes_no(value: str) -> bool | None:
    folded = c.key(value)
    if folded in ("oui", "yes", "vrai", "true", "1", "x"):
        return True
    if folded in ("non", "no", "faux", "false", "0", ""):
        return False
    return None


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# The short texts an import writes, and the room the database has for them.
LIMITS = {
    c.DOMAIN: _limit(Requirement, "domain"),
    c.BLOCK: _limit(Requirement, "block"),
    c.FUNCTION: _limit(Requirement, "function"),
    c.REFERENCE: _limit(Requirement, "reference"),
    c.MILESTONES: _limit(IterationEntry, "milestones"),
}
LABEL_LIMIT = _limit(RequirementVersion, "label")

_MARKET_PREFIX = re.compile(r"^[A-Z]{2,5}[-_](?P<code>.+)$")


class Planner:
    """Reads the rows of one file against the catalogue, as ``user`` may
    change it (the SONS they decide for)."""

    def __init__(
        self,
        *,
        user,
        publish: bool = False,
        bases: dict[str, str] | None = None,
        made_at=None,
    ):
        if user is None:
            raise ValueError("An import needs the person it acts for.")
        self.user = user
        self.publish = publish
        self.given_bases = bases or {}
        self.made_at = made_at

    # --- Reading the catalogue, once ------------------------------------------------------

    def prepare(self, dataset) -> None:
        self.names: dict[str, str] = getattr(dataset, "column_names", {})
        headers = list(dataset.headers)
        # The test-management export writes rich text (HTML) in its cells;
        # other files are plain text, where "<location>" is text.
        table = getattr(dataset, "table", None)
        self.rich_text = (
            c.MILESTONES in headers
            or c.INTERNAL_NOTE in headers
            or getattr(table, "sheet", "") == REQUIREMENTS.sheet
        )
        self.read_bases: dict[str, str] = {}
        self.to_publish: dict[int, Arbitration] = {}
        self.seen_pairs: dict[tuple[str, int], int] = {}
        self.first_rows: dict[str, tuple[int, dict]] = {}
        self.proposals: dict[str, Proposal] = {}
        self.resolved: dict[str, str] = {}  # file reference → catalogue reference, via an alias
        self.decidable = decidable_sons_ids(self.user)
        self.sons_by_key: dict[str, Sons] = {}
        for sons in Sons.objects.all():
            self.sons_by_key[c.key(sons.code)] = sons
            for alias in sons.aliases.split(","):
                if alias.strip():
                    self.sons_by_key.setdefault(c.key(alias), sons)
        self.topics: dict[str, Topic] = {}
        for topic in Topic.objects.all():
            self.topics[c.key(topic.slug)] = topic
            if topic.number is not None:
                self.topics[str(topic.number)] = topic

        # The iterations the columns name: "Enoncé de l'exigence - Itération #3"
        # is the file's own; "Ancien énoncé … - Itération #2" the one before.
        self.current_columns = [h for h in headers if h.startswith(c.CURRENT_PREFIX)]
        self.former_columns = [h for h in headers if h.startswith(c.FORMER_PREFIX)]
        self.version_columns = [h for h in headers if h.startswith(c.VERSION_PREFIX)]
        self.iteration = (
            parse_iteration(self.current_columns[-1].split(":", 1)[1])
            if self.current_columns
            else None
        )
        self.iterations = {i.code: i for i in Iteration.objects.all()}
        self.evolution_words = {
            **c.EVOLUTION_SYNONYMS,
            **{str(label): code for code, label in Arbitration.Decision.choices},
        }

        # Every reference of the catalogue (to propose matches), and its aliases.
        self.known = dict(Requirement.objects.values_list("reference", "pk"))
        self.folded_known: dict[str, str] = {}
        for reference in self.known:
            self.folded_known.setdefault(folded_reference(reference), reference)
        self.aliases = {
            alias.reference: alias for alias in ReferenceAlias.objects.select_related("requirement")
        }
        in_file = (
            {normalise_reference(clean_code(v)) for v in dataset[c.REFERENCE]}
            if c.REFERENCE in headers
            else set()
        )
        self.file_references = in_file
        wanted = {r for r in in_file if r in self.known}
        for reference in in_file:
            alias = self.aliases.get(reference)
            if alias is not None and alias.requirement is not None and reference not in self.known:
                wanted.add(alias.requirement.reference)
        self.requirements = {
            r.reference: r for r in Requirement.objects.filter(reference__in=wanted)
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
        self.entries: dict[tuple[int, int, int], IterationEntry] = {
            (e.requirement_id, e.sons_id, e.iteration_id): e
            for e in IterationEntry.objects.filter(requirement_id__in=ids)
        }
        self.decisions = current_decisions(ids, self.user)
        self.deciders = {
            user.pk: user
            for user in get_user_model().objects.filter(
                pk__in={a.decided_by_id for a in self.decisions.values() if a.decided_by_id}
            )
        }

    # --- Reading a row ------------------------------------------------------------------

    def name(self, column: str) -> str:
        return self.names.get(column) or str(c.LABELS.get(column, c.HEADERS.get(column, column)))

    def _problem(self, report: RowReport, column: str, message: str) -> None:
        report.status = Status.ERROR
        report.problems.append((self.name(column), message))

    def _skip(self, report: RowReport, message: str) -> None:
        report.status = Status.SKIPPED
        report.messages.append(message)

    def sons_for(self, code: str) -> Sons | None:
        """A SONS by its code or one of its aliases, also when a market
        prefixes it ("HOP-DPI": hospital DPI)."""
        sons = self.sons_by_key.get(c.key(code))
        if sons is None and (match := _MARKET_PREFIX.match(code.upper())):
            sons = self.sons_by_key.get(c.key(match.group("code")))
        return sons

    def _text(self, row: dict, column: str) -> str:
        """A text cell: HTML converted (the test-management export), blanks
        trimmed; a cell the portal wrote is kept exactly."""
        value = row.get(column)
        if isinstance(value, Exact):
            return str(value)
        return clean_text(self._rich(clean_text(value)))

    def _rich(self, value: str) -> str:
        return cell_text(value) if self.rich_text else value

    def _code(self, row: dict, column: str) -> str:
        """A one-line cell (a code, a choice, a short name)."""
        return clean_code(self._rich(clean_code(row.get(column))))

    def _check_length(self, report: RowReport, column: str, value: str, limit: int) -> None:
        if len(value) > limit:
            self._problem(
                report,
                column,
                _(
                    "%(length)s caractères, au-delà des %(limit)s que le portail garde pour "
                    "cette colonne : « %(start)s… »."
                )
                % {"length": len(value), "limit": limit, "start": value[:40]},
            )

    def _check_nul(self, report: RowReport, row: dict) -> None:
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                self._problem(
                    report,
                    column,
                    _("caractère nul (U+0000) : aucun texte du portail ne peut le garder."),
                )

    def plan(self, row: dict) -> tuple[RowPlan | None, RowReport]:
        report = RowReport()
        report.number = row.get(c.ROW_NUMBER)
        plan = self._plan(row, report)
        if plan is not None and report.status not in (Status.ERROR, Status.SKIPPED):
            self._compare(plan, report)
        else:
            plan = None
        report.object_repr = f"{report.reference} ({report.sons})"
        if report.status == Status.ERROR:
            from django.core.exceptions import ValidationError

            report.import_type = RowResult.IMPORT_TYPE_INVALID
            report.validation_error = ValidationError(
                {column: [message] for column, message in report.problems}
            )
        elif report.status == Status.CREATED:
            report.import_type = RowResult.IMPORT_TYPE_NEW
        elif report.status in (Status.UPDATED, Status.HIDDEN) or (
            report.status == Status.CONFLICT and report.changes
        ):
            report.import_type = RowResult.IMPORT_TYPE_UPDATE
        else:
            report.import_type = RowResult.IMPORT_TYPE_SKIP
        return plan, report

    def _resolve(self, reference: str, notes: str, report: RowReport) -> str | None:
        """The catalogue's reference for the file's: itself, a confirmed
        alias, or (None) a match to confirm first."""
        if reference in self.known:
            return reference
        alias = self.aliases.get(reference)
        if alias is not None:
            if alias.requirement is None:
                return reference  # the lead said: a requirement of its own
            report.messages.append(
                _("« %(file)s » est l'autre nom confirmé de %(reference)s.")
                % {"file": reference, "reference": alias.requirement.reference}
            )
            return alias.requirement.reference
        proposal = self.proposals.get(reference) or self._propose(reference, notes)
        if proposal is None:
            return reference
        self.proposals[reference] = proposal
        proposal.rows.append(report.number)
        report.status = Status.MATCH
        report.messages.append(
            _("Correspondance proposée : %(target)s (%(reason)s), à confirmer.")
            % {"target": proposal.target, "reason": proposal.reason}
        )
        return None

    def _propose(self, reference: str, notes: str) -> Proposal | None:
        known = self.known
        folded = self.folded_known.get(folded_reference(reference))
        if folded and folded != reference:
            return Proposal(reference, folded, "same", _("même référence, écrite autrement"))
        if not reference.startswith("SC.") and "SC." + reference in known:
            return Proposal(
                reference, "SC." + reference, "same", _("le fichier omet le préfixe « SC. »")
            )
        if reference.startswith("SC.") and reference[3:] in known:
            return Proposal(
                reference, reference[3:], "same", _("le fichier ajoute le préfixe « SC. »")
            )
        for former in former_references(notes):
            for candidate in (former, "SC." + former):
                # A name the file still uses for another row is not a former name.
                if candidate in known and candidate not in self.file_references:
                    proposal = Proposal(
                        reference,
                        candidate,
                        "renamed",
                        _("« anciennement %(former)s »") % {"former": former},
                    )
                    if proposal.new_reference in known:
                        continue
                    return proposal
        return None

    def _plan(self, row: dict, report: RowReport) -> RowPlan | None:
        self._check_nul(report, row)
        raw_reference = clean_code(row.get(c.REFERENCE))
        reference = normalise_reference(raw_reference)
        sons_code = clean_code(row.get(c.SONS))
        report.reference, report.sons = reference, sons_code
        if not reference:
            self._problem(report, c.REFERENCE, _("la référence de l'exigence est vide."))
        else:
            self._check_length(report, c.REFERENCE, reference, LIMITS[c.REFERENCE])
        sons = self.sons_for(sons_code) if sons_code else None
        if not sons_code:
            self._problem(report, c.SONS, _("le code du SONS (REM) est vide."))
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
                report,
                c.SONS,
                _("SONS inconnu « %(code)s » ; codes connus : %(known)s.")
                % {"code": sons_code, "known": known},
            )
        if sons is not None:
            report.sons = sons.code
        if report.status == Status.ERROR:
            return None
        if sons.pk not in self.decidable:
            report.status = Status.IGNORED
            report.messages.append(
                _("Hors de votre périmètre : vous n'arbitrez pas pour %(sons)s ; rien n'est lu.")
                % {"sons": sons.code}
            )
            return None

        comment = self._text(row, c.COMMENT)
        remark = self._text(row, c.REMARK) if c.REMARK in row else None
        internal_note = self._text(row, c.INTERNAL_NOTE)
        target = self._resolve(reference, "\n".join([comment, remark or "", internal_note]), report)
        if target is None:
            return None
        report.reference = target
        pair = (target, sons.pk)
        if pair in self.seen_pairs:
            self._skip(
                report,
                _(
                    "Doublon : la ligne %(row)s porte déjà %(reference)s pour %(sons)s ; "
                    "cette ligne-ci n'est pas lue."
                )
                % {"row": self.seen_pairs[pair], "reference": target, "sons": sons.code},
            )
            return None
        self.seen_pairs[pair] = report.number
        plan = RowPlan(reference=target, sons=sons, new_requirement=target not in self.known)

        evolution = self._code(row, c.EVOLUTION)
        if c.key(evolution) == c.key(c.HIDDEN_EVOLUTION):
            plan.hidden = True
        elif evolution:
            plan.decision = c.choice(evolution, c.EVOLUTIONS, self.evolution_words)
            if plan.decision is None:
                self._problem(
                    report,
                    c.EVOLUTION,
                    _("« %(value)s » n'est pas une évolution connue (%(known)s).")
                    % {
                        "value": evolution,
                        "known": ", ".join(
                            [*c.EVOLUTIONS, *c.EVOLUTION_SYNONYMS, c.HIDDEN_EVOLUTION]
                        ),
                    },
                )
        plan.comment = comment
        fields = plan.requirement_fields
        for column in (c.DOMAIN, c.BLOCK, c.FUNCTION):
            raw = row.get(column)
            value = str(raw) if isinstance(raw, Exact) else self._code(row, column)
            if value:
                fields[column] = value
                self._check_length(report, column, value, LIMITS[column])
        if nature := self._code(row, c.NATURE):
            fields[c.NATURE] = c.choice(nature, c.NATURES, NATURE_ALIASES)
            if fields[c.NATURE] is None:
                self._problem(
                    report,
                    c.NATURE,
                    _("« %(value)s » n'est pas une nature connue (Obligatoire, Préconisée).")
                    % {"value": nature},
                )
        if c.BLOCKING in row:
            fields[c.BLOCKING] = _yes_no(clean_code(row.get(c.BLOCKING)))
            if fields[c.BLOCKING] is None:
                self._problem(
                    report, c.BLOCKING, _("« %s » : Oui ou Non attendu.") % row.get(c.BLOCKING)
                )
        if topic := clean_code(row.get(c.TOPIC)):
            number = topic.split(".")[0].strip().lstrip("#")
            fields[c.TOPIC] = self.topics.get(number) or self.topics.get(c.key(topic))
            if fields[c.TOPIC] is None:
                self._problem(
                    report, c.TOPIC, _("sujet inconnu « %s » (numéro ou identifiant).") % topic
                )
        state = clean_code(row.get(c.STATE))
        if state:
            plan.state = c.choice(state, c.STATES)
            if plan.state is None:
                self._problem(
                    report, c.STATE, _("« %s » : En vigueur ou Obsolète attendu.") % state
                )
        if plan.decision == Arbitration.Decision.REMOVED and not state:
            # The authority's layout has no state: "Obsolète" makes the row obsolete.
            plan.state = RequirementSons.State.OBSOLETE
        plan.remark = remark
        plan.base = clean_code(row.get(c.BASE)) or None

        # The statements: former ones, then the portal's versions, then the current one.
        for header in [*self.former_columns, *self.version_columns, *self.current_columns]:
            if value := self._text(row, header):
                label = header.split(":", 1)[1]
                if len(label) > LABEL_LIMIT:
                    self._check_length(report, header, label, LABEL_LIMIT)
                plan.versions.append((label, value))
        statement = self._text(row, c.STATEMENT)
        if not statement:
            current = [self._text(row, h) for h in self.current_columns]
            statement = next((s for s in reversed(current) if s), "")
        if not statement:
            # No new statement (obsolete in this SONS, still under instruction…):
            # the one in force stands, else the former one of the file.
            existing = self._existing(plan)
            statement = existing.statement if existing else ""
            statement = statement or (plan.versions[-1][1] if plan.versions else "")
        plan.statement = statement
        self._plan_entries(plan, row, report, internal_note)
        if report.status == Status.ERROR:
            return None
        if not statement and not plan.hidden and plan.state != RequirementSons.State.OBSOLETE:
            self._skip(
                report,
                _(
                    "L'énoncé de l'exigence est vide (colonne « %(column)s ») : la ligne n'est "
                    "pas lue."
                )
                % {
                    "column": self.name(
                        self.current_columns[0] if self.current_columns else c.STATEMENT
                    )
                },
            )
            return None
        self._check_consistency(plan, report)
        return plan

    def _plan_entries(self, plan: RowPlan, row: dict, report: RowReport, note: str) -> None:
        """The iterations the row speaks of: its own (statement, evolution,
        comment, HIDEME, internal note, milestones), the former statement's,
        and those its milestones name ("Version 1.0|IT1|IT2")."""
        if self.iteration is None:
            return
        code, label = self.iteration
        milestones = self._code(row, c.MILESTONES)
        self._check_length(report, c.MILESTONES, milestones, LIMITS[c.MILESTONES])
        current = [self._text(row, h) for h in self.current_columns]
        plan.entries.append(
            EntryPlan(
                code=code,
                label=label,
                statement=next((s for s in reversed(current) if s), "")
                or (plan.statement if not plan.hidden else ""),
                evolution=plan.decision or "",
                comment=plan.comment,
                hidden=plan.hidden,
                internal_note=note,
                milestones=milestones,
            )
        )
        named = {code}
        for header in self.former_columns:
            former_code, former_label = parse_iteration(header.split(":", 1)[1])
            former = self._text(row, header)
            # An empty former statement says the requirement was not there.
            if former and former_code not in named:
                named.add(former_code)
                plan.entries.append(
                    EntryPlan(
                        code=former_code,
                        label=former_label,
                        statement=former,
                        only_if_missing=True,
                    )
                )
        for milestone in milestones.split("|"):
            if not milestone.strip():
                continue
            milestone_code, milestone_label = parse_iteration(milestone.strip())
            if milestone_code not in named:
                named.add(milestone_code)
                plan.entries.append(
                    EntryPlan(code=milestone_code, label=milestone_label, only_if_missing=True)
                )

    def _check_consistency(self, plan: RowPlan, report: RowReport) -> None:
        """A requirement's own fields (domain, block, function, nature) come
        from its first row; a later row that says otherwise is told."""
        first = self.first_rows.get(plan.reference)
        if first is None:
            self.first_rows[plan.reference] = (report.number, dict(plan.requirement_fields))
            return
        number, fields = first
        for column, value in list(plan.requirement_fields.items()):
            if column in fields and fields[column] != value and column != c.TOPIC:
                report.messages.append(
                    _("%(column)s « %(value)s » diffère de la ligne %(row)s : celle-ci l'emporte.")
                    % {"column": self.name(column), "value": value, "row": number}
                )
            # Only the first row of a reference writes the requirement's fields.
            plan.requirement_fields.pop(column)

    # --- Comparing with the catalogue ------------------------------------------------------

    def _existing(self, plan: RowPlan) -> RequirementSons | None:
        requirement = self.requirements.get(plan.reference)
        if requirement is None:
            return None
        return self.applicabilities.get((requirement.pk, plan.sons.pk))

    def _entry_changes(self, plan: RowPlan, requirement: Requirement | None) -> list[str]:
        changes = []
        for entry in plan.entries:
            iteration = self.iterations.get(entry.code)
            known = (
                self.entries.get((requirement.pk, plan.sons.pk, iteration.pk))
                if requirement and iteration
                else None
            )
            if known is None or (
                not entry.only_if_missing
                and (
                    not same(known.statement, entry.statement)
                    or known.evolution != entry.evolution
                    or not same(known.comment, entry.comment)
                    or known.hidden != entry.hidden
                    or not same(known.internal_note, entry.internal_note)
                    or known.milestones != entry.milestones
                )
            ):
                changes.append(_("itération %s") % entry.code)
        return changes

    def _compare(self, plan: RowPlan, report: RowReport) -> None:
        requirement = self.requirements.get(plan.reference)
        changes = report.changes
        if requirement is None:
            changes.append(_("nouvelle exigence"))
        else:
            for column, value in plan.requirement_fields.items():
                attribute = {c.TOPIC: "topic"}.get(column, column)
                if not same(getattr(requirement, attribute), value):
                    changes.append(self.name(column))
        if plan.hidden:
            # For leads and admins only: nothing participants see changes.
            changes.extend(self._entry_changes(plan, requirement))
            report.status = Status.HIDDEN
            report.messages.append(
                _("HIDEME : non publiée par l'autorité ; gardée pour les responsables seulement.")
            )
            if requirement is not None:
                plan.requirement_fields.clear()  # never changed by a hidden row
            return
        existing = self._existing(plan)
        if existing is None:
            report.status = Status.CREATED
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
        changes.extend(self._entry_changes(plan, requirement))
        self._compare_decision(plan, report, requirement)
        if report.status != Status.CREATED and changes and report.status != Status.CONFLICT:
            report.status = Status.UPDATED

    def _compare_decision(self, plan: RowPlan, report: RowReport, requirement) -> None:
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
                report.changes.append(_("arbitrage publié : %s") % wanted.label)
                self.to_publish[current.pk] = current
            return
        # What the decision was when the file (or its dry run) was made.
        plan.base = plan.base or self.given_bases.get(pair_key) or now
        if plan.base != now:
            plan.conflict = self.conflict_message(current, since=None)
        elif current is not None and self.made_at and current.updated_at > self.made_at:
            plan.conflict = self.conflict_message(current, since=self.made_at)
        if plan.conflict:
            report.status = Status.CONFLICT
            report.messages.append(plan.conflict)
            return
        plan.record = True
        before = current.get_decision_display() if current else _("en attente")
        report.changes.append(
            _("arbitrage : %(before)s → %(after)s%(draft)s")
            % {
                "before": before,
                "after": wanted.label,
                "draft": "" if self.publish else _(" (brouillon)"),
            }
        )

    def conflict_message(self, current: Arbitration | None, since) -> str:
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
