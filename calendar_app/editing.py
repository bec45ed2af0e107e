"""Leads' pages: create and edit events, their agenda and documents, cancel.

Every form posts to a real URL and works without JavaScript; with htmx the
same view answers with the partial of the same template."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.htmx import render_page
from core.text import whole_number

from . import access, services
from .forms import AgendaItemForm, CancelForm, DocumentForm, EventForm
from .models import Event, EventDocument


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: the browser goes to ``url`` (htmx included)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _edit_url(event: Event, anchor: str = "") -> str:
    return reverse("event_edit", kwargs={"slug": event.slug}) + (f"#{anchor}" if anchor else "")


def _edit_context(event: Event, **forms) -> dict:
    return {
        "event": event,
        "form": forms.get("form") or EventForm(instance=event),
        "agenda_form": forms.get("agenda_form") or AgendaItemForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "agenda": list(event.agenda_items.select_related("topic").order_by("order", "pk")),
        "documents": list(event.documents.all()),
    }


@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    access.require(access.may_edit_events(request.user))
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = services.save_event(form, by=request.user)
        messages.success(request, _("Événement créé. Ajoutez son ordre du jour et ses documents."))
        return _redirect(request, _edit_url(event))
    return render_page(
        request, "calendar_app/event_form.html", {"form": form, "event": None}, partial="form"
    )


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_edit_events(request.user))
    event = get_object_or_404(Event, slug=slug)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_event(form, by=request.user, version=form.cleaned_data.get("version"))
        except services.Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Événement enregistré."))
            return _redirect(request, reverse("event_detail", kwargs={"slug": event.slug}))
    return render_page(
        request, "calendar_app/event_edit.html", _edit_context(event, form=form), partial="form"
    )


@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_edit_events(request.user))
    event = get_object_or_404(Event, slug=slug)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_event(event, by=request.user, reason=form.cleaned_data["reason"])
        except services.Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Événement annulé. Il reste affiché comme annulé."))
        return _redirect(request, reverse("event_detail", kwargs={"slug": event.slug}))
    return render_page(request, "calendar_app/event_cancel.html", {"event": event, "form": form})


@require_POST
def event_reinstate(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_edit_events(request.user))
    event = get_object_or_404(Event, slug=slug)
    try:
        services.reinstate_event(event, by=request.user)
    except services.Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Événement rétabli."))
    return _redirect(request, reverse("event_detail", kwargs={"slug": event.slug}))


@require_POST
def event_agenda(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a line to the agenda, or move one up or down, or remove it
    (``action`` = add, up, down, remove; ``item`` = the line's id)."""
    access.require(access.may_edit_events(request.user))
    event = get_object_or_404(Event, slug=slug)
    action = request.POST.get("action", "add")
    agenda_form = None
    if action == "add":
        agenda_form = AgendaItemForm(request.POST)
        if agenda_form.is_valid():
            services.add_agenda_item(
                event,
                topic=agenda_form.cleaned_data["topic"],
                label=agenda_form.cleaned_data["label"],
                by=request.user,
            )
            agenda_form = None
    elif action in ("up", "down", "remove"):
        item = event.agenda_items.filter(pk=whole_number(request.POST.get("item")) or 0).first()
        if item is None:
            raise Http404
        if action == "remove":
            services.remove_agenda_item(item, by=request.user)
        else:
            services.move_agenda_item(item, offset=-1 if action == "up" else 1, by=request.user)
    else:
        raise Http404
    if agenda_form is None and not getattr(request, "htmx", False):
        return redirect(_edit_url(event, "ordre-du-jour"))
    event.refresh_from_db()
    return render_page(
        request,
        "calendar_app/event_edit.html",
        _edit_context(event, agenda_form=agenda_form),
        partial="agenda",
    )


@require_POST
def document_upload(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_edit_events(request.user))
    event = get_object_or_404(Event, slug=slug)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        services.add_document(
            event,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
            content_type=form.content_type,
            by=request.user,
        )
        messages.success(request, _("Document déposé."))
        return redirect(_edit_url(event, "documents"))
    return render_page(
        request, "calendar_app/event_edit.html", _edit_context(event, document_form=form)
    )


@require_POST
def document_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access.require(access.may_edit_events(request.user))
    document = get_object_or_404(EventDocument, event__slug=slug, pk=pk)
    services.delete_document(document, by=request.user)
    messages.success(request, _("Document retiré."))
    return redirect(_edit_url(document.event, "documents"))


@require_GET
def document_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """Documents are for signed-in people only: served here, never from /media/."""
    document = get_object_or_404(EventDocument, event__slug=slug, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        # The name people gave, with the extension of what the file really is.
        filename=PurePath(document.filename).stem + document.extension,
        content_type=document.content_type,
    )
