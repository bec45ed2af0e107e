"""The catalogue's pages: find requirements (/exigences/), export what was
found, import spreadsheets, compare two versions of a statement, and attach
requirements to topics."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import Action, record
from arbitrations.caching import NAMESPACE, invalidate_decision_pages
from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration
from core import caching
from core.htmx import render_page
from core.http import safe_next
from core.text import whole_number, word_diff
from topics import access as topics_access
from topics.models import Iteration, Requirement, RequirementSons, Sons, Topic
from topics.references import normalise_reference
from topics.search import search_requirements

from . import access, importing
from .export import CatalogueExportResource, export_rows
from .formats import CONTENT_TYPES, FORMATS
from .forms import AssignTopicForm, ConfirmForm, ImportForm, MatchesForm, SheetForm
from .iterations import CHANGE_LABELS, compare, comparison_dataset
from .kinds import KINDS
from .matches import confirm_matches
from .models import CatalogueImport
from .plan import STATUS_LABELS, Status

PENDING = "pending"
PENDING_LABEL = gettext_lazy("En attente")
FILTERS = ("q", "sons", "sujet", "domaine", "arbitrage", "nature", "bloquante")
PAGE_SIZE = 50


# --- Finding requirements -------------------------------------------------------------


def _selected(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip()[:200] for key in FILTERS}


def _filtered(user, selected: dict[str, str]):
    """The requirements the filters other than the decision select, by
    reference, among those ``user`` may read (a requirement in no SONS' set
    — an iteration's "HIDEME" row, one being prepared — is the authority's)."""
    requirements = search_requirements(topics_access.requirements_visible_to(user), selected["q"])
    if selected["sons"]:
        requirements = requirements.filter(applicabilities__sons__code=selected["sons"])
    if (number := whole_number(selected["sujet"])) is not None:
        requirements = requirements.filter(topic__number=number)
    if selected["domaine"]:
        requirements = requirements.filter(domain=selected["domaine"])
    if selected["nature"] in Requirement.Nature.values:
        requirements = requirements.filter(nature=selected["nature"])
    if selected["bloquante"] in ("oui", "non"):
        requirements = requirements.filter(blocking=selected["bloquante"] == "oui")
    return requirements.distinct().order_by("reference")


def _with_decision(user, selected: dict[str, str], ids: list[int]) -> list[int]:
    """Of ``ids``, those with a (requirement, SONS) pair whose current decision
    is the one selected ("pending": none yet), in the order given."""
    wanted = selected["arbitrage"]
    if not wanted:
        return ids
    decisions = current_decisions(ids, user)
    pairs = RequirementSons.objects.filter(requirement_id__in=ids)
    if selected["sons"]:
        pairs = pairs.filter(sons__code=selected["sons"])
    matching = set()
    for requirement_id, sons_id in pairs.values_list("requirement_id", "sons_id"):
        decision = decisions.get((requirement_id, sons_id))
        if (decision is None and wanted == PENDING) or (
            decision is not None and decision.decision == wanted
        ):
            matching.add(requirement_id)
    return [pk for pk in ids if pk in matching]


def _requirements(ids: list[int]) -> list[Requirement]:
    """These requirements, with their topic and per-SONS rows, in this order."""
    found = Requirement.objects.select_related("topic").prefetch_related(
        Prefetch("applicabilities", RequirementSons.objects.select_related("sons"))
    )
    by_id = {r.pk: r for r in found.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def find_requirements(user, selected: dict[str, str]):
    """The requirements the filters select, with the current decision of
    each (requirement, SONS) pair as ``user`` may see it: a fixed number of
    queries, whatever the number of requirements."""
    ids = _with_decision(
        user, selected, list(_filtered(user, selected).values_list("pk", flat=True))
    )
    requirements = _requirements(ids)
    return requirements, current_decisions(ids, user)


def _found(request: HttpRequest, selected: dict[str, str]) -> dict:
    """One page of the requirements found, with their current decisions:
    paginated in the database, only the page's requirements and decisions
    are read, whatever the number found."""
    ids = list(_filtered(request.user, selected).values_list("pk", flat=True))
    ids = _with_decision(request.user, selected, ids)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _requirements(list(page.object_list))
    decisions = current_decisions([r.pk for r in page.object_list], request.user)
    rows = [
        {
            "requirement": requirement,
            "decisions": [
                (row.sons, decisions.get((requirement.pk, row.sons_id)))
                for row in sorted(
                    requirement.applicabilities.all(), key=lambda r: (r.sons.order, r.sons.code)
                )
                if not selected["sons"] or row.sons.code == selected["sons"]
            ],
        }
        for requirement in page
    ]
    return {"page": page, "rows": rows}


@require_GET
def requirement_list(request: HttpRequest) -> HttpResponse:
    selected = _selected(request)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        # The filters' form is kept rendered until this changes (template).
        "filters_version": caching.version(NAMESPACE),
        "selected": selected,
        "query": query.urlencode(),
        "sons_choices": Sons.objects.all(),
        "topic_choices": Topic.objects.exclude(number=None),
        "all_topics": Topic.objects.all() if access.may_assign_topics(request.user) else (),
        "domain_choices": Requirement.objects.exclude(domain="")
        .order_by("domain")
        .values_list("domain", flat=True)
        .distinct(),
        "decision_choices": [*Arbitration.Decision.choices, (PENDING, PENDING_LABEL)],
        "nature_choices": Requirement.Nature.choices,
        "may_assign": access.may_assign_topics(request.user),
        "may_import": access.may_import_catalogue(request.user),
    }

    # Each search's results are rendered once until decisions or the
    # catalogue change (arbitrations.caching): editors and federations find
    # the same published decisions, the authority (leads, admins) the same
    # drafts too, with the fields of the form that attaches requirements to
    # a topic (the form itself, and its CSRF token, stay out of the cache).
    context["results_html"] = caching.cached_partial(
        request,
        NAMESPACE,
        "catalogue/requirement_list.html#results",
        lambda: {**context, **_found(request, selected)},
        audience=access.audience(request.user),
        parts=sorted(request.GET.lists()),
    )
    return render_page(request, "catalogue/requirement_list.html", context, partial="results")


@require_GET
def requirement_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered requirements, one row per requirement and SONS, as the
    list shows them (drafts only for the authority)."""
    if fmt not in FORMATS:
        raise Http404
    selected = _selected(request)
    requirements, _decisions = find_requirements(request.user, selected)
    sons = Sons.objects.filter(code=selected["sons"]).first() if selected["sons"] else None
    rows, decisions, versions = export_rows(requirements, request.user, sons)
    resource = CatalogueExportResource(
        user=request.user, rows=rows, decisions=decisions, versions=versions
    )
    dataset = resource.export()
    dataset.title = "Exigences"
    body = FORMATS[fmt]().export_data(dataset)
    record(
        Action.EXPORT,
        request=request,
        details={
            "what": "requirements",
            "format": fmt,
            "rows": len(rows),
            "filters": {k: v for k, v in selected.items() if v},
        },
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="exigences-{stamp}.{fmt}"'
    return response


# --- Comparing versions -------------------------------------------------------------------


@require_GET
def requirement_diff(request: HttpRequest, reference: str) -> HttpResponse:
    requirement = get_object_or_404(
        Requirement, reference=normalise_reference(reference.rstrip("/"))
    )
    applicabilities = list(requirement.applicabilities.select_related("sons"))
    if not applicabilities and not topics_access.may_see_unlisted_requirements(request.user):
        raise Http404
    versions = list(requirement.versions.select_related("sons").order_by("created_at", "pk"))
    sons_list = sorted({v.sons for v in versions}, key=lambda s: (s.order, s.code))
    code = request.GET.get("sons", "")
    sons = next((s for s in sons_list if s.code == code), sons_list[0] if sons_list else None)
    history = [v for v in versions if sons and v.sons_id == sons.pk]
    by_id = {str(v.pk): v for v in history}
    before = by_id.get(request.GET.get("de", ""))
    after = by_id.get(request.GET.get("a", ""))
    if after is None and history:
        after = history[-1]
    if before is None and history:
        before = history[-2] if len(history) > 1 else history[0]
    context = {
        "requirement": requirement,
        "sons_list": sons_list,
        "sons": sons,
        "history": history,
        "before": before,
        "after": after,
        "parts": word_diff(before.statement, after.statement) if before and after else [],
    }
    return render_page(request, "catalogue/requirement_diff.html", context, partial="diff")


# --- Topics in bulk ----------------------------------------------------------------------


def _back(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("retour"), reverse("requirement_list"))


@require_POST
def assign_topic(request: HttpRequest) -> HttpResponse:
    """Leads attach the requirements they ticked to a topic (or detach them)."""
    if not access.may_assign_topics(request.user):
        raise PermissionDenied
    form = AssignTopicForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back(request))
    topic = form.cleaned_data["topic"]
    count = Requirement.objects.filter(reference__in=form.cleaned_data["references"]).update(
        topic=topic
    )
    # update() sends no signal: the pages that group requirements by topic
    # (search results, topics, "Mes décisions") are made stale here.
    invalidate_decision_pages()
    if topic:
        messages.success(
            request,
            _("%(count)s exigence(s) rattachée(s) au sujet « %(topic)s ».")
            % {"count": count, "topic": topic.label},
        )
    else:
        messages.success(request, _("%s exigence(s) détachée(s) de leur sujet.") % count)
    return redirect(_back(request))


