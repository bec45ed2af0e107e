from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concertation.access import may_answer_feedback, may_draft_feedback


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    # URL names (or "namespace:" prefixes) under which this entry is the current one.
    sections: tuple[str, ...] = ()


NAVIGATION = (
    NavEntry("dashboard", _("Tableau de bord"), ("dashboard",)),
    NavEntry("topic_list", _("Sujets"), ("topic_list", "topic_detail")),
    NavEntry(
        "requirement_list",
        _("Exigences"),
        (
            "requirement_list",
            "requirement_detail",
            "requirement_diff",
            "catalogue_import",
            "catalogue_import_detail",
        ),
    ),
    NavEntry(
        "calendar",
        _("Calendrier"),
        (
            "calendar",
            "calendar_grid",
            "calendar_month",
            "event_detail",
            "event_edit",
            "event_create",
            "event_cancel",
            "event_history",
            "question_search",
            "question_answer",
            "calendar_feeds",
        ),
    ),
    NavEntry("my_decisions", _("Mes décisions"), ("my_decisions", "my_decisions_feed_settings")),
    NavEntry("documents", _("Documents"), ("documents",)),
    NavEntry("contacts", _("Contacts"), ("contacts",)),
)


def _current_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


FEEDBACK_SECTIONS = ("feedback_", "my_feedback", "topic_feedback_window")


def _feedback_entry(request: HttpRequest, current: str) -> dict | None:
    """Argued feedback: the leads' inbox, or a participant's "Mes retours"."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return None
    if may_answer_feedback(user):
        url, label = reverse("feedback_inbox"), _("Retours à traiter")
    elif may_draft_feedback(user):
        url, label = reverse("my_feedback"), _("Mes retours")
    else:
        return None
    return {"url": url, "label": label, "current": current.startswith(FEEDBACK_SECTIONS)}


def portal(request: HttpRequest) -> dict:
    current = _current_name(request)
    nav_items = [
        {
            "url": reverse(entry.url_name),
            "label": entry.label,
            "current": any(
                current == s or (s.endswith(":") and current.startswith(s)) for s in entry.sections
            ),
        }
        for entry in NAVIGATION
    ]
    feedback = _feedback_entry(request, current)
    if feedback:
        nav_items.insert(3, feedback)
    return {"PORTAL_NAME": settings.PORTAL_NAME, "nav_items": nav_items}
