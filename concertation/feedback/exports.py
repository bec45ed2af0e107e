"""The synthesis of feedback as XLSX: one sheet per topic, one row per
requirement × organisation (requirement × federation × position ×
disposition); every cell written as text (arbitrations/exports.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from arbitrations.exports import XLSX_TYPE, _text_cell

from .models import Feedback

WIDTHS = (22, 30, 30, 22, 16, 50, 50, 22, 22, 50)


def _sheet_title(topic, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", " ", f"{topic.number or ''} {topic.label}".strip())[:28]
    title, n = base, 2
    while title in used:
        title = f"{base[:25]} ({n})"
        n += 1
    used.add(title)
    return title


def synthesis_rows(feedback: Feedback) -> list[list[str]]:
    answer_public = feedback.is_answered
    common = [
        feedback.organisation.name,
        ", ".join(s.organisation.name for s in feedback.signatures.all()),
        feedback.get_kind_display(),
        ", ".join(s.code for s in feedback.sons.all()),
        feedback.proposed_wording,
        feedback.argument,
        feedback.get_status_display(),
        feedback.get_disposition_display() if feedback.disposition else "",
        feedback.answer_text if (answer_public or feedback.disposition) else "",
    ]
    requirements = [r.reference for r in feedback.requirements.all()] or [_("(sujet)")]
    return [[reference, *common] for reference in requirements]


def synthesis_response(rows: Sequence[Feedback]) -> HttpResponse:
    headers = [
        _("Exigence"),
        _("Fédération ou éditeur"),
        _("Cosignataires"),
        _("Position"),
        _("SONS"),
        _("Rédaction proposée"),
        _("Argumentaire"),
        _("Statut"),
        _("Suite donnée"),
        _("Réponse"),
    ]
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    by_topic: dict[int, list[Feedback]] = {}
    topics = {}
    for item in rows:
        by_topic.setdefault(item.topic_id, []).append(item)
        topics[item.topic_id] = item.topic
    if not by_topic:
        sheet = workbook.create_sheet(title=_("Retours"))
        sheet.append([_text_cell(sheet, h, bold=True) for h in headers])
    for topic_id, items in by_topic.items():
        sheet = workbook.create_sheet(title=_sheet_title(topics[topic_id], used))
        for index, width in enumerate(WIDTHS):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        sheet.append([_text_cell(sheet, h, bold=True) for h in headers])
        for item in items:
            for row in synthesis_rows(item):
                sheet.append([_text_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="synthese-retours-{stamp}.xlsx"'
    return response
