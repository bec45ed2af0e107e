"""The catalogue's import in django-import-export's terms, for the admin
site: the same reading, planning and writing as the portal's pages
(engine.py), seen as a resource. The export resource lives in export.py.

Where things are:

- ``reading.py``: a file's bytes → a table (sheets, header row, merged cells);
- ``columns.py``: which column is which;
- ``plan.py``: what each row would change, and why (statuses, messages);
- ``write.py``: the plans applied in bulk (catalogue, iterations, decisions);
- ``engine.py``: one pass — plan, write in a transaction, roll back a dry run;
- ``export.py``: the export resource and the rows it writes;
- ``importing.py``: the record of an import (dry run, confirmation, worker).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result

from . import columns as c
from . import engine
from .engine import dataset_from_table
from .export import CatalogueExportResource, export_rows
from .plan import STATUS_LABELS, RowReport, Status, same

__all__ = [
    "STATUS_LABELS",
    "CatalogueExportResource",
    "CatalogueImportResource",
    "RowReport",
    "Status",
    "dataset_from_table",
    "export_rows",
    "same",
]


class NoInstanceLoader(BaseInstanceLoader):
    """Rows are matched to the catalogue by the planner itself."""

    def get_instance(self, row):
        return None


class CatalogueImportResource(resources.Resource):
    """Imports requirement spreadsheets (engine.run), all or nothing."""

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
        skip_diff = True
        report_skipped = True

    def __init__(self, *, user=None, publish: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.publish = publish

    @classmethod
    def get_display_name(cls):
        return _("Tableur d'exigences (une ligne par exigence et par SONS)")

    @classmethod
    def get_row_result_class(cls):
        return RowReport

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """All or nothing, whoever calls (the admin's confirmation included):
        problems are reported per row, never raised."""
        table = getattr(dataset, "table", None)
        outcome = engine.run(
            dataset,
            user=self.user or kwargs.get("user"),
            publish=self.publish,
            made_at=getattr(table, "made_at", None),
            dry_run=dry_run,
        )
        result = Result()
        result.diff_headers = []
        result.total_rows = len(dataset)
        for report in outcome.reports:
            result.increment_row_result_total(report)
            if report.validation_error is not None:
                result.append_invalid_row(report.number, {}, report.validation_error)
            result.append_row_result(report)
        for message in outcome.base_errors:
            result.append_base_error(_BaseError(message))
        return result


class _BaseError:
    """What django-import-export's result keeps of an error on no row."""

    def __init__(self, message: str):
        self.error = message
        self.traceback = ""
        self.row = None