# --- Imports -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    if not access.may_import_catalogue(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        entry = importing.check(
            user=request.user,
            file_name=upload.name,
            content=upload.read(),
            sheet=form.cleaned_data["sheet"],
            publish=form.cleaned_data["publish"],
            made_at=form.cleaned_data["made_at"],
        )
        if entry.status == CatalogueImport.Status.REJECTED and not entry.rows:
            form.add_error("file", entry.message)
        else:
            return redirect("catalogue_import_detail", pk=entry.pk)
    context = {
        "form": form,
        "imports": CatalogueImport.objects.select_related("created_by")[:20],
        "kinds": [kind.label for kind in sorted(KINDS.values(), key=lambda k: k.order)],
    }
    status = 400 if form.errors else 200
    return render_page(request, "catalogue/import.html", context, status=status)


@dataclass
class ReportRow:
    row: dict

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.row["status"], self.row["status"])


def get_import(user, pk: int) -> CatalogueImport:
    if not access.may_import_catalogue(user):
        raise PermissionDenied
    return get_object_or_404(CatalogueImport.objects.select_related("created_by"), pk=pk)


REPORT_FILTERS = {
    "": gettext_lazy("Ce qui change ou pose problème"),
    "all": gettext_lazy("Toutes les lignes"),
    **STATUS_LABELS,
}
QUIET = (Status.UNCHANGED, Status.IGNORED)


