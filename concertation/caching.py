"""What the concertation keeps in the cache, and how it is made stale.

``FEEDBACK``: the "Retours argumentés" sections of topic and requirement
pages (who sees which feedback, and its answer), rendered once per audience:
stale at any change of a feedback, its requirements, SONS, co-signers or
invitations, of an organisation or of who belongs to a federation.

A feedback also counts in the topics' status (a topic is "arbitré" once its
feedback is answered): any change of one makes the decision pages stale too
(arbitrations.caching).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from arbitrations.caching import invalidate_decision_pages
from core import caching

FEEDBACK = "feedback"


def _feedback_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    caching.invalidate(FEEDBACK)


def _topic_work_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    invalidate_decision_pages()


def connect() -> None:
    """Called once from the app's ready()."""
    from accounts.models import Organisation
    from topics.models import Requirement, Topic

    from .models import Feedback, FeedbackSignature

    post_save.connect(_topic_work_changed, sender=Feedback, dispatch_uid="decisions-Feedback")
    post_delete.connect(_topic_work_changed, sender=Feedback, dispatch_uid="decisions-del-Feedback")
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
