"""README's production block, run as written: ``make check-security`` (and
CI) takes the ``export …`` command of README.md's "## Production" section and
runs Django's deployment checks under those variables alone, so that the block
people copy is the one that is checked — not a copy that can drift from it.

    python -m segur_portal.production_block

Each ``…`` of the block (the secret key, passwords) becomes a long random
value. Nothing else comes from the caller's environment but what a shell
needs (PATH, HOME, locale): a variable the block forgets fails here.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
README = BASE_DIR / "README.md"
PLACEHOLDER = "…"
CHECK = "python manage.py check --deploy --fail-level WARNING"
KEPT_FROM_CALLER = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def production_commands(readme: str) -> list[str]:
    """The lines of the first ``sh`` block of the "## Production" section."""
    section = re.search(r"^## Production\n(.*?)(?=^## )", readme, re.M | re.S)
    if section is None:
        raise ValueError('README.md has no "## Production" section')
    block = re.search(r"^```sh\n(.*?)^```", section.group(1), re.M | re.S)
    if block is None:
        raise ValueError('README.md\'s "## Production" section has no ```sh block')
    # One command per logical line: a trailing backslash continues it.
    return [line.strip() for line in block.group(1).replace("\\\n", " ").splitlines()]


def production_environment(readme: str) -> dict[str, str]:
    """The variables the block's ``export`` sets, placeholders filled in."""
    exports = [line for line in production_commands(readme) if line.startswith("export ")]
    if len(exports) != 1:
        raise ValueError("README.md's production block must have one `export` command")
    variables = {}
    for word in shlex.split(exports[0])[1:]:
        name, separator, value = word.partition("=")
        if not separator:
            raise ValueError(f"README.md's export sets no value for {word!r}")
        variables[name] = value.replace(PLACEHOLDER, secrets.token_urlsafe(50))
    return variables


def check(readme: str | None = None) -> subprocess.CompletedProcess:
    """``manage.py check --deploy --fail-level WARNING`` under the block's
    variables, as the block itself runs it."""
    readme = README.read_text(encoding="utf-8") if readme is None else readme
    if CHECK not in production_commands(readme):
        raise ValueError(f"README.md's production block no longer runs `{CHECK}`")
    env = {name: os.environ[name] for name in KEPT_FROM_CALLER if name in os.environ}
    env.update(production_environment(readme))
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *CHECK.split()[2:]],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def main() -> int:
    result = check()
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode:
        print("README.md's production block fails Django's deployment checks.", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
