"""Tests only: run Celery with its clock moved by a fixed offset.

``python -m core.celery_clock <seconds> -A segur_portal worker …`` starts the
``celery`` command with time-machine travelling (and ticking) that many
seconds away from now, so that a real worker and beat live at the deck's 2023
dates while the test freezes its own process there. Every process started
with the same offset shares one clock. Started by
``core.testing.celery_process(clock_offset=...)``; never in production
(time-machine is a test dependency).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta


def main() -> None:
    import time_machine

    offset = timedelta(seconds=float(sys.argv.pop(1)))
    time_machine.travel(datetime.now(UTC) + offset, tick=True).start()
    from celery.__main__ import main as celery

    sys.argv[0] = "celery"
    celery()


if __name__ == "__main__":
    main()
