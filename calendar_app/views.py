from __future__ import annotations

from itertools import groupby

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.htmx import render_page

from .grid import build_grid
from .models import AgendaItem, Audience, Event


def _events():
    return Event.objects.prefetch_related(
        "audiences",
        Prefetch("agenda_items", AgendaItem.objects.select_related("topic")),
    )


def _filtered(request: HttpRequest):
    selected = {key: request.GET.get(key, "") for key in ("type", "public")}
    events = _events()
    if selected["type"] in Event.Kind.values:
        events = events.filter(kind=selected["type"])
    if selected["public"]:
        events = events.filter(audiences__code=selected["public"])
    return events, selected


def _filter_context(selected) -> dict:
    return {
        "selected": selected,
        "kind_choices": Event.Kind.choices,
        "audience_choices": Audience.objects.all(),
    }


@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    events, selected = _filtered(request)
    events = list(events)
    dated = [event for event in events if event.starts_at]
    to_schedule = [event for event in events if not event.starts_at]
    months = [
        (month, list(items))
        for month, items in groupby(
            dated, key=lambda e: timezone.localtime(e.starts_at).date().replace(day=1)
        )
    ]
    context = {
        "months": months,
        "to_schedule": to_schedule,
        "today": timezone.localdate(),
        **_filter_context(selected),
    }
    return render_page(request, "calendar_app/calendar_list.html", context, partial="results")


@require_GET
def calendar_grid(request: HttpRequest) -> HttpResponse:
    events, selected = _filtered(request)
    context = {"grid": build_grid(list(events), timezone.localdate()), **_filter_context(selected)}
    return render_page(request, "calendar_app/calendar_grid.html", context, partial="results")


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(_events(), slug=slug)
    decisions = (
        event.arbitrations.visible_to(request.user)
        .select_related("requirement", "topic", "requirement__topic")
        .prefetch_related("sons")
        .order_by("requirement__topic__order", "requirement__reference", "topic__order")
    )
    context = {"event": event, "decisions": decisions, "now": timezone.now()}
    return render_page(request, "calendar_app/event_detail.html", context)
