from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import TaskForce, TaskForceLead

from .models import ReferenceDocument, Sons


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
