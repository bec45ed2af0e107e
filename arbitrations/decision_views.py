"""Recording and publishing decisions: the leads' and admins' pages.

Every form works as a whole page without JavaScript; with htmx the same URL
answers the form alone (to open it inline in the topic or session page) and,
once saved, an empty answer that tells the page to refresh its decisions.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from calendar_app.models import Event
from core.htmx import render_page
from core.http import safe_next
from core.text import whole_number
from topics.models import Requirement, RequirementSons, Sons
from topics.views import get_topic

from .access import decidable_sons_ids, get_arbitration, may_decide, require_decider
from .decisions import current_decisions
from .forms import BulkDecisionForm, DecisionForm, new_token
from .models import DecisionConflict
from .services import (
    BulkConflict,
    BulkItem,
    DecisionInput,
    current_by_sons,
    decision_perimeter,
    publish_decisions,
    publish_session,
    record_bulk,
    snapshot,
)

DECISIONS_CHANGED = "decisionsChanged"


def _subject_url(subject) -> str:
    if isinstance(subject, Requirement):
        return reverse("requirement_detail", kwargs={"reference": subject.reference})
    return reverse("topic_detail", kwargs={"key": subject.number or subject.slug})


def _done(request: HttpRequest, back: str) -> HttpResponse:
    """After a change: htmx pages refresh their decisions in place; without
    JavaScript, back to the page the person came from."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = DECISIONS_CHANGED
        return response
    return redirect(back)


def _candidate_sons(request: HttpRequest, subject) -> list[Sons]:
    """The SONS of the subject's perimeter this person may decide for."""
    decidable = decidable_sons_ids(request.user)
    return list(decision_perimeter(subject).filter(pk__in=decidable).order_by("order", "code"))


@require_http_methods(["GET", "POST"])
def decide_requirement(request: HttpRequest, reference: str) -> HttpResponse:
    require_decider(request.user)
    requirement = get_object_or_404(
        Requirement.objects.select_related("topic"), reference=reference
    )
    return _decide(request, requirement)


@require_http_methods(["GET", "POST"])
def decide_topic(request: HttpRequest, key: str) -> HttpResponse:
    require_decider(request.user)
    return _decide(request, get_topic(key))


def _decide(request: HttpRequest, subject) -> HttpResponse:
    candidates = _candidate_sons(request, subject)
    if not candidates:
        raise PermissionDenied
    current = current_by_sons(subject, request.user)
    base = snapshot(current, [s.pk for s in candidates])
    back_default = _subject_url(subject)
    sons_choices = Sons.objects.filter(pk__in=[s.pk for s in candidates])
    conflict = None
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST, sons_choices=sons_choices, subject=subject)
        if not form.is_valid():
            status = 422
        else:
            try:
                outcome = form.record(by=request.user)
            except DecisionConflict as error:
                conflict, status = error.current or [], 409
                form = form.restated(base)
            else:
                if not outcome.duplicate:
                    messages.success(
                        request,
                        _("Arbitrage de %(subject)s enregistré en brouillon (%(sons)s).")
                        % {
                            "subject": subject,
                            "sons": ", ".join(s.code for s in form.cleaned_data["sons"]),
                        },
                    )
                return _done(request, safe_next(request, form.cleaned_data["retour"], back_default))
    else:
        initial = DecisionForm.initial_for(
            subject,
            candidates=candidates,
            current=current,
            base=base,
            wanted=request.GET.getlist("sons"),
            retour=safe_next(request, request.GET.get("retour"), back_default),
        )
        form = DecisionForm(initial=initial, sons_choices=sons_choices, subject=subject)
    context = {
        "subject": subject,
        "is_requirement": isinstance(subject, Requirement),
        "subject_url": back_default,
        "form": form,
        "conflict": conflict,
        "current": [(sons, current.get(sons.pk)) for sons in candidates],
        "action": request.path,
    }
    return render_page(
        request, "arbitrations/decision_form.html", context, partial="editor", status=status
    )


