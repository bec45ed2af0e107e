"""One permission vocabulary (accounts/access.py): who may see or do what is
asked of the apps' ``access.py`` only. These tests fail when a view, a
template, an export, a feed or a service tests a role itself — the way rules
drifted apart before (a page hid what an export handed out)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateSyntaxError

from core.templatetags.access import predicate

ROOT = Path(settings.BASE_DIR)
APPS = (
    "accounts",
    "arbitrations",
    "calendar_app",
    "core",
    "notifications",
    "segur_portal",
    "topics",
)
# Where roles are defined, and what is not application code.
ROLE_HOMES = {
    "accounts/models.py",
    "accounts/forms.py",
    "accounts/services.py",
    "accounts/admin.py",
}
SKIPPED_PARTS = {"tests", "migrations", "demo"}
SKIPPED_FILES = {"segur_portal/loaddata.py", "accounts/testing.py", "core/testing.py"}

ROLE_TESTS = re.compile(
    r"\.is_(authority|lead|portal_admin|federation|editor)\b"
    r"|[\"']is_(authority|lead|portal_admin|federation|editor)[\"']"
    r"|Role\.(LEAD|ADMIN|EDITOR|FEDERATION)\b"
    r"|\brole__in\b"
)
TEMPLATE_ROLE_TESTS = re.compile(r"\buser\.(is_(?!authenticated\b)\w+|role\b)")
MAY_TAG = re.compile(r"{%\s*may\s+[\"']([\w.]+)[\"']")


def application_files(suffix: str):
    for app in APPS:
        for path in sorted((ROOT / app).rglob(f"*{suffix}")):
            relative = path.relative_to(ROOT).as_posix()
            if SKIPPED_PARTS & set(path.relative_to(ROOT).parts) or relative in SKIPPED_FILES:
                continue
            yield relative, path


def template_files():
    yield from application_files(".html")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        yield path.relative_to(ROOT).as_posix(), path


def test_only_access_modules_test_roles():
    found = []
    for relative, path in application_files(".py"):
        if relative.endswith("/access.py") or relative in ROLE_HOMES:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ROLE_TESTS.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "Roles tested outside access.py (ask a may_* predicate):\n" + "\n".join(found)


def test_templates_ask_predicates_not_roles():
    found = []
    for relative, path in template_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if TEMPLATE_ROLE_TESTS.search(line):
                found.append(f"{relative}:{number}: {line.strip()[:120]}")
    assert not found, 'Templates testing roles (use {% may "app.rule" as … %}):\n' + "\n".join(
        found
    )


def test_every_may_tag_names_a_predicate():
    names = {name for _, path in template_files() for name in MAY_TAG.findall(path.read_text())}
    assert names, "no template asks {% may %}: the scan looks in the wrong place"
    for name in sorted(names):
        assert callable(predicate(name)), name


def test_the_scan_would_see_a_role_test():
    assert ROLE_TESTS.search("if request.user.is_authority:")
    assert ROLE_TESTS.search('getattr(user, "is_authority", False)')
    assert ROLE_TESTS.search("User.objects.filter(role=User.Role.LEAD)")
    assert TEMPLATE_ROLE_TESTS.search("{% if request.user.is_portal_admin %}")
    assert not TEMPLATE_ROLE_TESTS.search("{% if user.is_authenticated %}")


def test_the_tag_refuses_what_is_not_a_predicate():
    for name in ("accounts.models", "arbitrations.no_such_rule", "nothing"):
        with pytest.raises(TemplateSyntaxError):
            predicate(name)
