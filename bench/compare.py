"""Each page's in-process time at two scales (``make bench-compare``).

wrk's latencies (``make bench``) include the machine: on a 2-core VM the same
page's p99 moves by a third from one run to the next. This measures what the
issue asks of the code — that a page's cost does not grow with the data —
without the network, the queue or the neighbours: for each page and role, the
median of ``-n`` requests in-process with a warm cache (bench/profile.py) on
a database at each scale, their ratio, and the number of SQL queries (which
must be the same).

One database and one Redis database per scale (``segur_bench_s1`` and
``/13``, ``segur_bench_s4`` and ``/14``), generated the first time and kept
(``--fresh`` to generate them again); ``make bench`` keeps its own. The
databases are named after ``BENCH_DATABASE_URL``'s (``segur_bench`` by
default) with the scale added, so that two people comparing at once on one
server each keep theirs.

    .venv/bin/python bench/compare.py            # scales 1 and 4
    .venv/bin/python bench/compare.py --scales 1 8 -n 60
    .venv/bin/python bench/compare.py --only /mes-decisions/   # those pages alone
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402

# (path, role): the bench's pages, on topics and requirements of the deck
# that every scale has (the load data adds to the demo).
PAGES = [
    ("/", "editor"),
    ("/", "lead"),
    ("/sujets/", "editor"),
    ("/sujets/3/", "editor"),
    ("/sujets/3/", "lead"),
    ("/exigences/SC.SSI/IE.33", "editor"),
    ("/exigences/SC.SSI/IE.33", "lead"),
    ("/mes-decisions/", "editor"),
    ("/mes-decisions/", "federation"),
    ("/exigences/?q=dossier", "editor"),
    ("/exigences/?q=dossier", "lead"),
    ("/calendrier/", "editor"),
    ("/calendrier/semaines/", "editor"),
    ("/retours/", "lead"),
    ("/mes-retours/", "federation"),
]
MEASURE = re.compile(r"median ([\d.]+) ms.*?; (\d+) queries")


# Read once: prepare() points run.DATABASE_URL at each scale's database in turn.
DATABASE_URL = run.DATABASE_URL


def settings_for(scale: int, position: int) -> dict[str, str]:
    base = urllib.parse.urlparse(DATABASE_URL)
    database = base._replace(path=f"{base.path}_s{scale}")
    cache = urllib.parse.urlparse(run.REDIS_URL)._replace(path=f"/{13 + position}")
    return {"BENCH_DATABASE_URL": database.geturl(), "BENCH_REDIS_URL": cache.geturl()}


def exists(url: str) -> bool:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [parsed.path.lstrip("/")]
        )
        return found.fetchone() is not None


def prepare(scale: int, position: int, fresh: bool) -> None:
    env = settings_for(scale, position)
    if exists(env["BENCH_DATABASE_URL"]) and not fresh:
        return
    print(f"--- Load data at scale {scale} in {env['BENCH_DATABASE_URL']}", flush=True)
    run.DATABASE_URL, run.REDIS_URL = env["BENCH_DATABASE_URL"], env["BENCH_REDIS_URL"]
    run.fresh_database()
    run.manage("migrate", "--noinput", "-v0")
    run.manage("generate_load_data", "--scale", str(scale), stdout=subprocess.DEVNULL)
    run.flush_cache()


def measure(scale: int, position: int, path: str, role: str, n: int) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "bench/profile.py", path, "--role", role, "-n", str(n)],
        cwd=ROOT,
        env={**os.environ, **settings_for(scale, position)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = MEASURE.search(out)
    if found is None:
        sys.exit(f"{path} as {role} at scale {scale}: {out}")
    return float(found[1]), int(found[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs=2, default=[1, 4])
    parser.add_argument("-n", type=int, default=40, help="requests per page (default 40)")
    parser.add_argument("--fresh", action="store_true", help="generate the databases again")
    parser.add_argument("--only", default="", help="the pages whose path holds this text")
    args = parser.parse_args()
    small, large = args.scales
    for position, scale in enumerate((small, large)):
        prepare(scale, position, args.fresh)
    # DEBUG off serves static files by their hashed names: the manifest must exist.
    run.manage("collectstatic", "--noinput", "-v0")
    header = f"| page | role | ms at {small} | ms at {large} | ratio | queries |"
    lines = [header, "|---|---|---:|---:|---:|---|"]
    worst = 0.0
    for path, role in [(path, role) for path, role in PAGES if args.only in path]:
        (one, q_one), (other, q_other) = (
            measure(scale, position, path, role, args.n)
            for position, scale in enumerate((small, large))
        )
        ratio = other / one
        worst = max(worst, ratio)
        queries = str(q_one) if q_one == q_other else f"{q_one} → {q_other} (grows)"
        lines.append(f"| {path} | {role} | {one:.1f} | {other:.1f} | {ratio:.2f} | {queries} |")
        print(lines[-1], flush=True)
    print()
    print("\n".join(lines))
    print(f"\nLargest ratio: {worst:.2f} (median of {args.n} in-process requests, warm cache)")


if __name__ == "__main__":
    main()
