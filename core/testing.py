"""Helpers for the test suite: the test clock (TEST_CLOCK), query counts
and a real Celery worker. Imported by tests only."""

from __future__ import annotations

import html
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

# --- The test clock ---
# ``TEST_CLOCK=2026-12-06T23:30:00+01:00 make test`` runs the whole session
# with the clock moved to that moment and ticking (conftest.py starts a
# time-machine travel before the database is set up): a test whose result
# depends on the day or the hour fails there. Tests that freeze their own
# time still do (time-machine's travels nest).


def clock_from_environment() -> datetime | None:
    """The moment ``TEST_CLOCK`` names (ISO 8601 with its UTC offset), or None."""
    value = os.environ.get("TEST_CLOCK", "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(
            f"TEST_CLOCK={value!r}: give a date and time with its UTC offset, "
            "e.g. TEST_CLOCK=2026-12-06T23:30:00+01:00 (a Sunday, 23:30 in Paris)"
        )
    return moment


def clock_drift() -> timedelta:
    """How far this process's clock is from the real one: time-machine moves
    it (TEST_CLOCK, a test's ``travel``), not processes this one starts, nor
    the database server (PostgreSQL's ``now()`` is the real time)."""
    from time_machine import escape_hatch

    if not escape_hatch.is_travelling():
        return timedelta(0)
    return datetime.now(UTC) - escape_hatch.datetime.datetime.now(UTC)


def python_module_command(
    module: str, *arguments: str, clock_offset: timedelta | None = None
) -> list[str]:
    """The command that runs ``python -m module arguments…`` for a test, with
    the test's clock: moved as time-machine moved this process's clock, and by
    ``clock_offset`` further (core.celery_clock). A process the test starts
    otherwise lives at the real time, and what it writes (a lockout, a
    sweep's expiry) is at another date than what the test reads."""
    offset = clock_drift() + (clock_offset or timedelta(0))
    if not offset:
        return [sys.executable, "-m", module, *arguments]
    seconds = str(offset.total_seconds())
    return [sys.executable, "-m", "core.celery_clock", seconds, "-m", module, *arguments]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured)


def count_queries_warm(client: Client, url: str) -> int:
    """The queries of ``url`` with an empty cache, the page requested once
    first so that per-session work (visits, the session's clock) is paid —
    both at one frozen instant: the session records its last request once a
    minute (accounts.middleware), and a slow page (a PDF) let that minute end
    between the two requests, counting the session's save with the page."""
    with time_machine.travel(datetime.now(UTC), tick=False):
        client.get(url)
        cache.clear()
        return count_queries(client, url)


def assert_queries_constant(client: Client, url: str, grow: Callable[[], object]) -> int:
    """Assert that rendering ``url`` costs the same number of SQL queries at
    two sizes of the data: after ``grow()`` has added data once, and after it
    has added as much again. Returns that number.

    Growing before the first measure makes every list non-empty (Django skips
    the prefetch query of an empty list), and the page is requested once
    before each measure so that per-session work (session, user) is paid
    (``count_queries_warm``). Both measures start from an empty cache: what
    is counted is the cost of computing the page, not of reading it from the
    cache (core.caching).
    """
    grow()
    before = count_queries_warm(client, url)
    grow()
    after = count_queries_warm(client, url)
    assert after == before, (
        f"{url}: {before} queries before adding data, {after} after — "
        "the page's cost grows with the data"
    )
    return before


@dataclass
class CeleryProcess:
    """A Celery worker or beat process started by a test."""

    process: subprocess.Popen
    queue: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no warm shutdown, no ack."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def celery_process(
    kind: str = "worker",
    *,
    queue: str | None = None,
    extra_env: dict[str, str] | None = None,
    ready: str = "ping",
    clock_offset: timedelta | None = None,
) -> Iterator[CeleryProcess]:
    """Start a real Celery ``worker`` (solo pool) or ``beat`` process against
    the test database, its tasks routed to ``queue`` (a new private one by
    default). ``extra_env`` overrides settings read from the environment (the
    broker, the e-mail backend…). A worker is ready when it answers a ping
    through the configured broker (``ready="ping"``) or, on a broker the test
    process does not use, when it logs that it is ready (``ready="log"``).
    The process shares the test's clock: when time-machine has moved it
    (``TEST_CLOCK``, or a ``travel`` the test is in), the process starts at the
    test's "now" and ticks from there (core.celery_clock). ``clock_offset``
    moves it further, from the test's "now": give every process of a test the
    same offset."""
    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    env = {**os.environ, **(extra_env or {})}
    env["DATABASE_URL"] = _database_url(db)
    env["CELERY_QUEUE"] = queue
    name = f"{kind}-{queue}-{uuid.uuid4().hex[:6]}"
    if kind == "worker":
        arguments = [
            "-A", "segur_portal", "worker",
            "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
            "--loglevel=INFO", "-Q", queue, "-n", f"{name}@%h",
        ]  # fmt: skip
    elif kind == "beat":
        arguments = [
            "-A", "segur_portal", "beat",
            "--loglevel=INFO", "-s", str(settings.VAR_DIR / f"beat-{name}"),
        ]  # fmt: skip
    else:
        raise ValueError(f"Unknown Celery process {kind!r}")
    command = python_module_command("celery", *arguments, clock_offset=clock_offset)
    log_dir = settings.VAR_DIR / "test-artifacts"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
    )
    handle = CeleryProcess(process, queue, log_path)
    try:
        if kind == "beat":
            _wait_for_log(handle, "beat: Starting")
        elif ready == "log":
            _wait_for_log(handle, " ready.")
        else:
            _wait_until_ready(queue, process, log_path)
        yield handle
    finally:
        handle.stop()
        log.close()


