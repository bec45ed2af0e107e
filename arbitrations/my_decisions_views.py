"""'Mes décisions': page, spreadsheet, and a private Atom feed."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    conditional_page,
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from core.conditional import feed_response, representation
from core.spreadsheets import rows_of, xlsx_response
from core.text import render_markdown
from topics.access import sons_in_scope

from .caching import NAMESPACE
from .exports import DecisionRow, decision_columns
from .models import DecisionFeedToken
from .my_decisions import (
    decisions_by_topic,
    feed_arbitrations,
    mark_everything_seen,
    rendered_decisions,
    visit_baseline,
)

MY_DECISIONS_COLUMNS = (
    "topic",
    "subject",
    "sons",
    "decision",
    "comment",
    "statement",
    "session",
    "published",
    "previous",
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


@require_GET
def my_decisions_xlsx(request: HttpRequest) -> HttpResponse:
    sons = sons_in_scope(request.user)
    rows = [
        DecisionRow(line.arbitration, item.requirement, group.topic, line.sons.code, line.previous)
        for group in decisions_by_topic(sons, None)
        for item in group.items
        for line in item.lines
    ]
    columns = decision_columns(*MY_DECISIONS_COLUMNS)
    return xlsx_response("mes-decisions.xlsx", _("Mes décisions"), columns, rows_of(columns, rows))


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


# RFC 4151 tag URIs: the year the portal's address began to name this
# concertation. Never change it: every id a feed reader knows would change.
TAG_YEAR = "2023"


def tag_uri(specific: str) -> str:
    """An absolute, permanent, unique id (RFC 4287 §4.2.6) on the portal's host."""
    host = urlsplit(settings.SITE_URL).hostname or "concertation-segur.invalid"
    return f"tag:{host},{TAG_YEAR}:{specific}"


class DecisionsFeed(Feed):
    """RFC 4287: a feed id of its own per person, the authority as author,
    and per entry a permanent id — the decision's (its link is the
    requirement's page, shared by several decisions)."""

    feed_type = Atom1Feed
    title = gettext_lazy("Mes décisions — concertation Ségur numérique")
    subtitle = gettext_lazy("Les arbitrages publiés sur vos SONS")
    author_name = gettext_lazy("ANS et DNS, task forces du Ségur numérique")

    def get_object(self, request, token):
        found = DecisionFeedToken.objects.active().select_related("user").filter(token=token)
        feed_token = found.first()
        if feed_token is None:
            raise Http404
        return feed_token.user

    def link(self, user):
        return reverse("my_decisions")

    def feed_guid(self, user):
        return tag_uri(f"mes-decisions/{user.pk}")

    def author_link(self, user):
        return settings.SITE_URL + reverse("contacts")

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
        return tag_uri(f"arbitrage/{item.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


ATOM_TYPE = "application/atom+xml; charset=utf-8"


@login_not_required
@require_safe
@conditional_page
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A feed reader cannot sign in: the secret address is the credential.
    Readers poll it: built once per person and language until the decisions
    change, with an ETag and a Last-Modified (a 304 when nothing changed)."""
    feed_token = get_object_or_404(
        DecisionFeedToken.objects.active().select_related("user"), token=token
    )
    user = feed_token.user
    sons = sons_in_scope(user)

    def build() -> bytes:
        with translation.override(user.language):
            return DecisionsFeed()(request, token=token).content

    parts = ("atom", user.pk, user.language, *(s.pk for s in sons))
    response = feed_response(representation(NAMESPACE, parts, build), ATOM_TYPE)
    # Private, as the address is; readers keep it five minutes, then ask
    # again with its ETag (as the calendar feeds).
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
