"""Reading the calendar: list, week grid, month, event page, history,
answered questions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import F, Max, Min, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from core import caching
from core.htmx import render_page
from core.text import whole_number
from topics.models import Topic

from . import access
from .caching import NAMESPACE
from .forms import AnswerForm, QuestionForm
from .grid import build_grid
from .models import AgendaItem, Audience, Event, Question
from .month import build_month, month_range, parse_month
from .weeks import parse_week, week_of, weeks_between


def events_with_agenda():
    return Event.objects.prefetch_related(
        "audiences",
        Prefetch("agenda_items", AgendaItem.objects.select_related("topic")),
    )


def _topic(key: str) -> Topic | None:
    if not key:
        return None
    number = whole_number(key)
    lookup = Q(slug=key) | (Q(number=number) if number is not None else Q(pk__in=[]))
    return Topic.objects.filter(lookup).first()


def filtered(request: HttpRequest):
    """The filters that the list, the week grid and the month share: kind,
    audience, topic, and "only what concerns me"."""
    selected = {key: request.GET.get(key, "") for key in ("type", "public", "sujet", "moi")}
    events = events_with_agenda()
    if selected["type"] in Event.Kind.values:
        events = events.filter(kind=selected["type"])
    if selected["public"]:
        events = events.filter(audiences__code=selected["public"])
    topic = _topic(selected["sujet"])
    if topic:
        events = events.about_topic(topic)
    if selected["moi"]:
        events = events.concerning(request.user)
    return events, selected


def filter_context(selected) -> dict:
    """What the filters' form shows; rendered once per choice of filters and
    kept until an event, an audience or a topic changes (its fragment cache
    varies on ``filters_version``): the topics' list grows with the
    concertation."""
    return {
        "filters_version": caching.version(NAMESPACE),
        "selected": selected,
        "kind_choices": Event.Kind.choices,
        "audience_choices": Audience.objects.all(),
        "topic_choices": Topic.objects.order_by("order", "number"),
    }


# Events per page of the list: the page stays the same size however long the
# concertation runs.
EVENTS_PER_PAGE = 50


def _listed_page(request: HttpRequest, events, today: date) -> Page:
    """The page of the list asked for; by default the one holding the first
    event from today on (what is next), or the last one."""
    ordered = events.order_by(F("starts_at").asc(nulls_last=True), "target_week", "pk")
    number = request.GET.get("page")
    if not number:
        midnight = timezone.make_aware(datetime.combine(today, time.min))
        number = events.filter(starts_at__lt=midnight).count() // EVENTS_PER_PAGE + 1
    return Paginator(ordered, EVENTS_PER_PAGE).get_page(number)


@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    events, selected = filtered(request)
    today = timezone.localdate()

    def results() -> dict:
        page = _listed_page(request, events, today)
        listed = list(page.object_list)
        dated = [event for event in listed if event.starts_at]
        months = [
            (month, list(items))
            for month, items in groupby(
                dated, key=lambda e: timezone.localtime(e.starts_at).date().replace(day=1)
            )
        ]
        return {
            "months": months,
            "to_schedule": [event for event in listed if not event.starts_at],
            "today": today,
            "page": page,
            "from_today": not request.GET.get("page"),
        }

    # The list is the same for everyone (but "only what concerns me", the
    # same for people of the same audience): each page kept rendered until
    # an event changes (calendar_app.caching).
    context = {
        "results_html": caching.cached_partial(
            request,
            NAMESPACE,
            "calendar_app/calendar_list.html#results",
            results,
            audience=access.audience(request.user) if selected["moi"] else (),
            parts=(sorted(request.GET.lists()), today),
        ),
        "can_edit": access.may_edit_events(request.user),
        **filter_context(selected),
    }
    return render_page(request, "calendar_app/calendar_list.html", context, partial="results")


# Weeks the grid shows at once (a quarter, the deck's whole grid): it stays
# the same size however long the concertation runs.
WEEKS_SHOWN = 13


@dataclass
class GridWindow:
    """The weeks the grid shows, and where the events before and after are."""

    start: date  # a Monday
    end: date  # the Monday after the last week shown
    previous: date | None
    next: date | None
    asked: bool  # chosen by the reader (not the default around today)
    error: str = ""  # why the week asked for is not shown

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=3)  # the last week's Friday


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def grid_window(request: HttpRequest, events, today: date) -> GridWindow | None:
    """At most ``WEEKS_SHOWN`` weeks: from ``?semaine=`` (any day of the
    first week), or by default from two weeks before today's, within the
    span of the events (their first weeks before the concertation starts,
    their last after it ends), and not past the last event's week. None
    when there is no event at all."""
    span = events.order_by().aggregate(
        first=Min("starts_at"),
        last=Max("starts_at"),
        first_week=Min("target_week"),
        last_week=Max("target_week"),
    )
    firsts = [d for d in (_local_day(span["first"]), span["first_week"]) if d]
    lasts = [d for d in (_local_day(span["last"]), span["last_week"]) if d]
    if not firsts:
        return None
    first, last = week_of(min(firsts)).monday, week_of(max(lasts)).monday
    shown = timedelta(weeks=WEEKS_SHOWN)
    asked, error = parse_week(request.GET.get("semaine"))
    if asked:
        start = week_of(asked).monday
    else:
        around_today = week_of(today).monday - timedelta(weeks=2)
        start = min(max(around_today, first), max(first, last - shown + timedelta(weeks=1)))
    # No empty weeks after the last event (the deck's grid ends there).
    end = max(start + timedelta(weeks=1), min(start + shown, last + timedelta(weeks=1)))
    return GridWindow(
        start=start,
        end=end,
        previous=max(start - shown, first) if first < start else None,
        next=end if last >= end else None,
        asked=asked is not None,
        error=error,
    )


@require_GET
def calendar_grid(request: HttpRequest) -> HttpResponse:
    events, selected = filtered(request)
    today = timezone.localdate()

    def results() -> dict:
        window = grid_window(request, events, today)
        grid = None
        if window:
            midnight = timezone.make_aware(datetime.combine(window.start, time.min))
            until = timezone.make_aware(datetime.combine(window.end, time.min))
            shown = events.filter(
                Q(starts_at__gte=midnight, starts_at__lt=until)
                | Q(starts_at=None, target_week__gte=window.start, target_week__lt=window.end)
            )
            weeks = weeks_between(window.start, window.last_day)
            grid = build_grid(list(shown), today, weeks)
        return {"grid": grid, "window": window, "today": today}

    # The same for everyone (but "only what concerns me", the same for people
    # of the same audience), kept rendered until an event changes.
    context = {
        "results_html": caching.cached_partial(
            request,
            NAMESPACE,
            "calendar_app/calendar_grid.html#results",
            results,
            audience=access.audience(request.user) if selected["moi"] else (),
            parts=(sorted(request.GET.lists()), today),
        ),
        **filter_context(selected),
    }
    return render_page(request, "calendar_app/calendar_grid.html", context, partial="results")


@require_GET
def calendar_month(request: HttpRequest) -> HttpResponse:
    events, selected = filtered(request)
    today = timezone.localdate()
    first, date_error = parse_month(request.GET.get("mois"), today)
    start, end = month_range(first)
    dated = events.filter(starts_at__lt=end).filter(Q(starts_at__gte=start) | Q(ends_at__gte=start))
    month = build_month(list(dated), first, today)
    target_weeks = events.filter(starts_at=None, target_week__lt=end, target_week__gte=start)
    context = {
        "month": month,
        "date_error": date_error,
        "to_schedule": list(target_weeks),
        "today": today,
        **filter_context(selected),
    }
    return render_page(request, "calendar_app/calendar_month.html", context, partial="results")


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(events_with_agenda(), slug=slug)
    return render_page(request, "calendar_app/event_detail.html", event_context(request, event))


def event_context(request: HttpRequest, event: Event, **forms) -> dict:
    """What the event page shows; ``forms`` are bound forms to show with their errors."""
    user = request.user
    now = timezone.now()
    context = {
        "event": event,
        "now": now,
        "can_edit": access.may_edit_events(user),
        "documents": list(event.documents.all()),
    }
    if event.takes_registrations:
        registrations = list(event.registrations.select_related("organisation"))
        mine = access.organisation_of(user)
        context.update(
            registrations=registrations,
            registered=any(r.organisation_id == getattr(mine, "pk", None) for r in registrations),
            may_register=access.may_register(user) and event.registrations_open(now),
            is_full=event.capacity is not None and len(registrations) >= event.capacity,
            seats_left=None
            if event.capacity is None
            else max(event.capacity - len(registrations), 0),
        )
    if event.takes_questions:
        questions = list(
            event.questions.by_votes().select_related("author", "organisation", "answered_by")
        )
        voted = set(
            user.question_votes.filter(question__event=event).values_list("question", flat=True)
        )
        for question in questions:
            question.voted = question.pk in voted
        context.update(
            questions=questions,
            questions_open=event.questions_open(now),
            may_ask=access.may_ask_questions(user),
            question_form=forms.get("question_form") or QuestionForm(),
            answer_form=AnswerForm(),
        )
    return context


@require_GET
def event_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every revision of an event: when, who, why, and what changed."""
    event = get_object_or_404(Event, slug=slug)
    records = list(event.history.select_related("history_user"))
    audiences = defaultdict(list)
    through = apps.get_model("calendar_app", "HistoricalEvent_audiences")
    for row in through.objects.filter(history__in=records).select_related("audience"):
        audiences[row.history_id].append(str(row.audience))
    fields = {f.name: f for f in Event._meta.concrete_fields}
    entries = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=["audiences"])
            for change in delta.changes:
                field = fields[change.field]
                changes.append(
                    {
                        "label": field.verbose_name,
                        "old": _display(field, change.old),
                        "new": _display(field, change.new),
                    }
                )
            old, new = (sorted(audiences[r.history_id]) for r in (previous, record))
            if old != new:
                changes.append(
                    {
                        "label": Event._meta.get_field("audiences").verbose_name,
                        "old": ", ".join(old) or "—",
                        "new": ", ".join(new) or "—",
                    }
                )
        entries.append({"record": record, "changes": changes})
    return render_page(
        request, "calendar_app/event_history.html", {"event": event, "entries": entries}
    )


def _display(field, value) -> str:
    """A history value as people read it."""
    if value in (None, ""):
        return "—"
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


@require_GET
def question_search(request: HttpRequest) -> HttpResponse:
    """The authority's answers to the questions asked in sessions and workshops."""
    text = request.GET.get("q", "").strip()
    questions = Question.objects.answered().select_related("event", "answered_by", "organisation")
    if text:
        questions = questions.search(text)
    context = {"q": text, "questions": list(questions.order_by("-answered_at", "-pk")[:200])}
    return render_page(request, "calendar_app/question_search.html", context, partial="results")
