"""The synthesis of feedback as XLSX: one sheet per topic, one row per
requirement × organisation (requirement × federation × position ×
disposition); text cells never evaluated, the filing date a real date
(core.spreadsheets)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import DATETIME, MARKDOWN, XLSX_TYPE, Column, workbook_bytes

from .models import Feedback

COLUMNS = [
    Column(gettext_lazy("Exigence"), 22),
    Column(gettext_lazy("Fédération ou éditeur"), 30),
    Column(gettext_lazy("Cosignataires"), 30),
    Column(gettext_lazy("Position"), 22),
    Column(gettext_lazy("SONS"), 16),
    Column(gettext_lazy("Rédaction proposée"), 50, MARKDOWN),
    Column(gettext_lazy("Argumentaire"), 50),
    Column(gettext_lazy("Statut"), 22),
    Column(gettext_lazy("Suite donnée"), 22),
    Column(gettext_lazy("Réponse"), 50),
    Column(gettext_lazy("Déposé le"), 17, DATETIME),
]


def _sheet_title(topic, used: set[str]) -> str:
    base = f"{topic.number or ''} {topic.label}".strip()
    for character in "[]*?/\\:":
        base = base.replace(character, " ")
    base = base[:28]
    title, n = base, 2
    while title in used:
        title = f"{base[:25]} ({n})"
        n += 1
    used.add(title)
    return title


def synthesis_rows(feedback: Feedback) -> list[list[object]]:
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
        feedback.filed_at,
    ]
    requirements = [r.reference for r in feedback.requirements.all()] or [_("(sujet)")]
    return [[reference, *common] for reference in requirements]


def synthesis_response(rows: Sequence[Feedback]) -> HttpResponse:
    by_topic: dict[int, list[Feedback]] = {}
    topics = {}
    for item in rows:
        by_topic.setdefault(item.topic_id, []).append(item)
        topics[item.topic_id] = item.topic
    used: set[str] = set()
    sheets = [
        (
            _sheet_title(topics[topic_id], used),
            COLUMNS,
            [row for item in items for row in synthesis_rows(item)],
        )
        for topic_id, items in by_topic.items()
    ] or [(_("Retours"), COLUMNS, [])]
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="synthese-retours-{stamp}.xlsx"'
    return response
