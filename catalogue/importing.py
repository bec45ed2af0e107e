"""An import, from the uploaded file to its record: the dry run (nothing
written but the record), the confirmation (at once for a small file, in a
Celery task with a progress bar above CATALOGUE_IMPORT_ASYNC_ROWS rows) and
what it did. Used by the portal's pages, the Celery task and the
``import_requirements`` command alike."""

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

from .models import CatalogueImport
from .reading import FileRejected, Table, read_table
from .resources import CatalogueImportResource, Status, dataset_from_table

logger = logging.getLogger(__name__)

PROGRESS_TTL = 3600


def progress_key(pk: int) -> str:
    return f"catalogue-import-progress:{pk}"


def read_progress(pk: int) -> tuple[int, int] | None:
    value = cache.get(progress_key(pk))
    return tuple(value) if value else None


def _report(result, dataset, table: Table) -> dict:
    rows = [row.as_dict() for row in result.rows if hasattr(row, "as_dict")]
    rows.sort(key=lambda row: (row["row"] is None, row["row"] or 0))
    return {
        "rows": rows,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "columns": list(getattr(dataset, "column_names", {}).values()),
        "ignored_columns": getattr(dataset, "ignored_columns", []),
        "base_errors": [str(error.error) for error in result.base_errors],
    }


def _count(entry: CatalogueImport, report: dict) -> None:
    counts = dict.fromkeys(
        (
            Status.CREATED,
            Status.UPDATED,
            Status.UNCHANGED,
            Status.IGNORED,
            Status.CONFLICT,
            Status.ERROR,
        ),
        0,
    )
    for row in report["rows"]:
        counts[row["status"]] += 1
    entry.rows = len(report["rows"])
    entry.created = counts[Status.CREATED]
    entry.updated = counts[Status.UPDATED]
    entry.unchanged = counts[Status.UNCHANGED]
    entry.ignored = counts[Status.IGNORED]
    entry.conflicts = counts[Status.CONFLICT]
    entry.errors = counts[Status.ERROR] + len(report["base_errors"])


def counts(entry: CatalogueImport) -> dict:
    return {
        "rows": entry.rows,
        "created": entry.created,
        "updated": entry.updated,
        "unchanged": entry.unchanged,
        "ignored": entry.ignored,
        "conflicts": entry.conflicts,
        "errors": entry.errors,
    }


def check(
    *, user, file_name: str, content: bytes, sheet: str = "", publish: bool = False
) -> CatalogueImport:
    """The dry run of a new file: read it, plan every row, keep the report,
    the file and what the decisions were (for the confirmation). Nothing of
    the catalogue is written. A file that cannot be read is recorded as
    rejected, with the reason."""
    entry = CatalogueImport(
        created_by=user,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        sheet=sheet[:100],
        publish=publish,
    )
    try:
        table = read_table(content, file_name, sheet)
    except FileRejected as rejected:
        entry.status = CatalogueImport.Status.REJECTED
        entry.message = str(rejected)
        entry.finished_at = timezone.now()
        entry.save()
        return entry
    entry.content = content
    return _dry_run(entry, table)


