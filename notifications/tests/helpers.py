"""What the notifications' tests share: publishing a decision the way the
arbitrations' publish service will (the call the lead wires at merge), and
reading the e-mails a worker wrote to disk."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify

FILE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def publish_decision(reference: str, *, by, decision: str = "kept", sons=None, comment: str = ""):
    """A lead publishes a decision on a requirement for some SONS (all of its
    perimeter by default): the decision and its notifications are written in
    one transaction, as arbitrations' publish service does once wired."""
    from arbitrations.models import Arbitration
    from topics.models import Requirement

    requirement = Requirement.objects.get(reference=reference)
    covered = list(sons if sons is not None else requirement.sons.all())
    with transaction.atomic():
        arbitration = Arbitration.objects.create(
            requirement=requirement,
            decision=decision,
            comment=comment or f"Décision sur {reference}.",
            status=Arbitration.Status.PUBLISHED,
            decided_by=by,
            published_at=timezone.now(),
        )
        arbitration.sons.set(covered)
        notify(
            subjects=[arbitration.requirement or arbitration.topic, *arbitration.sons.all()],
            kind=Notification.Kind.DECISION_PUBLISHED,
            actor=by,
            target=arbitration,
        )
    return arbitration


def read_mailbox(folder: Path) -> list[email.message.EmailMessage]:
    """Every complete message Django's file backend wrote in ``folder``. A
    message cut short by a killed worker (no separator after it) was not
    sent, and is not counted."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        chunks = path.read_bytes().split(FILE_SEPARATOR)
        for chunk in chunks[:-1]:  # the last chunk is empty or unfinished
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def delivery_id_of(message) -> int:
    """The outbox row a message delivered, read from its Message-ID
    (``<outbox.<row>.<digest>@host>``)."""
    return int(message["Message-ID"].strip("<>").split(".")[1])
