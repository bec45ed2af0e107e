"""Reading feedback for lists: the pages of this package and the topic and
requirement pages (arbitrations.views) share it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from core import caching
from core.text import whole_number
from topics.models import Requirement, Sons

from .. import access
from ..caching import FEEDBACK
from . import services
from .models import Feedback, FeedbackSignature

# What a feedback table row shows (feedback/includes/table.html): never the
# long texts of the argument, the wordings or the impacts.
TABLE_FIELDS = (
    "pk",
    "kind",
    "status",
    "disposition",
    "answer_text",
    "for_workshop",
    "on_decided_subject",
    "filed_at",
    "created_at",
    "version",
    "organisation__name",
    "topic__domain_code",
    "topic__title",
    "topic__number",
    "topic__slug",
    "topic__order",
)


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


def feedback_table(user):
    """``feedback_list`` for tables: the columns a row shows, each row's
    requirements by reference; a fixed number of queries, and no long text
    loaded for nothing."""
    return _table(Feedback.objects.visible_to(user))


def _table(feedback):
    return (
        feedback.select_related("organisation", "topic")
        .only(*TABLE_FIELDS)
        .prefetch_related(Prefetch("requirements", Requirement.objects.only("reference")))
    )


def feedback_inbox_rows(user):
    """``feedback_table`` of the filed feedback, with what the leads' inbox
    adds per row: the co-signers, the SONS and the lead it is assigned to."""
    return (
        _table(Feedback.objects.filed_visible_to(user))
        .select_related("assignee")
        .only(
            *TABLE_FIELDS,
            "assignee__given_name",
            "assignee__family_name",
            "assignee__email",
            "assignee__closed_at",
        )
        .prefetch_related(
            Prefetch(
                "signatures",
                FeedbackSignature.objects.select_related("organisation").only(
                    "feedback_id", "organisation__name"
                ),
            ),
            Prefetch("sons", Sons.objects.only("code", "order")),
        )
    )


def topic_feedback_summary(user, topic, requirement=None) -> dict:
    """What the topic (or requirement) page shows of its feedback: the
    window, the feedback the person may see, those proposed for a workshop
    (leads)."""
    now = timezone.now()
    rows = feedback_table(user).filter(topic=topic)
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
        "may_draft": access.may_draft_feedback(user),
    }


def feedback_section(request, topic, requirement=None) -> str:
    """The "Retours argumentés" section of a topic's (or requirement's) page,
    rendered once for everyone who sees the same feedback — the same
    organisation and role (``access.audience``) — until a feedback
    or who may see it changes (concertation.caching.FEEDBACK) or the
    feedback window opens or closes."""
    user = request.user
    now = timezone.now()
    return caching.cached_partial(
        request,
        FEEDBACK,
        "concertation/feedback/includes/topic_section.html",
        lambda: {
            "topic": topic,
            "requirement": requirement,
            "feedback_summary": topic_feedback_summary(user, topic, requirement),
        },
        audience=access.audience(user),
        parts=(
            topic.pk,
            requirement.pk if requirement else None,
            topic.feedback_window_state(now),
            topic.feedback_opens_at,
            topic.feedback_closes_at,
        ),
    )


def register_comments() -> None:
    """Comments on a feedback (arbitrations.comments): read and written by
    those who see the feedback — its organisation and the federation's
    member editors on a draft, the leads once filed (visible_to)."""
    from django.http import Http404
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from ..comments import services as comments

    def find(key: str) -> Feedback:
        if (pk := whole_number(key)) is None:
            raise Http404("No such feedback")
        try:
            return Feedback.objects.select_related("topic").get(pk=pk)
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
