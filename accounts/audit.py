"""The audit log's API: every app records its sensitive actions here.

    from accounts.audit import Action, record

    record(Action.DECISION_CHANGED, request=request, target=arbitration,
           details={"from": "draft", "to": "published"})
    record(Action.EXPORT, request=request, details={"format": "xlsx", "rows": 42})
    record(Action.IMPORT, actor=user, target=document, details={"created": 3})
    record(Action.MODERATION, request=request, target=comment, details={"hidden": True})

``request`` gives the actor (the signed-in person) and the client's address;
outside a request (Celery task, management command) pass ``actor=``. The
log is append-only and kept ``AUDIT_LOG_RETENTION_DAYS`` (12 months): never
put a password, a token, a code or a message's text in ``details`` — keys that
look like secrets are dropped, and long values are cut.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import models

from .models import AuditEvent, Organisation, User
from .security import client_ip

Action = AuditEvent.Action

logger = logging.getLogger(__name__)

# Keys never stored, whatever their value (matched anywhere in the key).
SECRET_KEY_PATTERN = re.compile(
    r"pass|secret|token|key|code|otp|csrf|session|cookie|signature|credential", re.I
)
MAX_VALUE_LENGTH = 500
REDACTED = "[retiré]"


def clean_details(value: Any, depth: int = 0) -> Any:
    """JSON-safe details with secret-looking keys removed and long strings cut."""
    if depth > 4:
        return REDACTED
    if isinstance(value, dict):
        return {
            str(key): clean_details(item, depth + 1)
            for key, item in value.items()
            if not SECRET_KEY_PATTERN.search(str(key))
        }
    if isinstance(value, (list, tuple, set)):
        return [clean_details(item, depth + 1) for item in list(value)[:100]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…"


def record(
    action: str,
    *,
    request=None,
    actor: User | None = None,
    subject: User | None = None,
    target: models.Model | None = None,
    organisation: Organisation | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``actor`` defaults to ``request.user`` when signed in. ``subject`` is the
    account acted upon (defaults to the actor for account events).
    ``organisation`` defaults to the subject's or the actor's.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}: add it to AuditEvent.Action.")
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if organisation is None:
        person = subject or actor
        organisation_id = getattr(person, "organisation_id", None)
    else:
        organisation_id = organisation.pk
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        subject=subject,
        organisation_id=organisation_id,
        ip_address=client_ip(request),
        details=clean_details(details or {}),
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_id = str(target.pk)
        event.target_label = str(target)[:255]
    event.save()
    logger.info(
        "audit %s actor=%s target=%s:%s",
        action,
        event.actor_email,
        event.target_type,
        event.target_id,
    )
    return event


def record_many(
    action: str, *, actor: User | None, entries: list[tuple[models.Model | None, dict]]
) -> list[AuditEvent]:
    """Append one event per (target, details) of ``entries``, all by ``actor``,
    in one insert: what ``record`` does for each, for the imports that change
    hundreds of decisions at once."""
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}: add it to AuditEvent.Action.")
    events = []
    for target, details in entries:
        event = AuditEvent(
            action=action,
            actor=actor,
            actor_email=getattr(actor, "email", "") or "",
            organisation_id=getattr(actor, "organisation_id", None),
            details=clean_details(details or {}),
        )
        if target is not None:
            event.target_type = target._meta.label_lower
            event.target_id = str(target.pk)
            event.target_label = str(target)[:255]
        events.append(event)
    created = AuditEvent.objects.bulk_create(events, batch_size=500)
    if created:
        logger.info(
            "audit %s actor=%s: %s events", action, getattr(actor, "email", ""), len(created)
        )
    return created
