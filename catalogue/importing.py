"""An import, from the uploaded file to its record: the check (a dry run:
nothing written but the record), the confirmation and what it did. Used by
the portal's pages, the Celery tasks and the ``import_requirements``
command alike.

A request never reads a large file: above ``CATALOGUE_IMPORT_ASYNC_BYTES``
the check runs in a worker (the page follows its progress), and above
``CATALOGUE_IMPORT_ASYNC_ROWS`` rows so does the import itself. With the
broker down, the record waits, and the beat sweep hands it over later.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import Action, record

from . import columns as c
from . import kinds
from .models import CatalogueImport
from .plan import Status
from .reading import FileRejected, Table

logger = logging.getLogger(__name__)

PROGRESS_TTL = 3600
COUNTED = {
    Status.CREATED: "created",
    Status.UPDATED: "updated",
    Status.UNCHANGED: "unchanged",
    Status.IGNORED: "ignored",
    Status.CONFLICT: "conflicts",
    Status.SKIPPED: "skipped",
    Status.HIDDEN: "hidden",
    Status.MATCH: "to_confirm",
    Status.ERROR: "errors",
}


def progress_key(pk: int) -> str:
    return f"catalogue-import-progress:{pk}"


def read_progress(pk: int) -> tuple[int, int] | None:
    value = cache.get(progress_key(pk))
    return tuple(value) if value else None


def _progress(pk: int):
    def report(done: int, total: int) -> None:
        cache.set(progress_key(pk), (done, total), PROGRESS_TTL)

    return report


def _report(outcome, table: Table) -> dict:
    rows = [row.as_dict() for row in outcome.reports]
    rows.sort(key=lambda row: (row["row"] is None, row["row"] or 0))
    return {
        "rows": rows,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "columns": list(outcome.columns),
        "ignored_columns": list(outcome.ignored_columns),
        "base_errors": list(outcome.base_errors),
        "proposals": [proposal.as_dict() for proposal in outcome.proposals],
        "iteration": outcome.iteration,
    }


def _count(entry: CatalogueImport, report: dict) -> None:
    counts = dict.fromkeys(COUNTED.values(), 0)
    for row in report["rows"]:
        counts[COUNTED[row["status"]]] += 1
    counts["errors"] += len(report["base_errors"])
    entry.rows = len(report["rows"])
    for name, value in counts.items():
        setattr(entry, name, value)


def counts(entry: CatalogueImport) -> dict:
    return {
        "rows": entry.rows,
        **{name: getattr(entry, name) for name in COUNTED.values()},
    }


def _needs_a_date(table: Table, made_at) -> bool:
    """A CSV carries no save date: without the portal's decision references
    (its own exports), conflicts are checked against the date the lead gives."""
    if table.file_format != "csv" or made_at is not None:
        return False
    return not any(c.column_of(header) == c.BASE for header in table.headers)


def _no_date_message() -> str:
    return _(
        "Un fichier CSV ne dit pas quand il a été enregistré : indiquez sa date (« Date "
        "d’enregistrement ») pour que les arbitrages modifiés depuis soient signalés comme "
        "conflits au lieu d'être écrasés, puis importez-le de nouveau."
    )


def check(
    *,
    user,
    file_name: str,
    content: bytes,
    sheet: str = "",
    publish: bool = False,
    made_at=None,
) -> CatalogueImport:
    """Receive a file and check it (a dry run): at once for a small file,
    in a worker for a large one. Nothing of the catalogue is written."""
    entry = CatalogueImport.objects.create(
        created_by=user,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        sheet=sheet[:100],
        publish=publish,
        made_at=made_at,
        given_date=made_at is not None,
        content=content,
        status=CatalogueImport.Status.RECEIVED,
    )
    if len(content) <= settings.CATALOGUE_IMPORT_ASYNC_BYTES:
        run_check(entry.pk)
        entry.refresh_from_db()
    else:
        cache.set(progress_key(entry.pk), (0, 0), PROGRESS_TTL)
        _enqueue("check", entry.pk)
    return entry


def run_check(pk: int) -> CatalogueImport | None:
    """The dry run of a received file, once (whoever claims it runs it)."""
    claimed = CatalogueImport.objects.filter(pk=pk, status=CatalogueImport.Status.RECEIVED).update(
        status=CatalogueImport.Status.CHECKING
    )
    if not claimed:
        return None
    entry = CatalogueImport.objects.select_related("created_by").get(pk=pk)
    try:
        kind, table = kinds.read(bytes(entry.content or b""), entry.file_name, entry.sheet)
        if _needs_a_date(table, entry.made_at):
            raise FileRejected(_no_date_message())
        entry.kind = kind.name
        entry.file_format = table.file_format
        entry.sheet = table.sheet
        entry.sheets = table.sheets
        if not entry.given_date:
            entry.made_at = table.made_at
        outcome = kind.run(
            table,
            user=entry.created_by,
            publish=entry.publish,
            made_at=entry.made_at,
            dry_run=True,
            progress=_progress(pk),
        )
    except FileRejected as rejected:
        entry.status = CatalogueImport.Status.REJECTED
        entry.message = str(rejected)
        entry.content = None
        entry.finished_at = timezone.now()
        entry.save()
        return entry
    except Exception as error:
        logger.exception("catalogue check %s failed", pk)
        entry.status = CatalogueImport.Status.REJECTED
        entry.message = (
            _("La vérification a échoué (%s) : rien n'a été enregistré.") % type(error).__name__
        )
        entry.content = None
        entry.finished_at = timezone.now()
        entry.save()
        return entry
    entry.report = _report(outcome, table)
    entry.bases = outcome.read_bases
    _count(entry, entry.report)
    if entry.errors:
        entry.status = CatalogueImport.Status.REJECTED
        entry.message = _("Le fichier a des erreurs : rien ne sera enregistré tant qu'il en a.")
        entry.content = None
        entry.finished_at = timezone.now()
    else:
        entry.status = CatalogueImport.Status.CHECKED
        if entry.to_confirm:
            entry.message = _(
                "Des références du fichier ressemblent à des exigences du catalogue : "
                "confirmez les correspondances proposées, le fichier sera vérifié de nouveau."
            )
    entry.save()
    cache.set(progress_key(pk), (1, 1), PROGRESS_TTL)
    return entry


def recheck(entry: CatalogueImport, *, sheet: str | None = None) -> CatalogueImport:
    """The same file again (another sheet, or once matches are confirmed): a
    new check replaces this one."""
    fresh = check(
        user=entry.created_by,
        file_name=entry.file_name,
        content=bytes(entry.content or b""),
        sheet=entry.sheet if sheet is None else sheet,
        publish=entry.publish,
        made_at=entry.made_at if entry.given_date else None,
    )
    _abandon(
        CatalogueImport.objects.filter(pk=entry.pk, status=CatalogueImport.Status.CHECKED),
        _("Remplacé par une nouvelle vérification (import n°%s).") % fresh.pk,
    )
    return fresh


def _abandon(checks, message: str) -> int:
    """Checks that will never be confirmed: their file is not kept."""
    return checks.update(
        status=CatalogueImport.Status.REJECTED,
        content=None,
        message=message,
        finished_at=timezone.now(),
    )


def may_run(entry: CatalogueImport) -> bool:
    """Checked, no error, no reference waiting for a lead's confirmation."""
    return (
        entry.status == CatalogueImport.Status.CHECKED and not entry.errors and not entry.to_confirm
    )


