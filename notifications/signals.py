"""Producers that listen to models of the apps above, named lazily by label
(this app never imports them).

A requirement's statement changes when a new version of it is recorded for a
SONS (RequirementVersion): whoever records it — an import, a decision that
rewrites the statement, the admin — its followers are told. A bulk_create
sends no signal: code that writes versions in bulk calls
``notifications.services.notify`` itself, as below.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from . import services
from .models import Notification


@receiver(post_save, sender="topics.RequirementVersion", dispatch_uid="notify_statement_changed")
def statement_changed(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    earlier = (
        sender.objects.filter(requirement_id=instance.requirement_id, sons_id=instance.sons_id)
        .exclude(pk=instance.pk)
        .order_by("-created_at", "-pk")
        .values_list("statement", flat=True)
        .first()
    )
    if earlier is None or earlier == instance.statement:
        return  # the first statement of that SONS, or the same words again
    requirement = instance.requirement
    services.notify(
        subjects=[requirement, instance.sons],
        kind=Notification.Kind.STATEMENT_CHANGED,
        target=instance,
        # The same new version recorded for several SONS is one piece of news.
        key=f"topics.requirement:{requirement.pk}:version:{instance.label}",
    )
