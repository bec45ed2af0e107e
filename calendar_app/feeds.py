"""iCalendar feeds: a private feed per person (secret address, readable by a
calendar application without logging in, revocable), a feed per topic
(behind the same secret), and a ``.ics`` per event (for signed-in people).

Calendar applications poll the feeds every few minutes: they answer HEAD,
carry an ETag and a Last-Modified, and answer 304 when nothing changed
(core.conditional)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import conditional_page, require_GET, require_POST, require_safe

from core.conditional import Representation, feed_response, representation
from core.htmx import render_page
from topics.models import Topic

from . import access
from .caching import NAMESPACE
from .ical import build_calendar
from .models import AgendaItem, CalendarFeed, Event
from .views import _topic


def _feed_events():
    return Event.objects.in_feeds().prefetch_related(
        Prefetch("agenda_items", AgendaItem.objects.select_related("topic"))
    )


ICS_TYPE = "text/calendar; charset=utf-8"
_DTSTAMP = re.compile(rb"\r\nDTSTAMP:[^\r]*")


def _what_it_shows(content: bytes) -> bytes:
    """A feed without its DTSTAMPs (when it was written): its events."""
    return _DTSTAMP.sub(b"", content)


def _headers(response: HttpResponse, filename: str, *, feed: bool = True) -> HttpResponse:
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if feed:
        # A private address: no shared cache keeps it; a calendar application
        # may keep it five minutes, then asks again with its ETag (a 304 when
        # nothing changed). A signed-in page's download gets private,
        # no-store from core.middleware.
        response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def _feed(found: Representation, filename: str) -> HttpResponse:
    return _headers(feed_response(found, ICS_TYPE), filename)


def _feed_of(token: str) -> CalendarFeed:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return feed


@login_not_required
@require_safe
@conditional_page
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = _feed_of(token).user

    def build() -> bytes:
        events = _feed_events().concerning(user)
        with translation.override(user.language):
            return build_calendar(events, name=_("Concertation Ségur — mon calendrier"))

    # Calendar applications poll the feed: rebuilt only when events change,
    # and shared by the people whose calendars are the same (Event.concerning:
    # the authority, the federations, each editor organisation).
    parts = ("personal_feed", *access.audience(user), user.language)
    found = representation(NAMESPACE, parts, build, significant=_what_it_shows)
    return _feed(found, "concertation-segur.ics")


@login_not_required
@require_safe
@conditional_page
def topic_feed(request: HttpRequest, token: str, key: str) -> HttpResponse:
    user = _feed_of(token).user
    topic = _topic(key)
    if topic is None:
        raise Http404

    def build() -> bytes:
        events = _feed_events().about_topic(topic)
        with translation.override(user.language):
            return build_calendar(events, name=_("Concertation Ségur — %s") % topic.label)

    parts = ("topic_feed", topic.pk, user.language)
    found = representation(NAMESPACE, parts, build, significant=_what_it_shows)
    return _feed(found, f"sujet-{topic.number or topic.slug}.ics")


@require_safe
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(_feed_events(), slug=slug)
    response = HttpResponse(build_calendar([event], name=event.title), content_type=ICS_TYPE)
    return _headers(response, f"{event.slug}.ics", feed=False)


def _feed_url(request: HttpRequest, name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


@require_GET
def feed_settings(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    topics = list(Topic.objects.order_by("order", "number"))
    context = {
        "feed": feed,
        "topics": topics,
        "calendar_audience": access.audience(request.user)[0],
    }
    if feed:
        context["personal_url"] = _feed_url(request, "calendar_feed", token=feed.token)
        context["topic_urls"] = [
            (
                topic,
                _feed_url(
                    request, "calendar_topic_feed", token=feed.token, key=topic.number or topic.slug
                ),
            )
            for topic in topics
        ]
    return render_page(request, "calendar_app/feed_settings.html", context)


@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    """Create the private address, or replace it (the old one stops working)."""
    feed, created = CalendarFeed.objects.get_or_create(user=request.user)
    if created:
        messages.success(request, _("Votre adresse d’abonnement est prête."))
    else:
        feed.renew()
        messages.success(
            request,
            _(
                "Nouvelle adresse créée : l’ancienne ne fonctionne plus. "
                "Abonnez-vous à la nouvelle."
            ),
        )
    return redirect("calendar_feeds")


@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    deleted, _count = CalendarFeed.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, _("Adresse d’abonnement supprimée : elle ne fonctionne plus."))
    return redirect("calendar_feeds")
