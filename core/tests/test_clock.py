"""The test clock: ``TEST_CLOCK`` is read as a moment with its UTC offset, and
the processes a test starts share the test's clock — a process at the real
time while the test lives at another date writes rows the test reads as
months old (issue 16)."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from core.testing import clock_from_environment, python_module_command

PARIS = ZoneInfo("Europe/Paris")


def now_in_a_process_started_by_the_test(**kwargs) -> datetime:
    result = subprocess.run(
        python_module_command("core.tests.print_now", **kwargs),
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
        check=True,
    )
    return datetime.fromisoformat(result.stdout.strip())


def test_a_process_started_by_the_test_shares_its_clock():
    # The second session of the deck, 12/10/2023 at 14:00.
    session = datetime(2023, 10, 12, 14, 0, tzinfo=PARIS)
    with time_machine.travel(session, tick=True):
        seen = now_in_a_process_started_by_the_test()
    assert session <= seen < session + timedelta(minutes=1)


def test_a_process_started_by_the_test_can_live_later():
    session = datetime(2023, 10, 12, 14, 0, tzinfo=PARIS)
    with time_machine.travel(session, tick=True):
        seen = now_in_a_process_started_by_the_test(clock_offset=timedelta(days=1))
    assert session + timedelta(days=1) <= seen < session + timedelta(days=1, minutes=1)


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-12-06T23:30:00+01:00", datetime(2026, 12, 6, 23, 30, tzinfo=PARIS)),
        ("2026-11-30T22:45:00Z", datetime(2026, 11, 30, 23, 45, tzinfo=PARIS)),
        ("", None),
    ],
)
def test_test_clock_is_a_moment_with_its_offset(monkeypatch, value, moment):
    monkeypatch.setenv("TEST_CLOCK", value)
    assert clock_from_environment() == moment


@pytest.mark.parametrize("value", ["2026-12-06T23:30:00", "dimanche soir", "2026-13-01T00:00Z"])
def test_a_test_clock_without_an_offset_is_refused(monkeypatch, value):
    monkeypatch.setenv("TEST_CLOCK", value)
    with pytest.raises(ValueError, match="UTC offset"):
        clock_from_environment()
