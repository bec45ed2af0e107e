"""Benchmark of the catalogue import (issues 5 and 17).

Generates spreadsheets in the authority's layout (400 references, 6 SONS,
1,100 rows: the size of the real IT2 file; then four times that), and on a
scratch test database of the configured engine (SQLite by default,
PostgreSQL with DATABASE_URL), for each: checks it (the dry run, which
writes and rolls back), imports and publishes it, and imports it again
(nothing changes). Prints seconds, rows per second and queries per row of
each step; exits 1 when an import and publication take longer than
--max-seconds (5 by default: the issue's goal on a 2-core machine).

    make bench-import                                    # SQLite
    make bench-import DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur   # PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segur_portal.settings")
os.environ.setdefault("DEBUG", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1100, 4400])
    parser.add_argument("--references-per-row", type=float, default=400 / 1100)
    parser.add_argument("--max-seconds", type=float, default=5.0)
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    # The audit log writes a line per event: not what is measured here.
    logging.getLogger("accounts.audit").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import (
        CaptureQueriesContext,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    setup_test_environment()
    # A scratch database (test_<name>), created and dropped here: the
    # configured one is never touched.
    old = setup_databases(verbosity=0, interactive=False)
    too_slow = []
    try:
        with open(os.devnull, "w") as devnull:
            call_command("create_demo_accounts", stdout=devnull)
            call_command("load_demo", "--original-dates", stdout=devnull)
        from accounts.models import User
        from catalogue.importing import import_at_once
        from catalogue.samples import authority_workbook, generated_rows

        admin = User.objects.get(email="admin@demo.example")
        print(f"engine: {connection.vendor}")
        for size, count in enumerate(args.rows):
            references = max(1, round(count * args.references_per_row))
            rows = generated_rows(references=references, rows=count, seed=2023 + size)
            # Each size its own references: the second file is new to the catalogue too.
            for row in rows:
                row.reference = row.reference.replace("/BENCH.", f"/BENCH{size}.")
            content = authority_workbook(rows, title_rows=["Concertation Ségur vague 2"])
            print(
                f"file: {len(rows)} rows, {len({r.reference for r in rows})} references, "
                f"{len({r.sons for r in rows})} SONS, {len(content) // 1024} KiB"
            )
            steps = (
                ("dry run", {"dry_run": True}),
                ("import + publish", {"publish": True}),
                ("same file again", {"publish": True}),
            )
            for step, options in steps:
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    entry = import_at_once(
                        user=admin, file_name="bench.xlsx", content=content, **options
                    )
                    elapsed = time.perf_counter() - started
                print(
                    f"{step:>18}: {elapsed:6.2f} s, {len(rows) / elapsed:7.0f} rows/s, "
                    f"{len(queries):6d} queries ({len(queries) / len(rows):.2f}/row) "
                    f"(created {entry.created}, updated {entry.updated}, unchanged "
                    f"{entry.unchanged}, conflicts {entry.conflicts}, errors {entry.errors})"
                )
                assert not entry.errors, entry.report["rows"][:3]
                if step == "import + publish" and count <= 1100 and elapsed > args.max_seconds:
                    too_slow.append((count, elapsed))
        if too_slow:
            for count, elapsed in too_slow:
                print(f"too slow: {count} rows took {elapsed:.2f} s (> {args.max_seconds} s)")
            return 1
        return 0
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
