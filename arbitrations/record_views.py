"""The decision record ("relevé de décisions") of a session or a topic, as a
page, a PDF and a spreadsheet; and the presentation of a session's
decisions, one requirement per screen, as the deck's slides.

Drafts appear for the authority only (marked as such); editors and
federations see published decisions only, in every format."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from calendar_app.models import Event
from core.spreadsheets import rows_of, xlsx_response
from core.text import whole_number
from topics.models import RequirementSons, Sons
from topics.views import get_topic

from .decisions import current_decisions
from .exports import DecisionRow, PdfUnavailable, decision_columns, render_pdf
from .models import Arbitration


@dataclass
class Entry:
    arbitration: Arbitration

    @property
    def requirement(self):
        return self.arbitration.requirement

    @property
    def topic(self):
        a = self.arbitration
        return a.topic or (a.requirement.topic if a.requirement else None)

    @property
    def codes(self) -> str:
        return ", ".join(s.code for s in self.arbitration.sons.all())

    @property
    def statement(self) -> str:
        """The statement the decision is about: the new one for a modified
        requirement, else the one of the first SONS covered."""
        a = self.arbitration
        if a.new_statement:
            return a.new_statement
        if not a.requirement:
            return ""
        covered = {s.pk for s in a.sons.all()}
        for row in a.requirement.applicabilities.all():
            if row.sons_id in covered:
                return row.statement
        return ""


def _arbitrations():
    return Arbitration.objects.select_related(
        "requirement", "requirement__topic", "topic", "session"
    ).prefetch_related(
        Prefetch("sons", Sons.objects.order_by("order", "code")),
        Prefetch("requirement__applicabilities", RequirementSons.objects.order_by("sons__order")),
    )


def _order(arbitrations) -> list[Entry]:
    entries = [Entry(a) for a in arbitrations]
    return sorted(
        entries,
        key=lambda e: (
            e.topic.order if e.topic else 999,
            e.requirement is not None,
            e.requirement.reference if e.requirement else "",
            e.arbitration.pk,
        ),
    )


def _session_entries(request, event: Event) -> list[Entry]:
    return _order(_arbitrations().visible_to(request.user).filter(session=event))


def _topic_entries(request, topic) -> list[Entry]:
    """The current decisions of a topic: on its requirements, and on itself."""
    requirement_ids = list(topic.requirements.values_list("pk", flat=True))
    ids = {a.pk for a in current_decisions(requirement_ids, request.user).values()}
    ids |= {a.pk for a in current_decisions([topic.pk], request.user, on="topic").values()}
    return _order(_arbitrations().filter(pk__in=ids))


def _session(slug: str) -> Event:
    return get_object_or_404(Event, slug=slug, kind=Event.Kind.SHARING_SESSION)


def _context(request, *, title, subtitle, entries, back_url, kind, key):
    return {
        "title": title,
        "subtitle": subtitle,
        "entries": entries,
        "has_drafts": any(not e.arbitration.is_published for e in entries),
        "back_url": back_url,
        "kind": kind,
        "key": key,
        "generated_at": timezone.now(),
    }


def _session_context(request, slug):
    event = _session(slug)
    day = date_format(timezone.localtime(event.starts_at), "j F Y") if event.starts_at else ""
    return _context(
        request,
        title=_("Relevé de décisions — %(title)s") % {"title": event.title},
        subtitle=day,
        entries=_session_entries(request, event),
        back_url=None,
        kind="session",
        key=event.slug,
    ) | {"event": event}


def _topic_context(request, key):
    topic = get_topic(key)
    return _context(
        request,
        title=_("Relevé de décisions — %(title)s") % {"title": topic.label},
        subtitle=topic.get_kind_display(),
        entries=_topic_entries(request, topic),
        back_url=None,
        kind="topic",
        key=topic.number or topic.slug,
    ) | {"topic": topic}


@require_GET
def session_record(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "arbitrations/record.html", _session_context(request, slug))


@require_GET
def topic_record(request: HttpRequest, key: str) -> HttpResponse:
    return render(request, "arbitrations/record.html", _topic_context(request, key))


def _pdf(request: HttpRequest, context: dict, filename: str) -> HttpResponse:
    html = render_to_string("arbitrations/record_pdf.html", context, request=request)
    try:
        pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable:
        return render(
            request,
            "arbitrations/pdf_unavailable.html",
            context,
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def session_record_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return _pdf(request, _session_context(request, slug), f"releve-{slug}.pdf")


@require_GET
def topic_record_pdf(request: HttpRequest, key: str) -> HttpResponse:
    return _pdf(request, _topic_context(request, key), f"releve-sujet-{key}.pdf")


RECORD_COLUMNS = (
    "topic",
    "subject",
    "sons",
    "decision",
    "comment",
    "statement",
    "session",
    "status",
    "published",
)


def _xlsx(context: dict, filename: str) -> HttpResponse:
    rows = [
        DecisionRow(entry.arbitration, entry.requirement, entry.topic, entry.codes)
        for entry in context["entries"]
    ]
    columns = decision_columns(*RECORD_COLUMNS)
    return xlsx_response(filename, _("Relevé de décisions"), columns, rows_of(columns, rows))


@require_GET
def session_record_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    return _xlsx(_session_context(request, slug), f"releve-{slug}.xlsx")


@require_GET
def topic_record_xlsx(request: HttpRequest, key: str) -> HttpResponse:
    return _xlsx(_topic_context(request, key), f"releve-sujet-{key}.xlsx")


@require_GET
def session_presentation(request: HttpRequest, slug: str) -> HttpResponse:
    """One requirement per screen, like the deck's slides; ← and → (or the
    links) move between them."""
    context = _session_context(request, slug)
    entries = context["entries"]
    number = request.GET.get("n", "1")
    index = (whole_number(number) or 1) - 1
    index = max(0, min(index, len(entries) - 1)) if entries else 0
    context.update(
        {
            "entry": entries[index] if entries else None,
            "index": index + 1,
            "count": len(entries),
            "previous": index if index > 0 else None,
            "next": index + 2 if index + 1 < len(entries) else None,
        }
    )
    return render(request, "arbitrations/presentation.html", context)
