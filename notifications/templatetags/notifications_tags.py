from __future__ import annotations

from django import template

from .. import services
from .. import subjects as registry
from ..models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in person's unread count, for the header badge: one query."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.for_user(user).unread().count()


@register.inclusion_tag("notifications/includes/follow_button.html", takes_context=True)
def follow_button(context, subject) -> dict:
    """Follow / unfollow ``subject`` in one click (one query)."""
    request = context["request"]
    return {
        "ref": registry.subject_ref(subject),
        "name": registry.subject_type_of(subject).name(subject),
        "following": services.is_following(request.user, subject),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
