from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def oidc_providers() -> list[dict]:
    """The OpenID Connect providers switched on by the environment, with the
    URL that starts their sign-in (a POST)."""
    apps = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get("openid_connect", {})
    return [
        {
            "name": app["name"],
            "url": reverse("openid_connect_login", kwargs={"provider_id": app["provider_id"]}),
        }
        for app in apps.get("APPS", [])
    ]
