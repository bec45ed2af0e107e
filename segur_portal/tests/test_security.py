"""Cross-cutting security promises, checked over every URL of the matrix:
headers, CSRF, no draft decision leaking to participants, XSS, check --deploy."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.urls import reverse

from arbitrations.models import Arbitration
from core.testing import XSS_PAYLOADS, assert_no_xss, is_text
from topics.models import Requirement, Sons

from .test_permission_matrix import MATRIX, url_patterns

pytestmark = pytest.mark.django_db

GET_URLS = sorted(
    reverse(name, kwargs=row.kwargs) + row.query
    for name, row in MATRIX.items()
    if row.method == "get" and not callable(row.kwargs)
)


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("persona", ["anonymous", "editor", "lead"])
def test_every_response_carries_the_security_headers(client_as, persona):
    client = client_as(persona)
    for url in [*GET_URLS, "/cette-page-n-existe-pas/"]:
        response = client.get(url, secure=True)
        where = f"{persona} {url} ({response.status_code})"
        directives = _directives(response["Content-Security-Policy"])
        assert "'unsafe-inline'" not in directives["script-src"], where
        assert "'unsafe-eval'" not in directives["script-src"], where
        assert directives["frame-ancestors"] == ["'none'"], where
        assert directives["object-src"] == ["'none'"], where
        assert response["X-Content-Type-Options"] == "nosniff", where
        assert response["Referrer-Policy"] == "same-origin", where
        assert response["X-Frame-Options"] == "DENY", where
        assert response["Strict-Transport-Security"].startswith("max-age=31536000"), where


def test_no_view_is_exempt_from_csrf():
    # RFC 8058: the signed one-click unsubscribe endpoint is the only exemption.
    allowed = {"unsubscribe"}
    exempt = {
        name
        for name, pattern in url_patterns()
        if getattr(pattern.callback, "csrf_exempt", False) and name not in allowed
    }
    assert not exempt, f"views exempt from CSRF: {sorted(exempt)}"


@pytest.mark.parametrize("persona", ["admin", "editor", "anonymous"])
def test_every_post_needs_the_csrf_token_htmx_included(client_as, persona):
    client = client_as(persona, enforce_csrf_checks=True)
    names = [name for name in MATRIX if MATRIX[name].method == "post"] + [
        "organisation_create",
        "profile",
        "set_language",
        "account_logout",
        "account_change_password",
        "account_email",
        "close_account",
        "invitation_list",
    ]
    for name in names:
        row = MATRIX[name]
        url = reverse(name, kwargs=row.url_kwargs())
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, {}, headers=headers)
            assert response.status_code == 403, f"{persona} {url} {headers}: no token accepted"
    # With the token, sent the way htmx sends it (base.html's hx-headers), the
    # request reaches the view.
    client.get(reverse("account_login") if persona == "anonymous" else "/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("set_language"),
        {"language": "fr", "next": "/"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 302


MARKER = "BROUILLON-CONFIDENTIEL-7Q"


@pytest.fixture
def draft_decision():
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    draft = Arbitration.objects.create(
        requirement=requirement,
        decision=Arbitration.Decision.REMOVED,
        comment=f"Suppression envisagée {MARKER}",
        status=Arbitration.Status.DRAFT,
    )
    draft.sons.set(Sons.objects.filter(code__in=["LGC", "DPI", "RIS"]))
    return draft


@pytest.mark.parametrize("persona", ["editor", "editor2", "federation", "outsider"])
def test_a_draft_decision_never_reaches_participants(client_as, draft_decision, persona):
    """The issue: a draft decision's URL, fragment, export, feed and search
    never reveal it to editor@demo.example. Every GET URL of the matrix is
    read as a page, as an htmx fragment and with the draft's words searched."""
    client = client_as(persona)
    checked = 0
    for url in GET_URLS:
        separator = "&" if "?" in url else "?"
        for variant, headers in (
            (url, {}),
            (url, {"HX-Request": "true"}),
            # Searches that would find it (the marker itself is never in a URL,
            # which pages rightly echo).
            (f"{url}{separator}q=IE.33", {}),
            (f"{url}{separator}q=envisag%C3%A9e", {"HX-Request": "true"}),
            (f"{url}{separator}arbitrage=removed&sons=LGC", {"HX-Request": "true"}),
        ):
            response = client.get(variant, headers=headers)
            body = b"".join(response) if response.streaming else response.content
            assert MARKER.encode() not in body, f"{persona} sees the draft at {variant}"
            checked += 1
    assert checked >= 5 * len(GET_URLS)


def test_the_draft_check_would_see_a_leak(client_as, draft_decision):
    """The same pages show the draft to its authors: the check above looks
    where the draft would be."""
    Arbitration.objects.filter(
        requirement=draft_decision.requirement, status=Arbitration.Status.PUBLISHED
    ).delete()
    html_page = client_as("lead").get("/exigences/SC.SSI/IE.33").content.decode()
    assert MARKER in html_page


# --- XSS ---------------------------------------------------------------------------------


def _pages(client_as, persona_user):
    editor = persona_user("editor")
    admin = client_as("admin")
    lead = client_as("lead")
    return [
        (admin, "/"),
        (client_as("editor"), reverse("profile")),
        (client_as("editor"), reverse("organisation_detail", args=["editeur-demo-lgc"])),
        (lead, reverse("organisation_list")),
        (lead, reverse("organisation_list") + "?type=editor"),
        (lead, reverse("invitation_list")),
        (admin, reverse("person_detail", args=[editor.pk])),
        (admin, reverse("audit_log")),
        (admin, reverse("audit_log") + "?q=e"),
    ]