@require_POST
def publish_one(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = get_arbitration(request.user, pk, change=True)
    back = safe_next(request, request.POST.get("retour"), _subject_url(arbitration.subject))
    version = request.POST.get("version", "")
    try:
        published = publish_decisions(
            [arbitration],
            by=request.user,
            expected_versions={arbitration.pk: whole_number(version)},
        )
    except DecisionConflict:
        messages.error(
            request,
            _(
                "Ce brouillon a été modifié par quelqu’un d’autre depuis que vous l’avez "
                "affiché : relisez-le avant de le publier."
            ),
        )
    else:
        if published:
            messages.success(request, _("Arbitrage publié : %(a)s.") % {"a": arbitration})
    return _done(request, back)


def _session(slug: str) -> Event:
    return get_object_or_404(Event, slug=slug, kind=Event.Kind.SHARING_SESSION)


@require_http_methods(["GET"])
def session_decisions(request: HttpRequest, slug: str) -> HttpResponse:
    """A session's decisions for the people who record them: edit each inline,
    publish one or all."""
    require_decider(request.user)
    event = _session(slug)
    arbitrations = list(
        event.arbitrations.select_related("requirement", "topic", "requirement__topic")
        .prefetch_related("sons")
        .order_by("requirement__topic__order", "requirement__reference", "topic__order", "pk")
    )
    decidable = decidable_sons_ids(request.user)
    rows = [
        {
            "arbitration": a,
            "may_change": may_decide(request.user, a.sons.all()),
            "sons_codes": [s.code for s in a.sons.all() if s.pk in decidable],
        }
        for a in arbitrations
    ]
    agenda_topics = [
        item.topic for item in event.agenda_items.select_related("topic") if item.topic
    ]
    context = {
        "event": event,
        "rows": rows,
        "drafts_mine": sum(
            1 for r in rows if r["may_change"] and not r["arbitration"].is_published
        ),
        "agenda_topics": agenda_topics,
    }
    return render_page(request, "arbitrations/session_decisions.html", context, partial="decisions")


@require_POST
def session_publish(request: HttpRequest, slug: str) -> HttpResponse:
    require_decider(request.user)
    event = _session(slug)
    back = reverse("session_decisions", kwargs={"slug": event.slug})
    try:
        published, others = publish_session(event, by=request.user)
    except DecisionConflict:
        messages.error(
            request,
            _("Un brouillon a changé pendant la publication : rien n’a été publié, réessayez."),
        )
        return _done(request, back)
    if published:
        messages.success(
            request,
            _("%(count)s arbitrage(s) publié(s) pour « %(event)s ».")
            % {"count": len(published), "event": event.title},
        )
    else:
        messages.info(request, _("Aucun brouillon à publier."))
    if others:
        messages.warning(
            request,
            _("%(count)s brouillon(s) d’autres task forces attendent leur responsable.")
            % {"count": others},
        )
    return _done(request, back)


@require_http_methods(["GET", "POST"])
def bulk_decide(request: HttpRequest, key: str) -> HttpResponse:
    require_decider(request.user)
    topic = get_topic(key)
    decidable = decidable_sons_ids(request.user)
    requirements = list(
        topic.requirements.prefetch_related(
            Prefetch("applicabilities", RequirementSons.objects.select_related("sons"))
        )
        .filter(applicabilities__sons__in=decidable)
        .distinct()
    )
    sons_choices = (
        Sons.objects.filter(pk__in=decidable, applicabilities__requirement__in=requirements)
        .distinct()
        .order_by("order", "code")
    )
    if not requirements:
        raise PermissionDenied
    decisions = current_decisions([r.pk for r in requirements], request.user)
    for requirement in requirements:
        requirement.current = [
            (row.sons, decisions.get((requirement.pk, row.sons_id)))
            for row in sorted(requirement.applicabilities.all(), key=lambda r: r.sons.order)
        ]
    bases = {
        r.pk: snapshot(
            {s: a for (rid, s), a in decisions.items() if rid == r.pk},
            [row.sons_id for row in r.applicabilities.all() if row.sons_id in decidable],
        )
        for r in requirements
    }
    conflicts = None
    status = 200
    if request.method == "POST":
        form = BulkDecisionForm(request.POST, requirements=requirements, sons_choices=sons_choices)
        if form.is_valid():
            data = form.cleaned_data
            same = data["mode"] == BulkDecisionForm.SAME
            items = [
                BulkItem(
                    requirement=requirement,
                    data=DecisionInput(
                        decision=data["decision"] if same else data[f"decision_{requirement.pk}"],
                        comment=data["comment"] if same else data[f"comment_{requirement.pk}"],
                        session=data["session"],
                    ),
                    base=data[f"base_{requirement.pk}"],
                )
                for requirement in data["requirements"]
            ]
            try:
                recorded = record_bulk(
                    by=request.user, sons=list(data["sons"]), items=items, token=data["token"]
                )
            except BulkConflict as error:
                conflicts = error.conflicts
                status = 409
                post = request.POST.copy()
                for requirement in requirements:
                    post[f"base_{requirement.pk}"] = bases[requirement.pk]
                post["token"] = new_token()
                form = BulkDecisionForm(post, requirements=requirements, sons_choices=sons_choices)
                form.is_valid()
            else:
                if recorded:
                    messages.success(
                        request,
                        _("%(count)s arbitrage(s) enregistré(s) en brouillon.")
                        % {"count": len(recorded)},
                    )
                return redirect("topic_detail", key=topic.number or topic.slug)
        else:
            status = 422
    else:
        initial = {"token": new_token(), "mode": BulkDecisionForm.SAME, "sons": sons_choices}
        initial.update({f"base_{pk}": base for pk, base in bases.items()})
        form = BulkDecisionForm(
            initial=initial, requirements=requirements, sons_choices=sons_choices
        )
    context = {
        "topic": topic,
        "form": form,
        "conflicts": conflicts,
        "decisions": decisions,
    }
    return render_page(request, "arbitrations/bulk_form.html", context, status=status)
