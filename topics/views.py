from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import audit
from accounts.models import Organisation, TaskForce, TaskForceLead

from . import access
from .models import ReferenceDocument, Sons


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
