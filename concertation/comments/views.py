"""Comment threads: one template (``comments/thread.html``) answers every
action. Without JavaScript, each action's URL is a page showing the thread
with that action's form open, and a successful POST redirects to the comment
on the subject's page; with htmx, the same URLs answer the thread alone,
which replaces the one in the page (refused forms with 422, keeping what was
typed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import render_page
from topics.models import Requirement

from .. import access
from . import services as comments
from .forms import (
    CommentForm,
    CorrectionForm,
    EditForm,
    HideForm,
    InternalNoteForm,
    ReplyForm,
    ReportForm,
)
from .models import Comment, CommentReport

THREAD = "concertation/comments/thread.html"
# Several forms share a page: their fields need ids of their own.
NEW_COMMENT_ID = "comment-new-%s"


def _focus(form):
    """The form opened in the thread takes the focus (htmx honours autofocus)."""
    first = next(iter(form.fields.values()))
    first.widget.attrs["autofocus"] = True
    return form


@dataclass
class OpenForm:
    """The form shown open in the thread: under which comment, for what."""

    action: str  # "reply", "edit", "correct", "hide", "report"
    comment_id: int
    form: Any
    url: str


# Discussions shown on a subject's page; its thread page shows them all.
SUBJECT_PAGE_DISCUSSIONS = 20


def thread_context(
    request: HttpRequest, subject, *, open_form=None, new_form=None, latest=None, **extra
):
    """What the thread include needs; subject pages add it to their context
    (with ``latest=SUBJECT_PAGE_DISCUSSIONS``)."""
    thread = comments.build_thread(request.user, subject, latest=latest)
    if new_form is None and thread.may_comment:
        new_form = CommentForm(
            sons_choices=thread.sons_choices,
            default_sons=thread.default_sons,
            auto_id=NEW_COMMENT_ID,
        )
    return {
        "thread": thread,
        "comment_form": new_form,
        "open_form": open_form,
        **extra,
    }


def _render(request, subject, *, status=None, **context) -> HttpResponse:
    return render_page(
        request,
        THREAD,
        thread_context(request, subject, **context),
        partial="thread",
        status=status,
    )


def _done(request, entry, subject, comment: Comment, message: str) -> HttpResponse:
    if request.htmx:
        return _render(request, subject, announce=message, focus=comment.pk)
    messages.success(request, message)
    return redirect(f"{entry.url(subject)}#commentaire-{comment.pk}")


def _refused(request, subject, **context) -> HttpResponse:
    return _render(request, subject, status=422, **context)


@require_GET
def comment_thread(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    _entry, subject = comments.get_subject(request.user, kind, key)
    return _render(request, subject)


@require_POST
def comment_post(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    entry, subject = comments.get_subject(request.user, kind, key)
    if not entry.may_comment(request.user, subject):
        raise PermissionDenied
    choices = entry.sons_choices(subject)
    form = CommentForm(
        request.POST,
        sons_choices=choices,
        default_sons=comments.default_sons(request.user, choices),
        auto_id=NEW_COMMENT_ID,
    )
    if form.is_valid():
        try:
            comment = comments.post_comment(
                author=request.user,
                subject=subject,
                body=form.cleaned_data["body"],
                sons=form.chosen_sons(),
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            return _done(request, entry, subject, comment, _("Votre commentaire est publié."))
    return _refused(request, subject, new_form=form)


def _action(request, pk: int, action: str, form_class, allowed, perform, message: str):
    """One action on one comment: GET opens its form in the thread, POST runs it."""
    entry, subject, comment = comments.get_comment(request.user, pk)
    if not allowed(request.user, comment):
        raise PermissionDenied
    url = request.path
    auto_id = f"comment-{comment.pk}-{action}-%s"
    if request.method == "GET":
        initial = {"body": comment.body} if action == "edit" else {}
        form = _focus(form_class(initial=initial, auto_id=auto_id))
        return _render(request, subject, open_form=OpenForm(action, comment.pk, form, url))
    form = _focus(form_class(request.POST, auto_id=auto_id))
    if form.is_valid():
        try:
            done = perform(comment, form.cleaned_data)
        except comments.CommentLocked:
            form.add_error(
                None,
                _(
                    "Ce commentaire ne peut plus être modifié (15 minutes écoulées ou "
                    "réponse reçue) : ajoutez une correction."
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, entry, subject, done or comment, message)
    return _refused(request, subject, open_form=OpenForm(action, comment.pk, form, url))


@require_http_methods(["GET", "POST"])
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(comment, data):
        return comments.post_comment(
            author=request.user, subject=comment.subject, body=data["body"], parent=comment
        )

    def allowed(user, comment):
        entry = comments.BY_FIELD[comment.subject_field]
        return entry.may_comment(user, comment.subject) and not comment.is_hidden

    return _action(
        request, pk, "reply", ReplyForm, allowed, perform, _("Votre réponse est publiée.")
    )


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(comment, data):
        return comments.edit_comment(comment, by=request.user, body=data["body"])

    def allowed(user, comment):
        if request.method == "POST":
            # The window may close while the author types: edit_comment
            # refuses, and the form says so and keeps the text (not a bare 403).
            return access.may_correct_comment(user, comment)
        return access.may_edit_comment(user, comment)

    return _action(
        request, pk, "edit", EditForm, allowed, perform, _("Votre commentaire est modifié.")
    )


@require_http_methods(["GET", "POST"])
def comment_correct(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(comment, data):
        comments.correct_comment(comment, by=request.user, body=data["body"])

    return _action(
        request,
        pk,
        "correct",
        CorrectionForm,
        access.may_correct_comment,
        perform,
        _("Votre correction est publiée."),
    )


@require_http_methods(["GET", "POST"])
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(comment, data):
        comments.hide_comment(comment, by=request.user, reason=data["reason"], request=request)

    def allowed(user, comment):
        return access.may_moderate(user)

    return _action(request, pk, "hide", HideForm, allowed, perform, _("Le commentaire est masqué."))


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(comment, data):
        comments.report_comment(comment, by=request.user, reason=data["reason"])

    def allowed(user, comment):
        entry = comments.BY_FIELD[comment.subject_field]
        return entry.may_comment(user, comment.subject) and access.may_report_comment(user, comment)

    return _action(
        request,
        pk,
        "report",
        ReportForm,
        allowed,
        perform,
        _("Merci : le commentaire est signalé aux responsables de task force."),
    )


# --- Moderation (leads and admins) -------------------------------------------------------------


def _require_moderator(request: HttpRequest) -> None:
    if not access.may_moderate(request.user):
        raise PermissionDenied


@require_GET
def comment_moderation(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    return _moderation_page(request)


def _moderation_page(request: HttpRequest) -> HttpResponse:
    reported = (
        access.reported_comments_visible_to(request.user)
        .select_related("author", "organisation", "requirement", "topic", "feedback")
        .prefetch_related(
            Prefetch(
                "reports",
                CommentReport.objects.open().select_related("reporter"),
                to_attr="open_reports",
            )
        )
        .order_by("created_at", "pk")
    )
    items = [(comment, comments.comment_url(comment)) for comment in reported]
    return render_page(
        request,
        "concertation/comments/moderation.html",
        {"items": items},
        partial="reported",
    )


@require_POST
def comment_dismiss_reports(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    _entry, _subject, comment = comments.get_comment(request.user, pk)
    dismissed = comments.dismiss_reports(comment, by=request.user, request=request)
    if dismissed:
        messages.success(request, _("Signalement classé : le commentaire reste affiché."))
    if request.htmx:
        return _moderation_page(request)
    return redirect("comment_moderation")


# --- Internal notes ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def internal_notes(request: HttpRequest, reference: str) -> HttpResponse:
    _require_moderator(request)
    requirement = get_object_or_404(Requirement, reference=reference.rstrip("/"))
    form = InternalNoteForm(request.POST or None, auto_id="note-%s")
    status = None
    if request.method == "POST":
        if form.is_valid():
            note = comments.add_internal_note(
                requirement, by=request.user, body=form.cleaned_data["body"]
            )
            if not request.htmx:
                messages.success(request, _("Note interne enregistrée."))
                return redirect(f"{comments.SUBJECTS['exigence'].url(requirement)}#note-{note.pk}")
            form = InternalNoteForm(auto_id="note-%s")
        else:
            status = 422
    context = {
        "requirement": requirement,
        "notes": comments.internal_notes(request.user, requirement),
        "note_form": form,
    }
    return render_page(
        request, "concertation/comments/notes.html", context, partial="notes", status=status
    )
