"""Benchmark of the catalogue import (issue 5).

Generates a spreadsheet in the authority's layout the size of the real one
(1,100 rows, 400 references, 6 SONS), then, on a scratch test database of
the configured engine (SQLite by default, PostgreSQL with DATABASE_URL):
checks it (dry run), imports it, and imports it again (nothing changes).
Prints rows per second; exits 1 when the import takes longer than
--max-seconds (10 by default).

    make bench                                   # SQLite
    make bench DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur   # PostgreSQL
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
    parser.add_argument("--rows", type=int, default=1100)
    parser.add_argument("--references", type=int, default=400)
    parser.add_argument("--max-seconds", type=float, default=10.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    # A scratch database (test_<name>), created and dropped here: the
    # configured one is never touched.
    old = setup_databases(verbosity=0, interactive=False)
    try:
        with open(os.devnull, "w") as devnull:
            call_command("create_demo_accounts", stdout=devnull)
            call_command("load_demo", "--original-dates", stdout=devnull)
        from accounts.models import User
        from catalogue.importing import import_at_once
        from catalogue.samples import authority_workbook, generated_rows

        admin = User.objects.get(email="admin@demo.example")
        rows = generated_rows(references=args.references, rows=args.rows)
        content = authority_workbook(rows, title_rows=["Concertation Ségur vague 2"])
        print(f"engine: {connection.vendor}")
        print(
            f"file: {len(rows)} rows, {len({r.reference for r in rows})} references, "
            f"{len({r.sons for r in rows})} SONS, {len(content) // 1024} KiB"
        )
        timings = {}
        for step, dry_run in (("dry run", True), ("import", False), ("same file again", False)):
            started = time.perf_counter()
            entry = import_at_once(
                user=admin, file_name="bench.xlsx", content=content, dry_run=dry_run
            )
            elapsed = time.perf_counter() - started
            timings[step] = elapsed
            print(
                f"{step:>16}: {elapsed:6.2f} s, {len(rows) / elapsed:7.0f} rows/s "
                f"(created {entry.created}, updated {entry.updated}, unchanged "
                f"{entry.unchanged}, errors {entry.errors})"
            )
            assert not entry.errors, entry.report["rows"][:3]
        if timings["import"] > args.max_seconds:
            print(f"too slow: the import took more than {args.max_seconds} s")
            return 1
        return 0
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
