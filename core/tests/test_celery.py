"""Celery is wired for real: a task goes through the configured broker (Redis
in CI, the filesystem broker by default) to a worker process and back."""

from __future__ import annotations

import pytest

from core.tasks import ping
from core.testing import celery_worker
from segur_portal.celery import app


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_a_real_worker():
    assert not app.conf.task_always_eager
    with celery_worker() as queue:
        result = ping.apply_async(["round-trip"], queue=queue)
        assert result.get(timeout=30) == "pong:round-trip"
