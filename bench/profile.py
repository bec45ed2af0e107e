"""Profile one page in-process on the benchmark's data (``make bench`` leaves
it in ``segur_bench``): the time of each request with a warm cache, its SQL
queries, and with ``--profile`` where the time goes (pyinstrument).

    .venv/bin/python bench/profile.py /sujets/3/ --role editor
    .venv/bin/python bench/profile.py /retours/ --role lead --profile
    .venv/bin/python bench/profile.py /sujets/3/ --role editor --cold   # empty cache each time
    .venv/bin/python bench/profile.py "/exigences/?q=dossier" --role lead --sql  # each query

The person is the first one of the role in the load data (``*@charge.example``);
the settings are production's (``DEBUG`` off) with the bench's database and
Redis cache, the same environment variables as bench/run.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import portal_env  # noqa: E402

os.environ.update(portal_env())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segur_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.testing import login_with_mfa  # noqa: E402
from segur_portal.loaddata import EMAIL_DOMAIN  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--role", default="editor", choices=[r.value for r in User.Role])
    parser.add_argument("-n", type=int, default=20, help="measured requests (default 20)")
    parser.add_argument("--cold", action="store_true", help="empty the cache before each")
    parser.add_argument("--profile", action="store_true", help="pyinstrument of one request")
    parser.add_argument("--sql", action="store_true", help="each query and its time")
    parser.add_argument("--all", action="store_true", help="with --profile: every frame")
    args = parser.parse_args()

    user = (
        User.objects.filter(role=args.role, email__endswith="@" + EMAIL_DOMAIN)
        .order_by("pk")
        .first()
    )
    if user is None:
        sys.exit("No load data: run `make bench` (or generate_load_data) first.")
    client = login_with_mfa(Client(HTTP_HOST="localhost"), user)

    def get():
        if args.cold:
            cache.clear()
        response = client.get(args.path)
        if response.status_code != 200:
            sys.exit(f"{args.path} as {user.email}: HTTP {response.status_code}")
        return response

    get()  # warm: caches, per-process memos
    timings = []
    for _ in range(args.n):
        started = time.perf_counter()
        get()
        timings.append((time.perf_counter() - started) * 1000)
    with override_settings(DEBUG=True):
        reset_queries()
        get()
        queries = connection.queries
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
    print(
        f"{args.path} as {args.role} ({user.email}), {'cold' if args.cold else 'warm'} cache: "
        f"median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, "
        f"max {max(timings):.1f} ms over {args.n}; "
        f"{len(queries)} queries, {sql_ms:.1f} ms of SQL"
    )
    if args.sql:
        for query in queries:
            print(f"--- {float(query['time']) * 1000:.1f} ms\n{query['sql']}")
    if args.profile:
        from pyinstrument import Profiler

        get()  # DEBUG's override above emptied the template engines: warm again

        profiler = Profiler(interval=0.0005)
        with profiler:
            get()
        print(profiler.output_text(unicode=True, color=False, show_all=args.all))


if __name__ == "__main__":
    main()