@contextmanager
def celery_worker(
    *, beat: bool = False, extra_env: dict[str, str] | None = None, clock: datetime | None = None
) -> Iterator[str]:
    """Start a real Celery worker process on the configured broker, consuming
    a queue private to this test, against the test database. Yields the queue
    name; the test must publish to it (``apply_async(queue=...)``). With
    ``clock``, the worker (and beat) start at that time and tick from there."""
    offset = clock - datetime.now(UTC) if clock is not None else None
    with celery_process("worker", extra_env=extra_env, clock_offset=offset) as worker:
        if beat:
            with celery_process(
                "beat", queue=worker.queue, extra_env=extra_env, clock_offset=offset
            ):
                yield worker.queue
        else:
            yield worker.queue


def _wait_for_log(handle: CeleryProcess, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise RuntimeError(f"Celery exited with {handle.process.returncode}:\n{handle.log()}")
        if text in handle.log():
            return
        time.sleep(0.2)
    raise RuntimeError(f"Celery did not log {text!r} after {timeout}s:\n{handle.log()}")


class RedisServer:
    """A redis-server of the test's own, on a spare port, without persistence:
    stopping it loses everything it held, as a crash of a cache-only Redis
    would. Never the shared one: tests stop and restart this one."""

    PORTS = range(6391, 6395)

    def __init__(self) -> None:
        self.port = _free_port(self.PORTS)
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def private_redis() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        import pytest

        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _free_port(ports) -> int:
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"No free port in {ports} for a private redis-server")


def _database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


def _wait_until_ready(queue: str, process: subprocess.Popen, log_path, timeout: float = 60) -> None:
    """Wait for the worker to answer a ping on its private queue."""
    from core.tasks import ping

    deadline = time.monotonic() + timeout
    result = ping.apply_async(args=["ready"], queue=queue)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Celery worker exited with {process.returncode}:\n{log_path.read_text()}"
            )
        if result.ready():
            result.get(timeout=1)
            return
        time.sleep(0.2)
    raise RuntimeError(f"Celery worker not ready after {timeout}s:\n{log_path.read_text()}")


# --- The permission matrix's vocabulary (segur_portal/tests/test_permission_matrix.py) ---

MATRIX_PERSONAS = (
    "anonymous",
    "admin",
    "lead",
    "lead2",
    "federation",
    "federation2",
    "editor",
    "editor2",
    "outsider",  # an editor of an unrelated organisation (sells RIS, in no federation)
)
LOGIN = "login"  # a redirect to the login page
REDIRECT = "redirect"  # a redirect elsewhere


def everyone(answer):
    return dict.fromkeys(MATRIX_PERSONAS, answer)


def members(answer, *, anonymous=LOGIN):
    """Every signed-in persona gets ``answer``; anonymous visitors go to the login."""
    return {"anonymous": anonymous, **dict.fromkeys(MATRIX_PERSONAS[1:], answer)}


def only(allowed, answer=200, *, others=403):
    """``answer`` for the personas in ``allowed``, ``others`` for the rest."""
    return {
        persona: answer if persona in allowed else (LOGIN if persona == "anonymous" else others)
        for persona in MATRIX_PERSONAS
    }


@dataclass
class Row:
    """Expected answers of one URL pattern, and how to build its URL.
    ``kwargs`` may be a function, called in the test, for URLs that name a
    database row (``lambda: {"pk": User.objects.get(email=...).pk}``)."""

    expect: dict
    kwargs: dict | Callable[[], dict] = field(default_factory=dict)
    method: str = "get"
    query: str = ""

    def url_kwargs(self) -> dict:
        return self.kwargs() if callable(self.kwargs) else self.kwargs


def unescaped(response) -> str:
    """A response's HTML with entities decoded (&#x27; → '), to search for
    the deck's texts as they are written."""
    return html.unescape(response.content.decode())


# --- XSS: a payload corpus and a check, for every form that stores or echoes text ---
# Submit each payload in every text field of a form, then pass every page,
# fragment, e-mail and export that shows the data to ``assert_no_xss``.
# Extend XSS_PAYLOADS and XSS_MARKERS together: a marker is a piece of a
# payload that only appears if the payload was not escaped.

