"""Argued feedback's pages: drafting and filing, co-signing, the leads'
inbox and answers, "Mes retours", attachments. Every page reads feedback
through ``Feedback.objects.visible_to`` (access.get_feedback)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import Action, record
from core.caching import CachedCountPaginator
from core.htmx import render_page
from core.text import whole_number
from topics.models import Requirement, RequirementSons
from topics.views import get_topic

from .. import access
from ..caching import FEEDBACK
from ..comments.views import thread_context
from . import services
from .exports import synthesis_response
from .forms import (
    AnswerForm,
    AssignForm,
    FeedbackForm,
    InboxAnswerFormSet,
    InboxFilterForm,
    InviteForm,
    VersionForm,
    WindowForm,
)
from .models import Feedback, FeedbackAttachment, FeedbackConflict
from .summary import feedback_inbox_rows, feedback_list, feedback_table

# A lead answers a page of feedback at once: 25 answer forms per page.
PAGE_SIZE = 25
MY_PAGE_SIZE = 20


def get_feedback(user, pk: int) -> Feedback:
    """A feedback as ``user`` may reach it: one they may not see does not
    exist for them (404, not 403)."""
    return get_object_or_404(feedback_list(user), pk=pk)


def _whole_numbers(values: list[str]) -> list[int]:
    """The ids a form posted, without those that are no number."""
    return [number for number in map(whole_number, values) if number is not None]


def _require_lead(user) -> None:
    if not access.may_answer_feedback(user):
        raise PermissionDenied


# --- Drafting ----------------------------------------------------------------------


def _initial(request: HttpRequest, topic) -> dict:
    reference = request.GET.get("exigence", "")
    if not reference:
        return {}
    requirement = Requirement.objects.filter(topic=topic, reference=reference).first()
    if requirement is None:
        return {}
    rows = list(RequirementSons.objects.filter(requirement=requirement).select_related("sons"))
    statements = {row.statement for row in rows}
    return {
        "requirements": [requirement.pk],
        "sons": [row.sons_id for row in rows if row.sons in topic.scope.all()],
        "current_wording": statements.pop() if len(statements) == 1 else "",
    }


def _save(request: HttpRequest, form: FeedbackForm, feedback: Feedback | None) -> Feedback | None:
    """Save (and file, for the "Déposer" button) a valid form; None when a
    rule refused it (the form then says why)."""
    filing = "deposer" in request.POST
    if filing:
        form.check_filing()
        if not form.is_valid():
            return None
    try:
        saved = services.save_feedback(
            by=request.user,
            data=form.to_input(),
            feedback=feedback,
            expected_version=form.cleaned_data.get("version"),
            uploads=form.uploads,
            remove_attachments=_whole_numbers(request.POST.getlist("retirer")),
            file=filing,
        )
    except services.FeedbackRefused as refused:
        form.add_error(refused.field, refused.message)
        return None
    except FeedbackConflict:
        form.add_error(
            None,
            _(
                "Quelqu'un a modifié ce brouillon pendant que vous le rédigiez : votre saisie "
                "n'a pas été enregistrée. Rechargez la page pour voir sa version."
            ),
        )
        return None
    if filing:
        messages.success(
            request, _("Retour déposé. Les responsables de task force en sont informés.")
        )
    else:
        messages.success(request, _("Brouillon enregistré."))
    return saved


@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    if not access.may_draft_feedback(request.user):
        raise PermissionDenied
    topic = get_topic(request.GET.get("sujet") or request.POST.get("sujet") or "")
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES, topic=topic)
        if form.is_valid():
            saved = _save(request, form, None)
            if saved is not None:
                return redirect("feedback_detail", pk=saved.pk)
    else:
        form = FeedbackForm(topic=topic, initial=_initial(request, topic))
    context = {
        "form": form,
        "topic": topic,
        "feedback": None,
        "window_refusal": services.window_refusal(topic, timezone.now()),
    }
    return render_page(request, "concertation/feedback/form.html", context)


@require_http_methods(["GET", "POST"])
def feedback_edit(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request.user, pk)
    if not access.may_edit_feedback(request.user, feedback):
        raise PermissionDenied
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES, topic=feedback.topic, feedback=feedback)
        if form.is_valid():
            saved = _save(request, form, feedback)
            if saved is not None:
                return redirect("feedback_detail", pk=saved.pk)
    else:
        initial = {
            name: getattr(feedback, name)
            for name in (*services.FeedbackInput.TEXTS, "for_workshop", "version")
        }
        initial["requirements"] = [r.pk for r in feedback.requirements.all()]
        initial["sons"] = [s.pk for s in feedback.sons.all()]
        form = FeedbackForm(topic=feedback.topic, feedback=feedback, initial=initial)
    context = {
        "form": form,
        "topic": feedback.topic,
        "feedback": feedback,
        "window_refusal": services.window_refusal(feedback.topic, timezone.now()),
    }
    return render_page(request, "concertation/feedback/form.html", context)


@require_POST
def feedback_file(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request.user, pk)
    if not access.may_edit_feedback(request.user, feedback):
        raise PermissionDenied
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else feedback.version
    try:
        services.file_feedback(feedback, by=request.user, expected_version=version)
    except services.FeedbackRefused as refused:
        messages.error(request, refused.message)
    except FeedbackConflict:
        messages.error(
            request, _("Ce brouillon a changé entre-temps : relisez-le avant de le déposer.")
        )
    else:
        messages.success(
            request, _("Retour déposé. Les responsables de task force en sont informés.")
        )
    return redirect("feedback_detail", pk=feedback.pk)


# --- Reading -----------------------------------------------------------------------


def _detail_context(request: HttpRequest, feedback: Feedback, **forms) -> dict:
    user = request.user
    signed = {s.organisation_id for s in feedback.signatures.all()}
    lead = access.may_answer_feedback(user)
    return {
        "feedback": feedback,
        "may_edit": access.may_edit_feedback(user, feedback),
        "may_cosign": access.may_cosign_feedback(user, feedback, signed),
        "may_invite": access.may_invite_to_cosign(user, feedback),
        "invite_form": forms.get("invite_form") or InviteForm(feedback=feedback),
        "may_answer": lead
        and feedback.status in (Feedback.Status.SUBMITTED, Feedback.Status.UNDER_REVIEW),
        "may_publish_answer": lead
        and feedback.answer_pending_review
        and not feedback.is_answered
        and feedback.answered_by_id != user.pk,
        "may_reopen": lead
        and feedback.on_decided_subject
        and not feedback.is_answered
        and feedback.reopened_decision_id is None,
        "show_answer": feedback.is_answered or lead,
        "answer_form": forms.get("answer_form")
        or AnswerForm(
            initial={
                "version": feedback.version,
                "disposition": feedback.disposition,
                "text": feedback.answer_text,
            }
        ),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"version": feedback.version, "assignee": feedback.assignee_id}),
        "window_refusal": services.window_refusal(feedback.topic, timezone.now())
        if feedback.is_draft
        else None,
    }


@require_GET
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request.user, pk)
    return _render_detail(request, feedback)


def _render_detail(request: HttpRequest, feedback: Feedback, status=None, **extra) -> HttpResponse:
    context = {
        **_detail_context(request, feedback, **extra),
        **thread_context(request, feedback),
        "conflict": extra.get("conflict", False),
    }
    return render_page(request, "concertation/feedback/detail.html", context, status=status)


@require_GET
def feedback_attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    """Served here only, to those who may see the feedback; never from /media/."""
    feedback = get_feedback(request.user, pk)
    item = get_object_or_404(FeedbackAttachment, feedback=feedback, pk=attachment)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=PurePath(item.filename).stem + item.extension,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Co-signing --------------------------------------------------------------------


@require_POST
def feedback_cosign(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request.user, pk)
    services.cosign(feedback, by=request.user)
    messages.success(
        request,
        _("%(organisation)s cosigne ce retour.") % {"organisation": request.user.organisation},
    )
    return redirect("feedback_detail", pk=feedback.pk)


@require_POST
def feedback_invite(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request.user, pk)
    if not access.may_invite_to_cosign(request.user, feedback):
        raise PermissionDenied
    form = InviteForm(request.POST, feedback=feedback)
    if not form.is_valid():
        return _render_detail(request, feedback, status=400, invite_form=form)
    invited = services.invite_cosigners(
        feedback, by=request.user, organisations=list(form.cleaned_data["federations"])
    )
    messages.success(
        request,
        _("Invitation envoyée à %(federations)s.")
        % {"federations": ", ".join(str(organisation) for organisation in invited)},
    )
    return redirect("feedback_detail", pk=feedback.pk)


# --- Answering ---------------------------------------------------------------------


def _conflict(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "Quelqu'un a modifié ce retour pendant que vous y répondiez : rien n'a été "
            "enregistré. Relisez-le ci-dessous avant de recommencer."
        ),
    )


@require_POST
def feedback_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request.user)
    feedback = get_feedback(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, feedback, status=400, assign_form=form)
    try:
        services.assign(
            feedback,
            by=request.user,
            assignee=form.cleaned_data["assignee"],
            expected_version=form.cleaned_data["version"],
        )
    except FeedbackConflict:
        _conflict(request)
    else:
        messages.success(
            request,
            _("Retour attribué à %(name)s.") % {"name": form.cleaned_data["assignee"]},
        )
    return redirect("feedback_detail", pk=feedback.pk)


@require_POST
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request.user)
    feedback = get_feedback(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer(
                feedback,
                by=request.user,
                data=form.to_input(),
                expected_version=form.cleaned_data["version"],
            )
        except FeedbackConflict:
            _conflict(request)
            feedback = get_feedback(request.user, pk)
            return _render_detail(request, feedback, status=409, answer_form=form, conflict=True)
        if form.cleaned_data["publish"] == "publish":
            messages.success(
                request, _("Réponse publiée : les auteurs et cosignataires sont informés.")
            )
        else:
            messages.success(request, _("Réponse enregistrée, en attente de relecture."))
        return redirect("feedback_detail", pk=feedback.pk)
    return _render_detail(request, feedback, status=400, answer_form=form)


def _lead_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    """A lead's one-click action on a feedback, claiming the version the page
    was read at: refused or overtaken, the lead is told why; back to the page."""
    _require_lead(request.user)
    feedback = get_feedback(request.user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else feedback.version
    try:
        action(feedback, by=request.user, expected_version=version)
    except services.FeedbackRefused as refused:
        messages.error(request, refused.message)
    except FeedbackConflict:
        _conflict(request)
    else:
        messages.success(request, done)
    return redirect("feedback_detail", pk=feedback.pk)


@require_POST
def feedback_publish_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_action(
        request,
        pk,
        services.publish_answer,
        _("Réponse publiée : les auteurs et cosignataires sont informés."),
    )


@require_POST
def feedback_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_action(
        request,
        pk,
        services.reopen,
        _("Arbitrage rouvert : un nouveau projet d'arbitrage est à instruire."),
    )


# --- The leads' inbox --------------------------------------------------------------


def _keep_typed(page, posted) -> None:
    """A refused bulk answer shows what was typed, not what is stored."""
    for item in page:
        item.form_disposition = posted.get(f"suite-{item.pk}", item.disposition)
        item.form_text = posted.get(f"reponse-{item.pk}", item.answer_text)


def _inbox_rows(request: HttpRequest, rows=None):
    """The filed feedback the inbox's filters choose (of ``rows``: by
    default what the inbox's table shows of them)."""
    form = InboxFilterForm(request.GET or None)
    if rows is None:
        rows = feedback_inbox_rows(request.user)
    return form, form.filter(rows.filed()).order_by("filed_at", "pk")