@require_http_methods(["GET", "POST"])
def catalogue_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_import(request.user, pk)
    sheet_form = SheetForm(
        request.POST or None, sheets=entry.sheets, initial={"sheet": entry.sheet}
    )
    if request.method == "POST":
        if not access.may_confirm_import(request.user, entry):
            raise PermissionDenied
        if entry.status != CatalogueImport.Status.CHECKED or not sheet_form.is_valid():
            messages.error(request, _("Cette vérification ne peut plus être relancée."))
            return redirect("catalogue_import_detail", pk=entry.pk)
        fresh = importing.recheck(entry, sheet=sheet_form.cleaned_data["sheet"])
        return redirect("catalogue_import_detail", pk=fresh.pk)
    if request.htmx and not entry.is_pending and request.GET.get("suivi"):
        # The progress bar's last poll: the whole page shows the result.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    report = entry.report if isinstance(entry.report, dict) else {}
    rows = report.get("rows", [])
    shown = request.GET.get("lignes", "")
    if shown == "all":
        selected_rows = rows
    elif shown in STATUS_LABELS:
        selected_rows = [r for r in rows if r["status"] == shown]
    else:
        shown = ""
        selected_rows = [r for r in rows if r["status"] not in QUIET]
    page = Paginator([ReportRow(r) for r in selected_rows], 100).get_page(request.GET.get("page"))
    progress = importing.read_progress(entry.pk) if entry.is_pending else None
    may_confirm = access.may_confirm_import(request.user, entry)
    proposals = (
        report.get("proposals", []) if entry.status == CatalogueImport.Status.CHECKED else []
    )
    context = {
        "entry": entry,
        "page": page,
        "shown": shown,
        "report_filters": REPORT_FILTERS.items(),
        "progress": progress,
        "percent": int(100 * progress[0] / progress[1]) if progress and progress[1] else 0,
        "sheet_form": sheet_form if len(entry.sheets) > 1 else None,
        "confirm_form": ConfirmForm(initial={"publish": entry.publish}),
        "may_confirm": importing.may_run(entry) and may_confirm,
        "matches_form": MatchesForm(proposals=proposals) if proposals and may_confirm else None,
        "proposals": proposals,
        "report": report,
        "async_rows": settings.CATALOGUE_IMPORT_ASYNC_ROWS,
        "decides": entry.kind == "requirements",
    }
    return render_page(request, "catalogue/import_detail.html", context, partial="status")


