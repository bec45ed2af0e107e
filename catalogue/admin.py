"""The catalogue in Django's admin site: the per-SONS rows with the same
import (authority's layout, through the decision service, all or nothing)
and export as the portal's pages, and the record of every import."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ExportForm

from accounts.audit import Action, record
from topics.models import Iteration, IterationEntry, ReferenceAlias, RequirementSons

from .export import CatalogueExportResource
from .formats import CatalogueCSV, CatalogueJSON, CatalogueODS, CatalogueXLSX
from .models import CatalogueImport
from .reading import FileRejected
from .resources import CatalogueImportResource


@admin.register(RequirementSons)
class RequirementSonsAdmin(ImportExportModelAdmin):
    skip_admin_log = True  # each import has its record and its audit event
    list_display = ("requirement", "sons", "state")
    list_filter = ("sons", "state")
    search_fields = ("requirement__reference", "statement")
    list_select_related = ("requirement", "sons")
    raw_id_fields = ("requirement",)
    import_formats = [CatalogueXLSX, CatalogueCSV, CatalogueJSON, CatalogueODS]
    export_formats = [CatalogueXLSX, CatalogueCSV, CatalogueJSON]
    # Every column, always (the import reads them all back): no field choice.
    export_form_class = ExportForm

    def get_import_resource_classes(self, request):
        return [CatalogueImportResource]

    def get_export_resource_classes(self, request):
        return [CatalogueExportResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_resource_fields_from_form(self, form):
        return None  # every column: what the import reads back

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileRejected):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_dataset(self, dataset, form, request, **kwargs):
        result = super().process_dataset(dataset, form, request, **kwargs)
        if not kwargs.get("dry_run"):
            from .importing import _count

            rows = [row for row in result.rows if hasattr(row, "as_dict")]
            report = {
                "rows": [row.as_dict() for row in rows],
                "base_errors": [str(error.error) for error in result.base_errors],
            }
            entry = CatalogueImport(
                created_by=request.user,
                file_name=(form.cleaned_data.get("original_file_name") or "admin")[:255],
                report=report,
            )
            _count(entry, report)
            entry.status = (
                CatalogueImport.Status.REJECTED
                if entry.errors or entry.to_confirm
                else CatalogueImport.Status.DONE
            )
            entry.save()
            record(
                Action.IMPORT,
                request=request,
                target=entry,
                details={
                    "file": entry.file_name,
                    "admin": True,
                    "created": entry.created,
                    "updated": entry.updated,
                    "conflicts": entry.conflicts,
                },
            )
        return result


@admin.register(CatalogueImport)
class CatalogueImportAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "created_by",
        "created_at",
        "status",
        "rows",
        "created",
        "updated",
        "conflicts",
        "errors",
    )
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = [
        field.name for field in CatalogueImport._meta.fields if field.name != "content"
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Iteration)
class IterationAdmin(admin.ModelAdmin):
    """Imports create the iterations their files name; admins put them in
    order ("Version 1.0" before IT1) and name them."""

    list_display = ("code", "label", "order")
    ordering = ("order", "code")


@admin.register(ReferenceAlias)
class ReferenceAliasAdmin(admin.ModelAdmin):
    """The other names leads confirmed (or declined) on an import's page."""

    list_display = ("reference", "requirement", "reason", "decided_by", "decided_at")
    search_fields = ("reference", "requirement__reference")
    raw_id_fields = ("requirement",)
    readonly_fields = ("decided_by", "decided_at")


@admin.register(IterationEntry)
class IterationEntryAdmin(admin.ModelAdmin):
    list_display = ("requirement", "sons", "iteration", "evolution", "hidden")
    list_filter = ("iteration", "sons", "hidden")
    search_fields = ("requirement__reference", "statement")
    list_select_related = ("requirement", "sons", "iteration")
    raw_id_fields = ("requirement",)