def _inbox_paginator(request: HttpRequest, rows) -> Paginator:
    """The inbox in pages. Every lead sees every filed feedback, so the count
    of what the filters select is the same for all: kept until a feedback
    changes — but for "Ancienneté", which moves with the clock, and words
    searched, too varied to keep."""
    filters = sorted((k, v) for k, v in request.GET.lists() if k != "page")
    if request.GET.get("anciennete") or request.GET.get("recherche"):
        return Paginator(rows, PAGE_SIZE)
    return CachedCountPaginator(rows, PAGE_SIZE, namespace=FEEDBACK, parts=("inbox", filters))


def _inbox_context(request: HttpRequest, filter_form, page, **answering) -> dict:
    """The inbox's table; ``answering``: the errors and the feedbacks ticked
    of a bulk answer refused."""
    return {
        "filter_form": filter_form,
        "page": page,
        "query": request.GET.urlencode(),
        "dispositions": Feedback.Disposition.choices,
        "errors": answering.get("errors", {}),
        "chosen": answering.get("chosen", []),
    }


@require_GET
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    _require_lead(request.user)
    form, rows = _inbox_rows(request)
    page = _inbox_paginator(request, rows).get_page(request.GET.get("page"))
    _keep_typed(page, {})
    context = _inbox_context(request, form, page)
    return render_page(request, "concertation/feedback/inbox.html", context, partial="results")


