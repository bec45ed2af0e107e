"""The one-way rule between apps (DESIGN.md, "apps"), for what an import
check cannot see: URL names, templates included or extended, model labels
written as strings, reverse relations, ``{% may %}`` and ``{% sections %}``.

``make lint`` checks imports (import-linter, pyproject.toml); this checks
the rest, with the same order of layers, read from pyproject.toml. A lower
app reaches what sits above only through the registries it offers
(core/sections.py, notifications.subjects, arbitrations.decisions.OPEN_WORK,
calendar_app.reminders.register_planner…).
"""

from __future__ import annotations

import io
import re
import tokenize
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)
LAYERS = list(
    reversed(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][
            0
        ]["layers"]
    )
)
RANK = {app: rank for rank, app in enumerate(LAYERS)}
# The project-wide templates (base layout, allauth's pages) are the top's.
PROJECT_TEMPLATES = "segur_portal"

URL_TAG = re.compile(r"{%\s*url\s+[\"'](?P<name>[\w:-]+)[\"']")
PYTHON_URL = re.compile(
    r"\b(?:reverse|reverse_lazy|redirect|resolve_url)\(\s*[\"'](?P<name>[\w:-]+)[\"']"
)
TEMPLATE_REF = re.compile(
    r"{%\s*(?:include|extends)\s+[\"'](?P<app>\w+)/|render(?:_page|_to_string)?\([^)]*?[\"'](?P<app2>\w+)/[\w/]+\.html"
)
APP_STRING = re.compile(r"[\"'](?P<app>[a-z_]+)\.(?P<name>\w+)[\"']")
TAG_WITH_APP = re.compile(r"{%\s*(?:may|sections)\s+[\"'](?P<app>\w+)\.")


def app_of(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return PROJECT_TEMPLATES if relative.parts[0] == "templates" else relative.parts[0]


def source_files(suffix: str):
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob(f"*{suffix}")):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {"tests", "migrations"} or path.name == "testing.py":
                continue
            yield app, path
    if suffix == ".html":
        for path in sorted((ROOT / "templates").rglob("*.html")):
            yield PROJECT_TEMPLATES, path


def url_owners() -> dict[str, str]:
    """URL name → the app whose view answers it (the project's apps only)."""
    owners: dict[str, str] = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = getattr(pattern.callback, "__module__", "") or ""
                app = module.split(".")[0]
                if app in RANK:
                    owners[pattern.name] = app

    walk(get_resolver().url_patterns)
    return owners


def violations(found: list[str]) -> str:
    return "Lower app names a higher one (DESIGN.md, 'apps'):\n" + "\n".join(found)


def code_of(path: Path) -> str:
    """A Python file's text without its comments and docstrings (which may
    well name the apps above, to explain), lines kept in place."""
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    blank = []
    previous = tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT or (
            token.type == tokenize.STRING
            and previous in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.NL)
        ):
            blank.append((token.start, token.end))
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
    for (row, col), (end_row, end_col) in reversed(blank):
        if row == end_row:
            line = lines[row - 1]
            lines[row - 1] = line[:col] + " " * (end_col - col) + line[end_col:]
        else:
            lines[row - 1] = lines[row - 1][:col] + "\n"
            for middle in range(row, end_row - 1):
                lines[middle] = "\n"
            lines[end_row - 1] = " " * end_col + lines[end_row - 1][end_col:]
    return "".join(lines)


def text_of(path: Path) -> str:
    return code_of(path) if path.suffix == ".py" else path.read_text()


def test_the_layers_are_the_project_s_apps():
    project = {c.name for c in apps.get_app_configs() if Path(c.path).parent == ROOT}
    assert set(LAYERS) == project | {"core"}