def recheck(entry: CatalogueImport, *, sheet: str) -> CatalogueImport:
    """The same file, another sheet: a new check replaces this one."""
    fresh = check(
        user=entry.created_by,
        file_name=entry.file_name,
        content=bytes(entry.content or b""),
        sheet=sheet,
        publish=entry.publish,
    )
    _abandon(
        CatalogueImport.objects.filter(pk=entry.pk, status=CatalogueImport.Status.CHECKED),
        _("Remplacé par la vérification de la feuille « %s ».") % sheet,
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


def _dry_run(entry: CatalogueImport, table: Table) -> CatalogueImport:
    dataset = dataset_from_table(table)
    resource = CatalogueImportResource(
        user=entry.created_by, publish=entry.publish, made_at=table.made_at
    )
    result = resource.import_data(dataset, dry_run=True)
    entry.file_format = table.file_format
    entry.sheet = table.sheet
    entry.sheets = table.sheets
    entry.made_at = table.made_at
    entry.report = _report(result, dataset, table)
    entry.bases = getattr(resource, "read_bases", {})
    _count(entry, entry.report)
    if entry.errors:
        entry.status = CatalogueImport.Status.REJECTED
        entry.message = _("Le fichier a des erreurs : rien ne sera enregistré tant qu'il en a.")
        entry.content = None
        entry.finished_at = timezone.now()
    else:
        entry.status = CatalogueImport.Status.CHECKED
    entry.save()
    return entry


def confirm(entry: CatalogueImport, *, publish: bool | None = None) -> bool:
    """Confirm a checked import. Runs it now, or queues it for a worker when
    it is large; True when it was queued."""
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
    enqueue(entry.pk)
    return True


def enqueue(pk: int) -> None:
    """Hand the import to a worker. With the broker down, the import stays
    queued and the beat sweep (``resume_imports``) hands it over later."""
    from .tasks import run_catalogue_import

    try:
        run_catalogue_import.apply_async(args=[pk], queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    except Exception:  # kombu raises many kinds when the broker is away
        logger.warning("catalogue import %s queued; the broker did not take it", pk)


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
        table = read_table(bytes(entry.content or b""), entry.file_name, entry.sheet)
        dataset = dataset_from_table(table)

        def progress(done: int, total: int) -> None:
            cache.set(progress_key(pk), (done, total), PROGRESS_TTL)

        resource = CatalogueImportResource(
            user=entry.created_by,
            publish=entry.publish,
            bases=entry.bases,
            made_at=entry.made_at,
            progress=progress,
        )
        result = resource.import_data(dataset, dry_run=False)
        entry.report = _report(result, dataset, table)
        _count(entry, entry.report)
        if entry.errors:
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
            "sheet": entry.sheet,
            "status": entry.status,
            "publish": entry.publish,
            **counts(entry),
        },
    )
    cache.set(progress_key(pk), (entry.rows, entry.rows), PROGRESS_TTL)
    return entry


def resume_imports() -> int:
    """Hand the imports left queued (the broker was down) to a worker; mark
    as failed those whose worker died (their transaction rolled back); drop
    the files of checks never confirmed within a week."""
    now = timezone.now()
    stale = CatalogueImport.objects.filter(
        status=CatalogueImport.Status.RUNNING, created_at__lt=now - timedelta(hours=2)
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
    queued = list(
        CatalogueImport.objects.filter(status=CatalogueImport.Status.QUEUED).values_list(
            "pk", flat=True
        )
    )
    for pk in queued:
        enqueue(pk)
    return len(queued)


def import_at_once(
    *,
    user,
    file_name: str,
    content: bytes,
    sheet: str = "",
    publish: bool = False,
    dry_run: bool = False,
) -> CatalogueImport:
    """Check and import in one pass (the command line). Raises FileRejected
    for a file that cannot be read. A dry run saves nothing, not even its
    record; a file with errors saves nothing but its record."""
    table = read_table(content, file_name, sheet)
    dataset = dataset_from_table(table)
    resource = CatalogueImportResource(user=user, publish=publish, made_at=table.made_at)
    result = resource.import_data(dataset, dry_run=dry_run)
    entry = CatalogueImport(
        created_by=user,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        file_format=table.file_format,
        sheet=table.sheet,
        sheets=table.sheets,
        made_at=table.made_at,
        publish=publish,
        report=_report(result, dataset, table),
        finished_at=timezone.now(),
    )
    _count(entry, entry.report)
    if entry.errors:
        entry.status = CatalogueImport.Status.REJECTED
        entry.message = _("Le fichier a des erreurs : rien n'a été enregistré.")
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
            "sheet": entry.sheet,
            "status": entry.status,
            "publish": publish,
            "command": True,
            **counts(entry),
        },
    )
    return entry
