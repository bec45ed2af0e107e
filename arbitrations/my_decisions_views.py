"""'Mes décisions': page, spreadsheet, and a private Atom feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.text import render_markdown
from topics.access import sons_in_scope

from .exports import xlsx_response
from .models import DecisionFeedToken
from .my_decisions import (
    decisions_by_topic,
    feed_arbitrations,
    mark_everything_seen,
    rendered_decisions,
    visit_baseline,
)


@require_GET
def my_decisions(request: HttpRequest) -> HttpResponse:
    sons = sons_in_scope(request.user)
    since = visit_baseline(request)
    rendered = rendered_decisions(sons, since, request.GET.get("page"))
    context = {
        "sons": sons,
        "decisions": rendered.html,
        "page": rendered.page,
        "pages_with_news": rendered.pages_with_news,
        "since": since,
        "counts": rendered.counts,
        "has_badges": any(rendered.counts.values()),
    }
    return render(request, "arbitrations/my_decisions.html", context)


@require_POST
def mark_all_seen(request: HttpRequest) -> HttpResponse:
    mark_everything_seen(request)
    messages.success(request, _("Toutes les décisions sont marquées comme vues."))
    return redirect("my_decisions")


def _local(value) -> str:
    return date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""


@require_GET
def my_decisions_xlsx(request: HttpRequest) -> HttpResponse:
    sons = sons_in_scope(request.user)
    groups = decisions_by_topic(sons, None)
    headers = [
        _("Sujet"),
        _("Exigence"),
        _("SONS"),
        _("Arbitrage"),
        _("Commentaire"),
        _("Nouvel énoncé"),
        _("Annoncé lors de"),
        _("Publié le"),
        _("Arbitrage précédent"),
    ]
    rows = [
        [
            group.topic.label if group.topic else "",
            item.requirement.reference if item.requirement else "",
            line.sons.code,
            line.arbitration.get_decision_display(),
            line.arbitration.comment,
            line.arbitration.new_statement,
            line.arbitration.session.title if line.arbitration.session else "",
            _local(line.arbitration.published_at),
            line.previous.get_decision_display() if line.previous else "",
        ]
        for group in groups
        for item in group.items
        for line in item.lines
    ]
    return xlsx_response(
        "mes-decisions.xlsx",
        _("Mes décisions"),
        headers,
        rows,
        widths=(40, 22, 8, 22, 70, 70, 30, 18, 22),
    )


@require_http_methods(["GET", "POST"])
def feed_settings(request: HttpRequest) -> HttpResponse:
    """Create, replace or revoke the private address of one's Atom feed."""
    active = DecisionFeedToken.objects.active().filter(user=request.user).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("create", "revoke") and active:
            active.revoke()
        if action == "create":
            DecisionFeedToken.objects.create(user=request.user)
            messages.success(
                request, _("Nouvelle adresse privée créée : l’ancienne ne marche plus.")
            )
        elif action == "revoke":
            messages.success(request, _("Adresse privée révoquée : le flux ne répond plus."))
        return redirect("my_decisions_feed_settings")
    feed_url = (
        request.build_absolute_uri(reverse("my_decisions_feed", kwargs={"token": active.token}))
        if active
        else None
    )
    return render(
        request, "arbitrations/feed_settings.html", {"token": active, "feed_url": feed_url}
    )


class DecisionsFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Mes décisions — concertation Ségur numérique")
    subtitle = gettext_lazy("Les arbitrages publiés sur vos SONS")

    def get_object(self, request, token):
        found = DecisionFeedToken.objects.active().select_related("user").filter(token=token)
        feed_token = found.first()
        if feed_token is None:
            raise Http404
        return feed_token.user

    def link(self, user):
        return reverse("my_decisions")

    def items(self, user):
        return feed_arbitrations(sons_in_scope(user))

    def item_title(self, item):
        codes = ", ".join(sons.code for sons in item.sons.all())
        return f"{item.subject} ({codes}) — {item.get_decision_display()}"

    def item_description(self, item):
        return render_markdown(item.comment)

    def item_link(self, item):
        if item.requirement_id:
            return reverse("requirement_detail", kwargs={"reference": item.requirement.reference})
        return reverse("topic_detail", kwargs={"key": item.topic.number or item.topic.slug})

    def item_guid(self, item):
        return f"arbitrage-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


@login_not_required
@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A feed reader cannot sign in: the secret address is the credential."""
    get_object_or_404(DecisionFeedToken.objects.active(), token=token)
    return DecisionsFeed()(request, token=token)
