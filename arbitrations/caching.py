"""What the decision pages keep in the cache, and the one way to make it stale.

The dashboard's overview and "Mes décisions" are computed from the published
decisions, the catalogue and the topics; they are cached (core.caching) under
the "decisions" namespace. ``invalidate_decision_pages()`` makes all of it
stale at once, now and when the transaction commits: call it whenever what
those pages show changes — publishing a decision (arbitrations.services),
answering a feedback (arbitrations.feedback.services). Saving or deleting a
decision, a feedback, a requirement, its per-SONS rows or a topic calls it
too (signals below), so that admin edits and imports are never served stale.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import caching

NAMESPACE = "decisions"
# The feedback sections of topic and requirement pages (who sees which
# feedback, and its answer): stale at any change of a feedback, its
# requirements, co-signers or invitations, or of who belongs to a federation.
FEEDBACK = "feedback"


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


def _feedback_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    caching.invalidate(FEEDBACK)


def connect() -> None:
    """Called once from the app's ready()."""
    from topics.models import Requirement, RequirementSons, Sons, Topic

    from .models import Arbitration, Feedback

    # Feedback: a topic is "arbitré" once its feedback is answered.
    for model in (Arbitration, Feedback, Requirement, RequirementSons, Topic, Sons):
        post_save.connect(_changed, sender=model, dispatch_uid=f"decisions-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"decisions-del-{model.__name__}")
    for through in (Arbitration.sons.through, Topic.scope.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"decisions-{through.__name__}")

    from accounts.models import Organisation

    from .feedback.models import FeedbackSignature

    for model in (Feedback, FeedbackSignature, Organisation, Topic, Requirement):
        post_save.connect(
            _feedback_changed, sender=model, dispatch_uid=f"feedback-{model.__name__}"
        )
        post_delete.connect(
            _feedback_changed, sender=model, dispatch_uid=f"feedback-del-{model.__name__}"
        )
    for through in (
        Feedback.requirements.through,
        Feedback.sons.through,
        Feedback.invited_organisations.through,
        Organisation.federations.through,
    ):
        m2m_changed.connect(
            _feedback_changed, sender=through, dispatch_uid=f"feedback-{through.__name__}"
        )
