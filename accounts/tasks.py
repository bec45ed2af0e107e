from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task
def purge_audit_log() -> int:
    """Remove the audit events past their retention period (12 months).
    Safe to run twice: the second run finds nothing to remove."""
    from .models import AuditEvent

    cutoff = timezone.now() - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
    return AuditEvent.objects.purge_older_than(cutoff)
