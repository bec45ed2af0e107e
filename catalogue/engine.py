"""One pass of an import over a file's rows: plan every row (plan.py), then
write the plans in one transaction (write.py).

The dry run writes too, then rolls back: whatever the database would refuse
in the real run (a value too long, a constraint) the dry run finds, and its
report names the row, the column and the cause in French. The real run
writes nothing at all when a row is in error or a reference waits for a
lead's confirmation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import columns as c
from .plan import Planner, Proposal, RowPlan, RowReport, Status
from .reading import Exact, Table
from .write import Writer

logger = logging.getLogger(__name__)


def dataset_from_table(table: Table) -> tablib.Dataset:
    """The rows under canonical column keys (columns.py), with each row's
    number as the file shows it; the file's own header names ride along for
    messages (``dataset.column_names``), and the columns not read too."""
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


@dataclass
class Outcome:
    reports: list[RowReport]
    read_bases: dict[str, str] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    base_errors: list[str] = field(default_factory=list)
    iteration: str = ""
    columns: list[str] = field(default_factory=list)  # the columns read, as the file names them
    ignored_columns: list[str] = field(default_factory=list)  # and those it does not read

    @property
    def has_errors(self) -> bool:
        return bool(self.base_errors) or any(r.status == Status.ERROR for r in self.reports)

    @property
    def waits_for_matches(self) -> bool:
        return bool(self.proposals)


_SQLSTATES = {
    "22001": gettext_lazy("valeur trop longue pour la base de données"),
    "23505": gettext_lazy("doublon refusé par la base de données"),
    "23502": gettext_lazy("valeur manquante"),
    "23503": gettext_lazy("référence à un élément qui n'existe plus"),
    "22021": gettext_lazy("caractère refusé par la base de données"),
    "22P05": gettext_lazy("caractère refusé par la base de données"),
}


def describe(error: DatabaseError) -> str:
    """A database refusal in French, with its column when the database says it."""
    cause = error.__cause__ or error
    state = getattr(cause, "sqlstate", None) or getattr(
        getattr(cause, "diag", None), "sqlstate", ""
    )
    column = getattr(getattr(cause, "diag", None), "column_name", None)
    what = str(_SQLSTATES.get(state, _("refusée par la base de données")))
    details = f" ({state})" if state else ""
    if column:
        return _("%(what)s, colonne « %(column)s »%(details)s") % {
            "what": what,
            "column": column,
            "details": details,
        }
    return f"{what}{details}"


def _plan_all(dataset, planner: Planner, progress) -> list[tuple[RowPlan | None, RowReport]]:
    planned = []
    total = len(dataset)
    for index, values in enumerate(dataset, 1):
        planned.append(planner.plan(dict(zip(dataset.headers, values, strict=True))))
        if progress and index % 100 == 0:
            progress(index, total * 2)
    return planned


def run(
    dataset,
    *,
    user,
    publish: bool = False,
    bases: dict[str, str] | None = None,
    made_at=None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Plan then write ``dataset``'s rows (all or nothing); a dry run rolls
    everything back."""
    planner = Planner(user=user, publish=publish, bases=bases, made_at=made_at)
    planner.prepare(dataset)
    planned = _plan_all(dataset, planner, progress)
    outcome = Outcome(
        reports=[report for _plan, report in planned],
        read_bases=planner.read_bases,
        proposals=list(planner.proposals.values()),
        iteration=planner.iteration[0] if planner.iteration else "",
        columns=list(getattr(dataset, "column_names", {}).values()),
        ignored_columns=list(getattr(dataset, "ignored_columns", [])),
    )
    pending = [(plan, report) for plan, report in planned if plan is not None]
    total = len(dataset)

    def written(done: int, count: int) -> None:
        if progress:
            progress(total + (done * total // max(count, 1)), total * 2)

    blocked = outcome.has_errors or outcome.waits_for_matches
    with transaction.atomic():
        if pending and (dry_run or not blocked):
            try:
                with transaction.atomic():
                    Writer(planner, pending, progress=written).write()
            except DatabaseError as error:
                logger.warning("catalogue import refused by the database: %s", error)
                _locate(dataset, planned, user=user, publish=publish, bases=bases, made_at=made_at)
                outcome.base_errors.append(
                    _("La base de données a refusé l'écriture : %(cause)s. Rien n'est enregistré.")
                    % {"cause": describe(error)}
                )
        if dry_run or outcome.has_errors or blocked:
            transaction.set_rollback(True)
    if progress:
        progress(total * 2, total * 2)
    return outcome


def _locate(dataset, planned, **options) -> None:
    """Which rows the database refuses: their plans written again, by halves,
    each in a savepoint rolled back (only after a refusal, which the checks
    of plan.py leave for causes they do not know)."""
    indexes = [i for i, (plan, _report) in enumerate(planned) if plan is not None]

    def fails(subset: list[int]) -> DatabaseError | None:
        planner = Planner(**options)
        planner.prepare(dataset)
        rows = list(dataset)
        pending = []
        for i in subset:
            plan, report = planner.plan(dict(zip(dataset.headers, rows[i], strict=True)))
            if plan is not None:
                pending.append((plan, report))
        try:
            with transaction.atomic():
                Writer(planner, pending).write()
                transaction.set_rollback(True)
        except DatabaseError as error:
            return error
        return None

    def search(subset: list[int]) -> None:
        error = fails(subset)
        if error is None:
            return
        if len(subset) == 1:
            report = planned[subset[0]][1]
            report.status = Status.ERROR
            report.problems.append(("", describe(error)))
            return
        middle = len(subset) // 2
        search(subset[:middle])
        search(subset[middle:])

    if len(indexes) <= 2000:
        search(indexes)
