"""``{% may %}``: templates ask the apps' permission predicates, never roles.

    {% load access %}
    {% may "calendar_app.edit_events" as may_edit %}
    {% may "arbitrations.edit_comment" comment as editable %}

asks ``<app>.access.may_<name>(user, *arguments)`` for the signed-in person
(``request.user``, else ``user`` in the context) and stores the answer. Only
``may_*`` functions of an app's ``access`` module can be named: the
vocabulary is the one views, exports and feeds use (accounts/access.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module

from django import template

register = template.Library()


@cache
def predicate(name: str) -> Callable[..., bool]:
    app, _, rule = name.partition(".")
    if not app or not rule:
        raise template.TemplateSyntaxError(f'{{% may %}} needs "app.rule", got {name!r}')
    try:
        return getattr(import_module(f"{app}.access"), f"may_{rule}")
    except (ImportError, AttributeError):
        raise template.TemplateSyntaxError(f"No predicate {app}.access.may_{rule}") from None


@register.simple_tag(takes_context=True)
def may(context, name: str, *arguments) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return bool(predicate(name)(user, *arguments))
