from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from . import health, services


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "segur_portal/dashboard.html", services.dashboard_context(request.user))


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    status = "ok" if all(checks.values()) else "down"
    return JsonResponse(
        {"status": status, **{name: "ok" if ok else "down" for name, ok in checks.items()}},
        status=200 if status == "ok" else 503,
    )


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the profile of a signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    known = dict(user._meta.get_field("language").choices) if user.is_authenticated else {}
    if language in known and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


def _static_page(template_name: str):
    @login_not_required
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template_name)

    return view


legal_notice = _static_page("segur_portal/legal/mentions_legales.html")
accessibility = _static_page("segur_portal/legal/accessibilite.html")
privacy = _static_page("segur_portal/legal/donnees_personnelles.html")
sitemap = _static_page("segur_portal/legal/plan_du_site.html")