@require_POST
def catalogue_import_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead answers the matches the check proposes: confirmed ones are
    remembered (aliases, renamed requirements), then the file is checked
    again."""
    entry = get_import(request.user, pk)
    if not access.may_confirm_import(request.user, entry):
        raise PermissionDenied
    proposals = (entry.report or {}).get("proposals", [])
    if entry.status != CatalogueImport.Status.CHECKED or not proposals:
        messages.info(request, _("Cette vérification n'a plus de correspondances à confirmer."))
        return redirect("catalogue_import_detail", pk=entry.pk)
    form = MatchesForm(request.POST, proposals=proposals)
    if not form.is_valid():
        messages.error(request, _("Choix de correspondances invalide."))
        return redirect("catalogue_import_detail", pk=entry.pk)
    problems = confirm_matches(
        proposals, accepted=set(form.cleaned_data["accepted"]), by=request.user
    )
    for problem in problems:
        messages.warning(request, problem)
    messages.success(
        request,
        _("%(count)s correspondance(s) confirmée(s) ; le fichier est vérifié de nouveau.")
        % {"count": len(form.cleaned_data["accepted"])},
    )
    fresh = importing.recheck(entry)
    return redirect("catalogue_import_detail", pk=fresh.pk)


@require_POST
def catalogue_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_import(request.user, pk)
    if not access.may_confirm_import(request.user, entry):
        # Its decisions are recorded in its author's name: only they confirm.
        raise PermissionDenied
    form = ConfirmForm(request.POST)
    publish = form.cleaned_data["publish"] if form.is_valid() else entry.publish
    if not importing.may_run(entry):
        messages.info(request, _("Cet import a déjà été confirmé ou n'est plus confirmable."))
    elif importing.confirm(entry, publish=publish):
        messages.info(request, _("Import lancé : suivez sa progression ci-dessous."))
    else:
        entry.refresh_from_db()
        if entry.status == CatalogueImport.Status.DONE:
            messages.success(request, _("Import terminé."))
        else:
            messages.error(request, entry.message or _("L'import a échoué."))
    return redirect("catalogue_import_detail", pk=entry.pk)


# --- Other names of requirements ---------------------------------------------------------


@require_GET
def requirement_alias(request: HttpRequest, reference: Requirement) -> HttpResponse:
    """An old name of a requirement, or its reference written with blanks or
    another case (catalogue.urls' converter found it): to its page."""
    return redirect("requirement_detail", reference=reference.reference, permanent=False)


# --- Iterations ----------------------------------------------------------------------------


def _comparison_choices(request: HttpRequest) -> dict:
    iterations = list(Iteration.objects.all())
    by_code = {i.code: i for i in iterations}
    after = by_code.get(request.GET.get("a", "")) or (iterations[-1] if iterations else None)
    before = by_code.get(request.GET.get("de", ""))
    if before is None and after is not None:
        earlier = [i for i in iterations if i.order < after.order or (
            i.order == after.order and i.code < after.code)]  # fmt: skip
        before = earlier[-1] if earlier else after
    sons = Sons.objects.filter(code=request.GET.get("sons", "")).first()
    topic_number = whole_number(request.GET.get("sujet", ""))
    topic = Topic.objects.filter(number=topic_number).first() if topic_number else None
    kind = request.GET.get("changement", "")
    return {
        "iterations": iterations,
        "before": before,
        "after": after,
        "sons": sons,
        "topic": topic,
        "kind": kind if kind in CHANGE_LABELS else "",
    }


@require_GET
def iteration_compare(request: HttpRequest) -> HttpResponse:
    """What changed between two iterations, per SONS, per topic or for the
    whole catalogue (new, removed, statement modified with its word diff,
    decision changed, and for the authority the rows it did not publish)."""
    choices = _comparison_choices(request)
    comparison = None
    page = None
    if choices["before"] and choices["after"]:
        comparison = compare(
            choices["before"],
            choices["after"],
            user=request.user,
            sons=choices["sons"],
            topic=choices["topic"],
            kind=choices["kind"],
        )
        page = Paginator(comparison.changes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    unpublished = access.may_see_unpublished_rows(request.user)
    kinds = [(k, label) for k, label in CHANGE_LABELS.items() if k != "hidden" or unpublished]
    context = {
        **choices,
        "comparison": comparison,
        "page": page,
        "query": query.urlencode(),
        "sons_choices": Sons.objects.all(),
        "topic_choices": Topic.objects.exclude(number=None),
        "change_labels": kinds,
        "per_sons": [
            (sons, [tally[k] for k, _label in kinds]) for sons, tally in comparison.per_sons
        ]
        if comparison
        else [],
        "may_see_unpublished": unpublished,
    }
    return render_page(request, "catalogue/iteration_compare.html", context, partial="results")


@require_GET
def iteration_compare_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The same comparison as a spreadsheet (text cells, as every export)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    choices = _comparison_choices(request)
    if not (choices["before"] and choices["after"]):
        raise Http404
    comparison = compare(
        choices["before"],
        choices["after"],
        user=request.user,
        sons=choices["sons"],
        topic=choices["topic"],
        kind=choices["kind"],
    )
    dataset = comparison_dataset(
        comparison, with_unpublished=access.may_see_unpublished_rows(request.user)
    )
    body = FORMATS[fmt]().export_data(dataset)
    record(
        Action.EXPORT,
        request=request,
        details={
            "what": "iteration_comparison",
            "format": fmt,
            "from": comparison.before.code,
            "to": comparison.after.code,
            "rows": len(comparison.changes),
        },
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"comparaison-{comparison.before.code}-{comparison.after.code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