def _check_everywhere(client_as, persona_user, where: str) -> str:
    seen = ""
    for client, url in _pages(client_as, persona_user):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert_no_xss(response.content, f"{url} after {where}")
            seen += response.content.decode()
    export = client_as("editor").get(reverse("my_data")).content
    assert_no_xss(export, f"my data export after {where}")
    return seen


@pytest.mark.parametrize("field", ["given_name", "family_name", "profession", "private_identifier"])
def test_xss_in_every_profile_field(client_as, persona_user, field):
    client = client_as("editor")
    base = {
        "given_name": "Émile",
        "family_name": "Éditeur",
        "profession": "",
        "rpps": "",
        "private_identifier": "",
        "language": "fr",
    }
    for index, payload in enumerate(XSS_PAYLOADS):
        value = f"{payload[:60]}{index}" if field == "private_identifier" else payload
        response = client.post(reverse("profile"), {**base, field: value})
        assert response.status_code == 302, (field, payload)
        seen = _check_everywhere(client_as, persona_user, f"{field}={payload}")
        assert html.escape(value, quote=False)[:20] in html.unescape(seen) or value[:20] in (
            html.unescape(seen)
        ), "the payload was stored and shown, escaped"


def test_xss_in_organisation_names_pages_fragments_and_emails(
    client_as, persona_user, django_capture_on_commit_callbacks, mailoutbox
):
    from accounts.models import Organisation

    lead = client_as("lead")
    for index, payload in enumerate(XSS_PAYLOADS):
        name = f"{payload} {index}"
        response = lead.post(reverse("organisation_create"), {"name": name, "kind": "editor"})
        assert response.status_code == 302, payload
        organisation = Organisation.objects.get(name=name)
        for url in (
            reverse("organisation_detail", args=[organisation.slug]),
            reverse("organisation_edit", args=[organisation.slug]),
            reverse("editor_sons", args=[organisation.slug]),
            reverse("organisation_list") + f"?q={index}",
        ):
            for headers in ({}, {"HX-Request": "true"}):
                page = lead.get(url, headers=headers)
                assert_no_xss(page.content, url)
                assert html.escape(payload)[:15] in page.content.decode() or page.status_code != 200
        with django_capture_on_commit_callbacks(execute=True):
            lead.post(
                reverse("invitation_list"),
                {
                    "email": f"x{index}@example.org",
                    "role": "editor",
                    "organisation": organisation.pk,
                },
            )
        _check_everywhere(client_as, persona_user, f"organisation {payload}")
    assert len(mailoutbox) == len(XSS_PAYLOADS)
    for message in mailoutbox:
        # Text e-mails only: nothing is rendered as HTML by a mail client.
        assert not getattr(message, "alternatives", None)
        assert message.content_subtype == "plain"


def test_xss_in_the_invited_persons_names(client_as, client, persona_user):
    from accounts import services
    from accounts.models import Invitation, Organisation, User

    lgc = Organisation.objects.get(slug="editeur-demo-lgc")
    for index, payload in enumerate(XSS_PAYLOADS):
        token = f"xss-token-{index}"
        Invitation.objects.create(
            email=f"invite{index}@example.org",
            role="editor",
            organisation=lgc,
            token_hash=services.hash_token(token),
            expires_at="2999-01-01T00:00:00Z",
        )
        password = "un-mot-de-passe-solide-2023"
        data = {"given_name": payload, "family_name": payload, "profession": payload}
        url = reverse("invitation_accept", args=[token])
        refused = client.post(url, {**data, "password1": password, "password2": "autre"})
        assert_no_xss(refused.content, "the refused invitation form")
        client.post(url, {**data, "password1": password, "password2": password})
        assert User.objects.filter(email=f"invite{index}@example.org").exists()
        _check_everywhere(client_as, persona_user, f"invited name {payload}")


def test_xss_in_search_and_filter_parameters_of_every_page(client_as):
    """Reflected XSS: every GET URL with each payload in the usual parameters."""
    client = client_as("admin")
    for payload in XSS_PAYLOADS:
        for url in GET_URLS:
            separator = "&" if "?" in url else "?"
            query = "&".join(
                f"{key}={payload}"
                for key in ("q", "sons", "sujet", "arbitrage", "type", "action", "statut", "page")
            )
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(f"{url}{separator}{query}", headers=headers)
                if is_text(response):
                    assert_no_xss(response.content, url)


def test_xss_in_the_login_form(client):
    for payload in XSS_PAYLOADS:
        response = client.post(reverse("account_login"), {"login": payload, "password": "x"})
        assert_no_xss(response.content, "the login form")


# --- Production settings ---------------------------------------------------------------


def test_check_deploy_is_clean_with_readmes_production_block():
    """README's block, run as written (what `make check-security` runs in CI),
    passes Django's deployment checks with no warning; without the redirect
    to HTTPS it would not (security.W008)."""
    from segur_portal.production_block import check, production_environment

    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    variables = production_environment(readme)
    assert variables["TRUSTED_PROXY_COUNT"] == "1"
    assert len(variables["SECRET_KEY"]) >= 50
    assert "…" not in "".join(variables.values())
    result = check(readme)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    without_redirect = readme.replace(" SECURE_SSL_REDIRECT=1", "")
    result = check(without_redirect)
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_behind_the_proxy_plain_http_is_redirected_except_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/compte/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/compte/login/"
    assert client.get("/compte/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    # A load balancer may check the health in plain HTTP.
    assert client.get("/healthz").status_code in (200, 503)
