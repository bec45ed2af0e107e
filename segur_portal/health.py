"""What /healthz reports: does the database answer, does the broker answer."""

from __future__ import annotations

import logging

from django.db import connection

from .celery import app

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "down", whatever the driver raises
        logger.exception("Database health check failed")
        return False


def broker_ok() -> bool:
    conn = app.connection_for_write()
    try:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        conn.default_channel  # noqa: B018 - opening a channel proves the broker answers
        return True
    except Exception:
        logger.warning("Celery broker health check failed", exc_info=True)
        return False
    finally:
        conn.release()
