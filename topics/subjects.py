"""What people follow among topics and requirements, and the news a
requirement's statement makes (notifications.subjects, .services)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications import services as notifications
from notifications import subjects
from notifications.models import Notification

from .models import RequirementVersion


def _topic_url(topic) -> str:
    return reverse("topic_detail", args=[topic.number or topic.slug])


def _version(version) -> dict[str, Any]:
    return {"sons": [version.sons.code], "version": version.label, "statement": version.statement}


def statement_changed(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A requirement's statement changes when a new version of it is
    recorded for a SONS: whoever records it — an import, a decision that
    rewrites the statement, the admin — its followers are told. A
    bulk_create sends no signal: code that writes versions in bulk calls
    ``notifications.services.notify`` itself."""
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
    notifications.notify(
        subjects=[requirement, instance.sons],
        kind=Notification.Kind.STATEMENT_CHANGED,
        target=instance,
        # The same new version recorded for several SONS is one piece of news.
        key=f"topics.requirement:{requirement.pk}:version:{instance.label}",
    )


def register() -> None:
    subjects.register(
        subjects.SubjectType(
            "topics.topic",
            _("Sujet"),
            _("Sujets"),
            name=lambda topic: f"#{topic.number} {topic.label}" if topic.number else topic.label,
            url=_topic_url,
            topic=lambda topic: topic,
        )
    )
    subjects.register(
        subjects.SubjectType(
            "topics.requirement",
            _("Exigence"),
            _("Exigences"),
            name=lambda requirement: requirement.reference,
            url=lambda requirement: reverse("requirement_detail", args=[requirement.reference]),
            # A requirement belongs to its topic. The SONS a change concerns
            # are named by the producer: a decision for DPI alone is no news
            # for LGC.
            parents=lambda requirement: [requirement.topic] if requirement.topic_id else [],
            topic=lambda requirement: requirement.topic,
        )
    )
    subjects.register_summary("topics.requirementversion", _version)
    post_save.connect(
        statement_changed, sender=RequirementVersion, dispatch_uid="notify_statement_changed"
    )
