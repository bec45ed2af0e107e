"""Exports of the requirement catalogue: one row per requirement and SONS,
in the authority's words, with what the portal adds (state, topic,
blocking, every version, the decision's reference), that the import reads
back unchanged (a django-import-export resource: the pages and the admin
write it through catalogue.formats)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import tablib
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field

from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration
from arbitrations.services import snapshot
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons

from . import columns as c
from .access import may_see_remarks


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
