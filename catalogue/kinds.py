"""The kinds of files the catalogue's import page takes.

The catalogue knows requirement spreadsheets (engine.py). Apps above it
bring their own kinds without the catalogue naming them (DESIGN.md: a lower
app never names a higher one): concertation registers the vendors'
comments exported by the authority's test-management tool. The import page
reads each file with the first kind whose layout it recognises, checks it
(dry run), and runs it once the lead confirms, with the same record,
progress bar and report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .reading import REQUIREMENTS, Layout, NoHeader, Table, read_table


@dataclass(frozen=True)
class ImportKind:
    name: str  # kept on the record (CatalogueImport.kind)
    label: Any  # "Exigences", "Commentaires des éditeurs"
    layout: Layout
    # run(table, *, user, publish, bases, made_at, dry_run, progress) -> engine.Outcome
    run: Callable[..., Any]
    order: int = 100  # kinds are tried in this order


KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    KINDS[kind.name] = kind


def _run_requirements(table: Table, **options):
    from .engine import dataset_from_table, run

    return run(dataset_from_table(table), **options)


REQUIREMENTS_KIND = ImportKind(
    name="requirements", label="Exigences", layout=REQUIREMENTS, run=_run_requirements, order=0
)
register(REQUIREMENTS_KIND)


def read(content: bytes, file_name: str, sheet: str = "") -> tuple[ImportKind, Table]:
    """The file's kind and table: the first kind whose layout the file has.
    A file no kind recognises is refused with the requirements' message
    (the usual kind)."""
    first_refusal = None
    for kind in sorted(KINDS.values(), key=lambda k: k.order):
        try:
            return kind, read_table(content, file_name, sheet, layout=kind.layout)
        except NoHeader as rejected:
            first_refusal = first_refusal or rejected
    raise first_refusal
