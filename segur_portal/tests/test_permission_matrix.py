"""Every URL pattern of the project × every persona, against a hand-written
table of expected answers.

A URL pattern without a row makes the suite fail: whoever adds a URL states
who may reach it. Expected answers are written here from the product's rules
(README.md, "Roles"), never read back from what the code returns.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.matrix import ROWS as ACCOUNTS_ROWS
from arbitrations.tests.matrix import ROWS as ARBITRATIONS_ROWS
from calendar_app.tests.matrix import ROWS as CALENDAR_ROWS
from catalogue.tests.matrix import ROWS as CATALOGUE_ROWS
from concertation.tests.matrix import ROWS as CONCERTATION_ROWS
from core.testing import LOGIN, MATRIX_PERSONAS, REDIRECT, Row, everyone, members
from notifications.tests.matrix import ROWS as NOTIFICATIONS_ROWS
from topics.tests.matrix import ROWS as TOPICS_ROWS

PERSONAS = MATRIX_PERSONAS

SITE_ROWS: dict[str, Row] = {
    # Site-wide pages
    "dashboard": Row(members(200)),
    "healthz": Row(everyone(200)),
    "set_language": Row(everyone(405)),  # POST only
    "legal_notice": Row(everyone(200)),
    "accessibility": Row(everyone(200)),
    "privacy": Row(everyone(200)),
    "sitemap": Row(everyone(200)),
    # Accounts (allauth). Signed-in people are sent on from the entrance pages.
    "account_login": Row(members(REDIRECT, anonymous=200)),
    "account_logout": Row(members(200)),
    "account_inactive": Row(everyone(200)),
    "account_signup": Row(members(REDIRECT, anonymous=200)),  # closed: says so
    "account_reauthenticate": Row(members(200)),
    "account_email": Row(members(200)),
    "account_email_verification_sent": Row(everyone(200)),
    "account_change_password": Row(members(200)),
    "account_set_password": Row(members(REDIRECT)),  # demo accounts have a password
    "account_reset_password": Row(everyone(200)),
    "account_reset_password_done": Row(everyone(200)),
    "account_confirm_login_code": Row(members(REDIRECT)),  # nothing pending: back to login
    "account_confirm_email": Row(everyone(200), kwargs={"key": "not-a-key"}),
    "account_reset_password_from_key": Row(
        everyone(200),
        kwargs={"uidb36": "0", "key": "not-a-key"},  # says the link is bad
    ),
    "account_reset_password_from_key_done": Row(everyone(200)),
}

# Each app keeps the rows of its own URLs in <app>/tests/matrix.py.
MATRIX: dict[str, Row] = {
    **SITE_ROWS,
    **ACCOUNTS_ROWS,
    **NOTIFICATIONS_ROWS,
    **TOPICS_ROWS,
    **CALENDAR_ROWS,
    **ARBITRATIONS_ROWS,
    **CATALOGUE_ROWS,
    **CONCERTATION_ROWS,
}

# Django's admin site: staff only, the same rule for every one of its views.
# Anyone else is sent away: to the portal's login, or to the admin's login
# which hands over to the portal's (anonymous) or refuses (signed-in non-staff).
ADMIN_NAMESPACE = {**everyone((REDIRECT,)), "anonymous": (LOGIN, REDIRECT), "admin": (200,)}
# Models the admin may read but never add to: the audit log (append-only),
# invitations (sent from the portal, which e-mails the link) and axes' records.
READ_ONLY_ADMIN_ADD = {
    "admin:accounts_auditevent_add",
    "admin:accounts_invitation_add",
    "admin:axes_accessattempt_add",
    "admin:axes_accesslog_add",
    "admin:axes_accessfailurelog_add",
    "admin:catalogue_catalogueimport_add",  # imports are made by importing
}
# Admin views that only take POST (django-import-export's confirmation step).
POST_ONLY_ADMIN = {"admin:topics_requirementsons_process_import"}


def url_patterns(patterns=None, namespace: str = ""):
    """(view name, pattern) for every named URL pattern of the project."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from url_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None and namespace == "admin:":
                continue  # the admin's own legacy redirects
            if pattern.name is None:
                raise AssertionError(f"URL pattern {pattern.pattern} has no name")
            yield f"{namespace}{pattern.name}", pattern


def test_every_url_pattern_has_a_row():
    missing = sorted(
        {name for name, _ in url_patterns() if not name.startswith("admin:")} - set(MATRIX)
    )
    assert not missing, f"URL patterns without a row in the permission matrix: {missing}"


def test_every_row_is_a_url_pattern():
    names = {name for name, _ in url_patterns()}
    assert not set(MATRIX) - names, f"Rows for URLs that do not exist: {set(MATRIX) - names}"


def answer(response) -> Any:
    """The response as the matrix spells it."""
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("account_login")) else REDIRECT
    return response.status_code


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name, client_as):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.url_kwargs()) + row.query
    got = {persona: answer(getattr(client_as(persona), row.method)(url)) for persona in PERSONAS}
    wrong = {
        p: f"got {got[p]}, expected {row.expect[p]}" for p in PERSONAS if got[p] != row.expect[p]
    }
    assert not wrong, f"{url}: {wrong}"


def test_admin_site_is_for_staff_only(client_as):
    names = [
        name
        for name, pattern in url_patterns()
        if name.startswith("admin:")
        and not pattern.pattern.regex.groups
        # login/logout are the admin's entrance; autocomplete needs its query.
        and name not in ("admin:login", "admin:logout", "admin:autocomplete")
    ]
    assert "admin:index" in names
    wrong = []
    for persona in PERSONAS:
        client = client_as(persona)
        for name in names:
            expected = ADMIN_NAMESPACE[persona]
            if persona == "admin" and name in READ_ONLY_ADMIN_ADD:
                expected = (403,)
            if persona == "admin" and name in POST_ONLY_ADMIN:
                expected = (405,)
            if (got := answer(client.get(reverse(name)))) not in expected:
                wrong.append(f"{persona} on {reverse(name)}: got {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)