def test_no_lower_app_names_a_higher_app_s_url():
    owners = url_owners()
    assert owners["requirement_detail"] == "topics", "the scan reads the wrong owners"
    found = []
    for suffix, pattern in ((".html", URL_TAG), (".py", PYTHON_URL)):
        for app, path in source_files(suffix):
            for number, line in enumerate(text_of(path).splitlines(), 1):
                for match in pattern.finditer(line):
                    owner = owners.get(match["name"])
                    if owner and RANK[owner] > RANK[app]:
                        found.append(
                            f"{path.relative_to(ROOT)}:{number}: {match['name']} ({owner})"
                        )
    assert not found, violations(found)


def test_no_lower_app_uses_a_higher_app_s_templates_rules_or_pages():
    found = []
    for suffix in (".html", ".py"):
        for app, path in source_files(suffix):
            patterns = (TEMPLATE_REF, TAG_WITH_APP) if suffix == ".html" else (TEMPLATE_REF,)
            for number, line in enumerate(text_of(path).splitlines(), 1):
                for pattern in patterns:
                    for match in pattern.finditer(line):
                        named = match.groupdict().get("app") or match.groupdict().get("app2")
                        if named in RANK and RANK[named] > RANK[app]:
                            found.append(f"{path.relative_to(ROOT)}:{number}: {named}")
    assert not found, violations(found)


def test_no_lower_app_names_a_higher_app_s_model():
    models_of = {
        config.label: {model._meta.model_name for model in config.get_models()}
        for config in apps.get_app_configs()
        if config.label in RANK
    }
    found = []
    for app, path in source_files(".py"):
        for number, line in enumerate(text_of(path).splitlines(), 1):
            for match in APP_STRING.finditer(line):
                named, model = match["app"], match["name"].lower()
                if named in RANK and RANK[named] > RANK[app] and model in models_of[named]:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {named}.{model}")
    assert not found, violations(found)


def reverse_accessors() -> dict[str, set[tuple[str, str]]]:
    """accessor → (higher app, lower app): the names a higher app's relations
    add to a lower app's models (``Arbitration.session`` adds
    ``event.arbitrations`` to calendar_app's Event)."""
    found: dict[str, set[tuple[str, str]]] = {}
    for model in apps.get_models():
        owner = model._meta.app_label
        if owner not in RANK:
            continue
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            target = field.related_model._meta.app_label
            if target in RANK and RANK[target] < RANK[owner]:
                accessor = field.remote_field.get_accessor_name()
                if accessor and not accessor.endswith("+"):
                    found.setdefault(accessor, set()).add((owner, target))
    return found


def test_no_lower_app_follows_a_higher_app_s_reverse_relation():
    accessors = reverse_accessors()
    assert ("arbitrations", "calendar_app") in accessors["arbitrations"]
    found = []
    for suffix in (".html", ".py"):
        for app, path in source_files(suffix):
            text = text_of(path)
            # A name the app's own models have too (a notification's "sons")
            # is theirs: the scan cannot tell one from the other.
            own: set[str] = set()
            if app not in ("core", PROJECT_TEMPLATES):
                for model in apps.get_app_config(app).get_models():
                    given = {rel.get_accessor_name() for rel in model._meta.related_objects}
                    own |= set(dir(model)) - given
            for accessor, relations in accessors.items():
                owner = max((owner for owner, _target in relations), key=RANK.get)
                if RANK[owner] <= RANK[app] or accessor in own:
                    continue
                for match in re.finditer(rf"\w\.{re.escape(accessor)}\b(?!\s*=)", text):
                    number = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(ROOT)}:{number}: .{accessor} ({owner})")
    assert not found, violations(found)


def test_the_scans_would_see_a_violation():
    owners = url_owners()
    line = "{% url 'session_record' event.slug %}"
    assert RANK[owners[URL_TAG.search(line)["name"]]] > RANK["calendar_app"]
    assert TEMPLATE_REF.search('{% include "concertation/comments/thread.html#thread" %}')["app"]
    assert APP_STRING.search('sender="arbitrations.Arbitration"')["app"] == "arbitrations"
    assert re.search(r"\w\.arbitrations\b", "event.arbitrations.visible_to(user)")
