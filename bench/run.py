"""The portal under load, as in production (``make bench``).

Migrates a fresh database (PostgreSQL ``segur_bench`` by default), generates
the load data at ``BENCH_SCALE``, starts gunicorn with several workers,
``DEBUG`` off, the Redis cache, then loads each page with wrk for a fixed
duration and number of connections, as at least 50 signed-in people of every
role (bench/sessions.py, bench/wrk.lua), and prints per page: requests per
second, p50 and p99 latency, errors, and the throughput as a share of the
trivial view's (``/healthz``, measured in the same run). README.md, "Speed".

Each page is loaded twice: at ``BENCH_CONNECTIONS`` (16), more than the
machine's cores and the workers, for its throughput (it saturates the
machine, so its latencies are mostly the queue: Little's law), then at
``BENCH_LATENCY_CONNECTIONS`` (one per core) for the time a person waits on
a busy machine that is not overloaded.

Settings (environment): BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_BROKER_URL,
BENCH_SCALE (1), BENCH_DURATION (20 s), BENCH_CONNECTIONS (16),
BENCH_LATENCY_CONNECTIONS (cores), BENCH_THREADS (2), BENCH_WORKERS
(2 x cores + 1), BENCH_PORT (8011), BENCH_PAGES (all, or a comma-separated
list of names), BENCH_REUSE=1 to keep the database and data of the previous
run (no migrate, no generation), BENCH_ACCESS_LOG=1 to log each request's
time, status, URL and worker in var/bench/access.log.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VAR = ROOT / "var" / "bench"
SEARCHES = ["antivirus", "dossier", "messagerie", "identifiant", "trace", "DMP", "consentement"]


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


SCALE = int(env("BENCH_SCALE", "1"))
DURATION = int(env("BENCH_DURATION", "20"))
CONNECTIONS = int(env("BENCH_CONNECTIONS", "16"))
LATENCY_CONNECTIONS = int(env("BENCH_LATENCY_CONNECTIONS", str(os.cpu_count() or 1)))
THREADS = int(env("BENCH_THREADS", "2"))
WORKERS = int(env("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
PORT = int(env("BENCH_PORT", "8011"))
DATABASE_URL = env("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/segur_bench")
REDIS_URL = env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
BROKER_URL = env("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
REUSE = env("BENCH_REUSE", "0") == "1"
ACCESS_LOG = env("BENCH_ACCESS_LOG", "0") == "1"
ACCESS_FORMAT = "%(M)s %(s)s %(U)s%(q)s %(p)s"


def portal_env() -> dict[str, str]:
    VAR.mkdir(parents=True, exist_ok=True)
    key_file = VAR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": key_file.read_text().strip(),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "VAR_DIR": str(VAR),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=portal_env(), check=True, **kwargs
    )


def fresh_database() -> None:
    url = urllib.parse.urlparse(DATABASE_URL)
    if url.scheme.startswith("postgres"):
        import psycopg

        name = url.path.lstrip("/")
        admin = url._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif url.scheme == "sqlite":
        Path(url.path).unlink(missing_ok=True)
    else:
        sys.exit(f"BENCH_DATABASE_URL: unsupported database {url.scheme}")


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def prepare() -> float:
    if not REUSE:
        print(f"--- Fresh database {DATABASE_URL}, load data at scale {SCALE}")
        fresh_database()
        manage("migrate", "--noinput", "-v0")
        started = time.perf_counter()
        manage("generate_load_data", "--scale", str(SCALE))
        generation = time.perf_counter() - started
    else:
        generation = 0.0
    manage("collectstatic", "--noinput", "-v0")
    flush_cache()
    return generation


def people() -> dict:
    out = subprocess.run(
        [PYTHON, "bench/sessions.py"],
        cwd=ROOT,
        env=portal_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def pages(data: dict) -> dict[str, list[tuple[str, str]]]:
    """Each page's (cookie, path) pairs: every person, rotating over topics,
    requirements and searches."""
    people = data["people"]

    def each(paths: list[str]) -> list[tuple[str, str]]:
        return [(p["cookie"], paths[i % len(paths)]) for i, p in enumerate(people)] * 2

    quote = urllib.parse.quote
    return {
        "trivial (/healthz)": each(["/healthz"]),
        "dashboard": each(["/"]),
        "topics list": each(["/sujets/"]),
        "topic page": each([f"/sujets/{n}/" for n in data["topics"]]),
        "requirement page": each([f"/exigences/{quote(r)}" for r in data["references"][::7]]),
        "Mes décisions": each(["/mes-decisions/"]),
        "requirements search": each([f"/exigences/?q={quote(q)}" for q in SEARCHES]),
        "calendar": each(["/calendrier/"]),
        "feedback inbox": [
            (p["cookie"], "/retours/") for p in people if p["role"] in ("admin", "lead")
        ]
        * 2,
        "Mes retours": [
            (p["cookie"], "/mes-retours/") for p in people if p["role"] in ("federation", "editor")
        ]
        * 2,
        "iCal feed": [(p["cookie"], p["ical"]) for p in people],
    }


def start_server() -> subprocess.Popen:
    log = open(VAR / "gunicorn.log", "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "segur_portal.wsgi",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            *(
                # Each request's path, status and time in ms, to find which
                # ones make a page's p99 (var/bench/access.log).
                ["--access-logfile", str(VAR / "access.log"), "--access-logformat", ACCESS_FORMAT]
                if ACCESS_LOG
                else []
            ),
        ],
        cwd=ROOT,
        env=portal_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"gunicorn did not answer: see {VAR / 'gunicorn.log'}")


def wrk(targets: list[tuple[str, str]], seconds: int, connections: int = CONNECTIONS) -> dict:
    path = VAR / "targets.tsv"
    path.write_text("".join(f"{cookie}\t{url}\n" for cookie, url in targets))
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(THREADS, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            f"http://127.0.0.1:{PORT}",
        ],
        env={**os.environ, "BENCH_TARGETS": str(path)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def warm(targets: list[tuple[str, str]]) -> None:
    """One request per distinct (person, path), one after the other: what is
    cached is computed once before measuring (the cold cost of each page is
    its uncached cost, measured by the query-count tests and profiles)."""
    for cookie, path in dict.fromkeys(targets):
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()


def drain() -> None:
    """Wait until the server answers the trivial view at once again (its
    backlog of abandoned requests done)."""
    time.sleep(1)
    for _ in range(50):
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=30) as response:
            response.read()
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.2)


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{platform.node()}: {os.cpu_count()} cores{memory}, load average {load} before the run"


def table(results: dict[str, dict]) -> str:
    floor = results["trivial (/healthz)"]["rps"]
    lines = [
        f"| page | req/s at {CONNECTIONS} | vs trivial | p50 ms | p99 ms "
        f"| p50 ms at {LATENCY_CONNECTIONS} | p99 ms at {LATENCY_CONNECTIONS} | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        calm = r["latency"]
        errors = sum(x["non2xx"] + x["socket_errors"] for x in (r, calm))
        lines.append(
            f"| {name} | {r['rps']:.0f} | {100 * r['rps'] / floor:.0f} % "
            f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {calm['p50_ms']:.1f} | {calm['p99_ms']:.1f} | {errors} |"
        )
    return "\n".join(lines)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    header = machine()
    generation = prepare()
    data = people()
    roles = sorted({p["role"] for p in data["people"]})
    chosen = pages(data)
    only = [name.strip() for name in env("BENCH_PAGES", "").split(",") if name.strip()]
    if only:
        chosen = {k: v for k, v in chosen.items() if k.startswith("trivial") or k in only}
    server = start_server()
    results = {}
    try:
        for name, targets in chosen.items():
            warm(targets)
            wrk(targets, 3)  # warm-up: workers' connections, per-process memos
            results[name] = r = wrk(targets, DURATION)
            # When wrk stops, the server still works through the requests
            # queued in its backlog: they would be the next run's first
            # seconds. Let it drain before measuring a calm machine.
            drain()
            r["latency"] = calm = wrk(targets, DURATION, LATENCY_CONNECTIONS)
            drain()
            print(
                f"  {name:<22} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                f"p99 {r['p99_ms']:6.1f} ms  | at {LATENCY_CONNECTIONS}: p50 "
                f"{calm['p50_ms']:6.1f} ms  p99 {calm['p99_ms']:6.1f} ms  "
                f"non-2xx {r['non2xx'] + calm['non2xx']} {r['statuses']} {calm['statuses']}  "
                f"socket errors {r['socket_errors'] + calm['socket_errors']}",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    summary = (
        f"Scale {SCALE}, {len(data['people'])} people signed in ({', '.join(roles)}), "
        f"gunicorn {WORKERS} workers, wrk {THREADS} threads x {CONNECTIONS} connections "
        f"x {DURATION} s per page, then {LATENCY_CONNECTIONS} connections x {DURATION} s; "
        f"{header}" + (f"; load data generated in {generation:.0f} s" if generation else "")
    )
    report = f"{summary}\n\n{table(results)}\n"
    (VAR / f"results-scale{SCALE}.md").write_text(report)
    (VAR / f"results-scale{SCALE}.json").write_text(json.dumps(results, indent=2))
    print()
    print(report)


if __name__ == "__main__":
    main()
