"""Tests only: run a Python module (Celery, a test's helper process) with its
clock moved by a fixed offset.

``python -m core.celery_clock <seconds> -m celery -A segur_portal worker …``
runs ``python -m celery -A segur_portal worker …`` with time-machine
travelling (and ticking) that many seconds away from now, so that a real
worker and beat live at the deck's 2023 dates while the test freezes its own
process there, or share the clock that ``TEST_CLOCK`` moved. Every process
started with the same offset shares one clock. Started by
``core.testing.python_module_command`` (``celery_process(clock_offset=...)``);
never in production (time-machine is a test dependency).
"""

from __future__ import annotations

import runpy
import sys
from datetime import UTC, datetime, timedelta

USAGE = "python -m core.celery_clock <seconds> -m <module> [arguments]"


def main() -> None:
    import time_machine

    if len(sys.argv) < 4 or sys.argv[2] != "-m":
        raise SystemExit(f"usage: {USAGE}")
    offset = timedelta(seconds=float(sys.argv[1]))
    module = sys.argv[3]
    time_machine.travel(datetime.now(UTC) + offset, tick=True).start()
    # A ticking travel starts ticking when the time is first read, not when
    # it starts: read it now, or the seconds Celery takes to import before it
    # reads the time are lost, and processes started with one offset disagree.
    datetime.now(UTC)
    sys.argv = [module, *sys.argv[4:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