@require_POST
def feedback_inbox_answer(request: HttpRequest) -> HttpResponse:
    """Answer several feedbacks at once, a text for each: all or none."""
    _require_lead(request.user)
    chosen = _whole_numbers(request.POST.getlist("choisis"))
    found = {f.pk: f for f in feedback_list(request.user).filter(pk__in=chosen)}
    if not found.keys() >= set(chosen):
        raise Http404
    answers = InboxAnswerFormSet(request.POST, feedbacks=[found[pk] for pk in chosen])
    if not chosen:
        messages.error(request, _("Cochez les retours auxquels vous répondez."))
    elif answers.is_valid():
        try:
            services.answer_many(answers.answers(), by=request.user)
        except FeedbackConflict:
            _conflict(request)
        except PermissionDenied:
            messages.error(
                request, _("Un des retours choisis a déjà sa réponse : rien n'a été enregistré.")
            )
        else:
            messages.success(request, _("%(count)s réponses publiées.") % {"count": len(chosen)})
            return redirect(f"{reverse('feedback_inbox')}?{request.GET.urlencode()}")
    form, rows = _inbox_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _keep_typed(page, request.POST)
    context = _inbox_context(
        request, form, page, errors=answers.errors_by_feedback(), chosen=chosen
    )
    return render_page(request, "concertation/feedback/inbox.html", context, status=400)