XSS_PAYLOADS = (
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "<a href=\"javascript:alert('x')\">lien</a>",
    "</textarea><script>alert(2)</script>",
    '<iframe srcdoc="&lt;script&gt;alert(3)&lt;/script&gt;"></iframe>',
    "<details open ontoggle=alert(4)>",
)
XSS_MARKERS = (
    "<script>alert",
    "<img src=x onerror",
    "<svg onload",
    'href="javascript:',
    "<iframe srcdoc",
    "<details open ontoggle",
)


TEXT_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml")


def is_text(response) -> bool:
    """Pages, fragments, feeds, JSON: what a browser could interpret as markup
    or script. PDF and XLSX exports are checked by their own tests."""
    return response.get("Content-Type", "text/html").startswith(TEXT_TYPES)


def assert_no_xss(content: str | bytes, where: str = "") -> None:
    """Fail if any payload of XSS_PAYLOADS appears unescaped in ``content``."""
    text = content.decode() if isinstance(content, bytes) else content
    lowered = text.lower()
    found = [marker for marker in XSS_MARKERS if marker.lower() in lowered]
    assert not found, f"unescaped XSS payload in {where or 'the content'}: {found}"


# --- Zip bombs: a real document with a member of zeros ---


def with_zeros(package: bytes, member: str, size: int) -> bytes:
    """``package`` (a real ODT, DOCX or XLSX) with one more member holding
    ``size`` zero bytes, deflated as an attacker would (1 GiB of zeros makes
    about 1 MiB). Written 1 MiB at a time: the test's memory stays small."""
    buffer = io.BytesIO(package)
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w", force_zip64=size > 2**31 - 1) as out,
    ):
        for start in range(0, size, len(chunk)):
            out.write(chunk[: size - start])
    return buffer.getvalue()


# --- The programs people open our files with --------------------------------------------


def debian_program(name: str, package: str) -> str:
    """The path of a program a test opens our files with (LibreOffice,
    poppler's pdfinfo…). Missing in CI is a failure (.ci/run installs it);
    elsewhere the test skips and says what to install."""
    import pytest

    path = shutil.which(name)
    if path is None:
        message = (
            f"`{name}` not found: install Debian's {package} package (apt-get install {package})"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


# What a person picks in LibreOffice's text import for the portal's CSV
# (semicolons, UTF-8, French), with "detect special numbers" on, as Excel
# always does: the reading most eager to turn text into numbers and dates.
CSV_FILTER = "59,34,76,1,,1036,false,true"


def libreoffice_convert(
    sources: list[Path], target: str, outdir: Path, *, infilter: str | None = None
) -> list[Path]:
    """``sources`` opened and saved by LibreOffice headless as ``target``
    (``soffice --convert-to``, e.g. "xlsx" or "csv:Text - txt - csv
    (StarCalc):59,34,76,1"), with a profile of its own under ``outdir``."""
    soffice = debian_program("soffice", "libreoffice-calc-nogui")
    outdir.mkdir(parents=True, exist_ok=True)
    command = [
        soffice,
        f"-env:UserInstallation={(outdir / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
    ]
    if infilter:
        command.insert(-4, f"--infilter={infilter}")
    done = subprocess.run(  # noqa: S603 - our own command line, no shell
        [*command, *map(str, sources)], capture_output=True, text=True, timeout=180, check=False
    )
    extension = target.split(":")[0]
    converted = [outdir / f"{source.stem}.{extension}" for source in sources]
    missing = [path.name for path in converted if not path.exists()]
    assert not missing, f"LibreOffice converted nothing for {missing}: {done.stdout}{done.stderr}"
    return converted


# ical.js (Mozilla's iCalendar parser, in Thunderbird and many web calendars),
# installed from the npm registry with the machine's Node into var/node the
# first time a test needs it; offline, the test skips (fails in CI).
ICALJS = "ical.js@2.2.1"


def icaljs_library() -> Path:
    """The path of ical.js's ES module, installed if need be."""
    import pytest

    debian_program("node", "nodejs")
    npm = debian_program("npm", "npm")
    prefix = Path(settings.BASE_DIR) / "var" / "node"
    library = prefix / "node_modules" / "ical.js" / "dist" / "ical.js"
    package = prefix / "node_modules" / "ical.js" / "package.json"
    wanted = ICALJS.rsplit("@", 1)[1]
    if not library.exists() or f'"version": "{wanted}"' not in package.read_text():
        done = subprocess.run(  # noqa: S603 - npm with our own arguments
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, ICALJS],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0 or not library.exists():
            message = f"Could not install {ICALJS} with npm: {done.stderr[-500:]}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    return library


def icaljs_read(files: list[Path]) -> dict[str, dict]:
    """Each iCalendar file as ical.js reads it (calendar_app/tests/icaljs_read.mjs)."""
    import json

    script = Path(settings.BASE_DIR) / "calendar_app" / "tests" / "icaljs_read.mjs"
    library = icaljs_library()
    done = subprocess.run(  # noqa: S603 - node on our own script and files
        [shutil.which("node"), str(script), str(library), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"ical.js could not read the feeds: {done.stderr}"
    return json.loads(done.stdout)
