from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import slug_re
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import audit
from accounts.models import Organisation, TaskForce, TaskForceLead
from core import sections
from core.htmx import render_page
from core.text import whole_number

from . import access
from .models import ReferenceDocument, Requirement, RequirementSons, Sons, Topic
from .services import concertation_sons, scope_label, statements_by_text


class EditorSonsForm(forms.Form):
    sons = forms.ModelMultipleChoiceField(
        label=gettext_lazy("SONS vendus par cet éditeur"),
        queryset=Sons.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    context = {"documents": ReferenceDocument.objects.select_related("sons")}
    return render(request, "topics/documents.html", context)


@require_GET
def contacts(request: HttpRequest) -> HttpResponse:
    """ "Vos points de contact": each task force, its SONS and its public contacts."""
    task_forces = TaskForce.objects.prefetch_related(
        Prefetch("sons", Sons.objects.order_by("order")),
        Prefetch(
            "memberships",
            TaskForceLead.objects.filter(is_public_contact=True).select_related("user"),
            to_attr="contacts",
        ),
    )
    context = {
        "task_forces": task_forces,
        "without_task_force": Sons.objects.filter(task_force=None),
    }
    return render(request, "topics/contacts.html", context)


@require_http_methods(["GET", "POST"])
def editor_sons(request: HttpRequest, slug: str) -> HttpResponse:
    """The SONS an editor sells, managed by leads and admins. It lives here, not
    in accounts/, because the link (Sons.editors) is declared by topics/."""
    if not access.may_manage_editor_sons(request.user):
        raise PermissionDenied
    editor = get_object_or_404(Organisation, slug=slug, kind=Organisation.Kind.EDITOR)
    form = EditorSonsForm(
        request.POST if request.method == "POST" else None, initial={"sons": editor.sons.all()}
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = sorted(editor.sons.values_list("code", flat=True))
            editor.sons.set(form.cleaned_data["sons"])
            after = sorted(sons.code for sons in form.cleaned_data["sons"])
            if before != after:
                audit.record(
                    audit.Action.ORGANISATION_CHANGED,
                    request=request,
                    target=editor,
                    organisation=editor,
                    details={"sons": {"from": before, "to": after}},
                )
        messages.success(request, _("SONS de « %s » enregistrés.") % editor.name)
        return redirect("organisation_detail", slug=editor.slug)
    context = {"organisation": editor, "form": form}
    return render(request, "topics/editor_sons.html", context, status=400 if form.errors else 200)


# --- The topic and requirement pages -----------------------------------------------------
#
# Their subject is this app's; what they show comes also from the apps above
# (decisions, versions, events, comments, feedback), which register sections
# for the slots the templates name (core/sections.py).


def get_topic(key: str) -> Topic:
    """A topic by its number ("7") or its slug; anything else (a posted
    ``sujet`` with a NUL, which PostgreSQL refuses) is no topic."""
    number = whole_number(key)
    if number is None and not slug_re.fullmatch(key):
        raise Http404("No such topic")
    lookup = {"number": number} if number is not None else {"slug": key}
    return get_object_or_404(Topic.objects.prefetch_related("scope"), **lookup)


def everyone(request: HttpRequest) -> list[Sons]:
    """The SONS "Tous" stands for, read once per request (the page and its
    sections ask)."""
    return sections.once(request, ("concertation_sons",), concertation_sons)


def requirement_rows(request: HttpRequest, requirement: Requirement) -> list[RequirementSons]:
    """The requirement's per-SONS rows, in SONS order, read once per request."""
    return sections.once(
        request,
        ("requirement_rows", requirement.pk),
        lambda: sorted(
            requirement.applicabilities.select_related("sons"),
            key=lambda row: (row.sons.order, row.sons.code),
        ),
    )


@require_GET
def topic_detail(request: HttpRequest, key: str) -> HttpResponse:
    topic = get_topic(key)
    context = {"topic": topic, "scope": scope_label(topic.scope.all(), everyone(request))}
    refreshed = sections.htmx_section("topics.topic", request)
    if refreshed is not None:
        return sections.render_section(refreshed, request, topic, context)
    return render_page(request, "topics/topic_detail.html", context)


@require_GET
def requirement_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if reference.endswith("/"):
        return redirect("requirement_detail", reference=reference.rstrip("/"), permanent=True)
    requirement = get_object_or_404(
        Requirement.objects.select_related("topic"), reference=reference
    )
    rows = requirement_rows(request, requirement)
    if not rows and not access.may_see_unlisted_requirements(request.user):
        raise Http404
    context = {
        "requirement": requirement,
        "statements": statements_by_text(rows),
        "perimeter": ", ".join(row.sons.code for row in rows),
    }
    return render_page(request, "topics/requirement_detail.html", context)