@require_GET
def feedback_export(request: HttpRequest) -> HttpResponse:
    _require_lead(request.user)
    _form, rows = _inbox_rows(request, feedback_list(request.user))
    rows = list(rows.order_by("topic__order", "topic__number", "filed_at", "pk"))
    record(Action.EXPORT, request=request, details={"format": "xlsx", "feedback": len(rows)})
    return synthesis_response(rows)


# --- "Mes retours" -----------------------------------------------------------------


@require_GET
def my_feedback(request: HttpRequest) -> HttpResponse:
    if not access.may_draft_feedback(request.user):
        raise PermissionDenied
    organisation = request.user.organisation_id
    rows = feedback_table(request.user)
    lists = {
        "own": rows.filter(organisation_id=organisation).order_by("-created_at", "-pk"),
        "signed": rows.filter(signatures__organisation_id=organisation).order_by(
            "-filed_at", "-pk"
        ),
        # An editor reads (and comments on) the feedback of its federations.
        "federations": rows.filter(
            organisation__in=request.user.organisation.federations.all()
        ).order_by("-created_at", "-pk"),
    }
    # Each list in pages of its own (``?own=2&signed=3``): an organisation's
    # history only grows.
    context = {
        name: Paginator(found, MY_PAGE_SIZE).get_page(request.GET.get(name))
        for name, found in lists.items()
    }
    return render_page(request, "concertation/feedback/mine.html", context)


# --- Feedback windows --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def topic_feedback_window(request: HttpRequest, key: str) -> HttpResponse:
    _require_lead(request.user)
    topic = get_topic(key)
    if request.method == "POST":
        form = WindowForm(request.POST)
        if form.is_valid():
            services.set_window(
                topic,
                by=request.user,
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
            )
            messages.success(request, _("Période de retours enregistrée."))
            return redirect("topic_detail", key=key)
    else:
        form = WindowForm(
            initial={"opens_at": topic.feedback_opens_at, "closes_at": topic.feedback_closes_at}
        )
    return render_page(request, "concertation/feedback/window.html", {"form": form, "topic": topic})
