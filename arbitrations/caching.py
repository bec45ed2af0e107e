"""What the decision pages keep in the cache, and the one way to make it stale.

The dashboard's overview and "Mes décisions" are computed from the published
decisions, the catalogue and the topics; they are cached (core.caching) under
the "decisions" namespace. ``invalidate_decision_pages()`` makes all of it
stale at once, now and when the transaction commits: call it whenever what
those pages show changes — publishing a decision (arbitrations.services),
answering a feedback (concertation.feedback.services). Saving or deleting a
decision, a requirement, its per-SONS rows or a topic calls it too (signals
below; concertation's own for a feedback: a topic is "arbitré" once its
feedback is answered), so that admin edits and imports are never served
stale.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import caching

NAMESPACE = "decisions"


def invalidate_decision_pages() -> None:
    """The dashboard and every "Mes décisions" are recomputed at the next request."""
    caching.invalidate(NAMESPACE)


def progress_parts(now) -> tuple:
    """What a topic's status depends on besides decisions: the calendar's
    version and when the next sharing session starts (its topics become
    "présentés" then). One small query."""
    from calendar_app.models import Event

    next_session = (
        Event.objects.filter(kind=Event.Kind.SHARING_SESSION, starts_at__gt=now)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return (caching.version("events"), next_session)


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    invalidate_decision_pages()


def connect() -> None:
    """Called once from the app's ready()."""
    from topics.models import Requirement, RequirementSons, Sons, Topic

    from .models import Arbitration

    for model in (Arbitration, Requirement, RequirementSons, Topic, Sons):
        post_save.connect(_changed, sender=model, dispatch_uid=f"decisions-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"decisions-del-{model.__name__}")
    for through in (Arbitration.sons.through, Topic.scope.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"decisions-{through.__name__}")
