"""Participants' actions: register for a workshop, ask and support questions;
and the leads' answers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.htmx import render_page

from . import access, services
from .forms import AnswerForm, QuestionForm
from .models import Event, Question
from .views import event_context, events_with_agenda


def _event_url(event: Event, anchor: str = "") -> str:
    return reverse("event_detail", kwargs={"slug": event.slug}) + (f"#{anchor}" if anchor else "")


@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_register(request.user))
    event = get_object_or_404(Event, slug=slug)
    try:
        services.register(event, organisation=request.user.organisation, by=request.user)
    except services.Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(organisation)s est inscrite à « %(event)s ».")
            % {"organisation": request.user.organisation, "event": event.title},
        )
    return redirect(_event_url(event, "inscriptions"))


@require_POST
def unregister(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_register(request.user))
    event = get_object_or_404(Event, slug=slug)
    try:
        services.unregister(event, organisation=request.user.organisation, by=request.user)
    except services.Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Votre organisation n’est plus inscrite à cet atelier."))
    return redirect(_event_url(event, "inscriptions"))


@require_POST
def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_ask_questions(request.user))
    event = get_object_or_404(events_with_agenda(), slug=slug)
    if not event.questions_open():
        messages.error(request, _("Les questions sont closes pour cet événement."))
        return redirect(_event_url(event, "questions"))
    form = QuestionForm(request.POST)
    if form.is_valid():
        services.ask_question(event, by=request.user, text=form.cleaned_data["text"])
        if not getattr(request, "htmx", False):
            messages.success(request, _("Votre question est enregistrée."))
            return redirect(_event_url(event, "questions"))
        form = None
    context = event_context(request, event, question_form=form)
    return render_page(request, "calendar_app/event_detail.html", context, partial="questions")


@require_POST
def question_vote(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(access.may_ask_questions(request.user))
    question = get_object_or_404(Question.objects.select_related("event"), pk=pk)
    event = question.event
    try:
        services.toggle_vote(question, by=request.user)
    except services.Refused as refusal:
        messages.error(request, refusal.message)
        return redirect(_event_url(event, f"question-{question.pk}"))
    if not getattr(request, "htmx", False):
        return redirect(_event_url(event, f"question-{question.pk}"))
    event = events_with_agenda().get(pk=event.pk)
    context = event_context(request, event)
    return render_page(request, "calendar_app/event_detail.html", context, partial="questions")


@require_http_methods(["GET", "POST"])
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(access.may_answer_questions(request.user))
    question = get_object_or_404(
        Question.objects.select_related("event", "author", "organisation"), pk=pk
    )
    form = AnswerForm(request.POST or None, initial={"answer": question.answer})
    if request.method == "POST" and form.is_valid():
        services.answer_question(question, by=request.user, answer=form.cleaned_data["answer"])
        messages.success(request, _("Réponse publiée."))
        url = _event_url(question.event, f"question-{question.pk}")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
    return render_page(
        request,
        "calendar_app/question_answer.html",
        {"question": question, "event": question.event, "form": form},
        partial="form",
    )