def confirm(entry: CatalogueImport, *, publish: bool | None = None) -> bool:
    """Confirm a checked import. Runs it now, or queues it for a worker when
    it is large; True when it was queued."""
    if not may_run(entry):
        return False
    with transaction.atomic():
        claimed = CatalogueImport.objects.filter(
            pk=entry.pk, status=CatalogueImport.Status.CHECKED
        ).update(
            status=CatalogueImport.Status.QUEUED,
            **({"publish": publish} if publish is not None else {}),
        )
    if not claimed:
        return False
    entry.refresh_from_db()
    if entry.rows <= settings.CATALOGUE_IMPORT_ASYNC_ROWS:
        run(entry.pk)
        return False
    cache.set(progress_key(entry.pk), (0, entry.rows), PROGRESS_TTL)
    _enqueue("run", entry.pk)
    return True


def _enqueue(step: str, pk: int) -> None:
    """Hand the check or the import to a worker. With the broker down, the
    record stays as it is and the beat sweep (``resume_imports``) hands it
    over later."""
    from .tasks import check_catalogue_import, run_catalogue_import

    task = {"check": check_catalogue_import, "run": run_catalogue_import}[step]
    try:
        task.apply_async(args=[pk], queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    except Exception:  # kombu raises many kinds when the broker is away
        logger.warning("catalogue import %s (%s) waits; the broker did not take it", pk, step)


def enqueue(pk: int) -> None:
    _enqueue("run", pk)


def run(pk: int) -> CatalogueImport | None:
    """Run a queued import, once: whoever claims it (a worker, a page, the
    sweep) runs it; the others find it taken."""
    claimed = CatalogueImport.objects.filter(pk=pk, status=CatalogueImport.Status.QUEUED).update(
        status=CatalogueImport.Status.RUNNING
    )
    if not claimed:
        return None
    entry = CatalogueImport.objects.select_related("created_by").get(pk=pk)
    try:
        kind, table = kinds.read(bytes(entry.content or b""), entry.file_name, entry.sheet)
        outcome = kind.run(
            table,
            user=entry.created_by,
            publish=entry.publish,
            bases=entry.bases,
            made_at=entry.made_at,
            dry_run=False,
            progress=_progress(pk),
        )
        entry.report = _report(outcome, table)
        _count(entry, entry.report)
        if entry.errors or entry.to_confirm:
            entry.status = CatalogueImport.Status.FAILED
            entry.message = _("Des lignes sont devenues invalides : rien n'a été enregistré.")
        else:
            entry.status = CatalogueImport.Status.DONE
            entry.message = ""
    except Exception as error:
        logger.exception("catalogue import %s failed", pk)
        entry.status = CatalogueImport.Status.FAILED
        entry.message = (
            str(error)
            if isinstance(error, FileRejected)
            else _("L'import a échoué (%s) : rien n'a été enregistré.") % type(error).__name__
        )
    entry.content = None if entry.status == CatalogueImport.Status.DONE else entry.content
    entry.finished_at = timezone.now()
    entry.save()
    record(
        Action.IMPORT,
        actor=entry.created_by,
        target=entry,
        details={
            "file": entry.file_name,
            "kind": entry.kind,
            "sheet": entry.sheet,
            "status": entry.status,
            "publish": entry.publish,
            **counts(entry),
        },
    )
    cache.set(progress_key(pk), (entry.rows, entry.rows), PROGRESS_TTL)
    return entry


def resume_imports() -> int:
    """Hand the checks and imports left waiting (the broker was down) to a
    worker; mark as failed those whose worker died (their transaction rolled
    back); drop the files of checks never confirmed within a week."""
    now = timezone.now()
    stale = CatalogueImport.objects.filter(
        status__in=[CatalogueImport.Status.RUNNING, CatalogueImport.Status.CHECKING],
        created_at__lt=now - timedelta(hours=2),
    )
    stale.update(
        status=CatalogueImport.Status.FAILED,
        finished_at=now,
        message=_("L'import a été interrompu : rien n'a été enregistré."),
    )
    _abandon(
        CatalogueImport.objects.filter(
            status=CatalogueImport.Status.CHECKED, created_at__lt=now - timedelta(days=7)
        ),
        _("Non confirmé dans les 7 jours : le fichier n'est plus gardé."),
    )
    waiting = list(
        CatalogueImport.objects.filter(
            status__in=[CatalogueImport.Status.QUEUED, CatalogueImport.Status.RECEIVED]
        ).values_list("pk", "status")
    )
    for pk, status in waiting:
        _enqueue("run" if status == CatalogueImport.Status.QUEUED else "check", pk)
    return len(waiting)


def import_at_once(
    *,
    user,
    file_name: str,
    content: bytes,
    sheet: str = "",
    publish: bool = False,
    dry_run: bool = False,
    made_at=None,
    accept_matches: bool = False,
) -> CatalogueImport:
    """Check and import in one pass (the command line). Raises FileRejected
    for a file that cannot be read. A dry run saves nothing, not even its
    record; a file with errors saves nothing but its record. With
    ``accept_matches``, the references the check proposes are confirmed
    first (a dry run only says which)."""
    kind, table = kinds.read(content, file_name, sheet)
    if _needs_a_date(table, made_at):
        raise FileRejected(_no_date_message())
    options = {"user": user, "publish": publish, "made_at": made_at or table.made_at}
    outcome = kind.run(table, dry_run=dry_run, **options)
    if outcome.proposals and accept_matches and not dry_run:
        from .matches import confirm_matches

        proposals = [proposal.as_dict() for proposal in outcome.proposals]
        confirm_matches(proposals, accepted={p["reference"] for p in proposals}, by=user)
        outcome = kind.run(table, dry_run=dry_run, **options)
    entry = CatalogueImport(
        created_by=user,
        kind=kind.name,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        file_format=table.file_format,
        sheet=table.sheet,
        sheets=table.sheets,
        made_at=options["made_at"],
        given_date=made_at is not None,
        publish=publish,
        report=_report(outcome, table),
        finished_at=timezone.now(),
    )
    _count(entry, entry.report)
    if entry.errors or entry.to_confirm:
        entry.status = CatalogueImport.Status.REJECTED
        entry.message = (
            _("Le fichier a des erreurs : rien n'a été enregistré.")
            if entry.errors
            else _("Des références sont à confirmer : rien n'a été enregistré.")
        )
    elif dry_run:
        entry.status = CatalogueImport.Status.CHECKED
    else:
        entry.status = CatalogueImport.Status.DONE
    if dry_run:
        return entry
    entry.save()
    record(
        Action.IMPORT,
        actor=user,
        target=entry,
        details={
            "file": entry.file_name,
            "kind": entry.kind,
            "sheet": entry.sheet,
            "status": entry.status,
            "publish": publish,
            "command": True,
            **counts(entry),
        },
    )
    return entry
