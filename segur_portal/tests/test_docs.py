"""Docs a newcomer can trust: the files and names README.md and docs/ point
at exist in the repository."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A repository path in backticks: a folder of ours or a file with its extension.
PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]*\.(?:py|html|md|txt|lua|toml|cfg)|[\w-]+/(?:[\w-]+/)*)`")
# Paths that are examples or outside the repository by design.
NOT_OURS = {"var/", "templates/", "locale/"}


def test_the_paths_the_docs_name_exist():
    missing = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            for path in PATH.findall(line):
                if path in NOT_OURS or path.startswith(("var/", "/", "http", "SITE_URL")):
                    continue
                if not (ROOT / path).exists():
                    missing.append(f"{doc.name}:{number}: {path}")
    assert not missing, "The docs name files that do not exist:\n" + "\n".join(missing)


def test_where_each_rule_lives_points_at_files_and_names_that_exist():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Where each rule lives", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 10, "the table was not found"
    wrong = []
    for row in rows:
        where = row.rsplit("|", 2)[-2]
        for path, names in re.findall(r"`([\w/]+\.py)`(?:\s*\(([^)]*)\))?", where):
            file = ROOT / path
            if not file.exists():
                wrong.append(f"{path} does not exist")
                continue
            text = file.read_text()
            for name in re.findall(r"`([\w*]+)`", names or ""):
                pattern = re.escape(name).replace(r"\*", r"\w+")
                if not re.search(rf"^(def |class )?{pattern}\b", text, re.MULTILINE):
                    wrong.append(f"{path} has no {name}")
    assert not wrong, "\n".join(wrong)
