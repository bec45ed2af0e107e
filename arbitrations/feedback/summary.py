"""Reading feedback for lists: the pages of this package and the topic and
requirement pages (arbitrations.views) share it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from . import services
from .models import Feedback, FeedbackSignature


def feedback_list(user):
    """Feedback as ``user`` may see it, with what every list shows (a fixed
    number of queries whatever the number of rows)."""
    return (
        Feedback.objects.visible_to(user)
        .select_related("organisation", "topic", "assignee", "author")
        .prefetch_related(
            "requirements",
            "sons",
            Prefetch("signatures", FeedbackSignature.objects.select_related("organisation")),
            "attachments",
        )
    )


def topic_feedback_summary(user, topic, requirement=None) -> dict:
    """What the topic (or requirement) page shows of its feedback: the
    window, the feedback the person may see, those proposed for a workshop
    (leads)."""
    now = timezone.now()
    rows = feedback_list(user).filter(topic=topic)
    if requirement is not None:
        rows = rows.filter(
            pk__in=Feedback.requirements.through.objects.filter(requirement=requirement).values(
                "feedback_id"
            )
        )
    visible = list(rows.order_by("-filed_at", "-pk")[:20])
    return {
        "window_state": topic.feedback_window_state(now),
        "window_refusal": services.window_refusal(topic, now),
        "feedback": visible,
        "workshop": [f for f in visible if f.for_workshop and not f.is_draft],
        "may_draft": services.may_draft(user),
    }


def register_comments() -> None:
    """Comments on a feedback (arbitrations.comments): read and written by
    those who see the feedback — its organisation and the federation's
    member editors on a draft, the leads once filed (visible_to)."""
    from django.http import Http404
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from .. import comments

    def find(key: str) -> Feedback:
        if not key.isdigit():
            raise Http404("No such feedback")
        try:
            return Feedback.objects.select_related("topic").get(pk=int(key))
        except Feedback.DoesNotExist:
            raise Http404("No such feedback") from None

    comments.register(
        comments.CommentSubject(
            kind="retour",
            field="feedback",
            label=_("Retour"),
            find=find,
            key=lambda feedback: str(feedback.pk),
            url=lambda feedback: reverse("feedback_detail", args=[feedback.pk]),
            name=str,
            may_read=Feedback.is_visible_to_reader,
            may_comment=Feedback.is_visible_to_reader,
            followed=lambda feedback: feedback,
        )
    )
