"""What the concertation adds to a topic's and a requirement's pages
(core/sections.py): the comment count in the header, the comments, the
leads' internal notes and the argued feedback."""

from __future__ import annotations

from django.http import HttpRequest

from core import sections
from core.sections import Section

from . import access
from .comments import services as comments
from .comments.forms import InternalNoteForm
from .comments.views import SUBJECT_PAGE_DISCUSSIONS, thread_context
from .feedback.summary import feedback_section, feedback_table


def thread(request: HttpRequest, subject) -> dict:
    """The latest discussions, built once per request (the header's count
    and the thread further down share it)."""
    return sections.once(
        request,
        ("thread", subject._meta.label_lower, subject.pk),
        lambda: thread_context(request, subject, latest=SUBJECT_PAGE_DISCUSSIONS),
    )


def topic_feedback(request: HttpRequest, topic) -> dict:
    return {"feedback_html": feedback_section(request, topic)}


def requirement_feedback(request: HttpRequest, requirement) -> dict | None:
    if requirement.topic is None:
        return None
    return {"feedback_html": feedback_section(request, requirement.topic, requirement)}


def internal_notes(request: HttpRequest, requirement) -> dict | None:
    """The leads' notes: only ever put in the context of those who may read them."""
    if not access.may_read_internal_notes(request.user):
        return None
    return {
        "notes": comments.internal_notes(request.user, requirement),
        "note_form": InternalNoteForm(auto_id="note-%s"),
    }


def workshop_feedback(request: HttpRequest, event) -> dict:
    """On a session's decisions page: the feedback proposed "à discuter en
    atelier" on the topics of its agenda."""
    topics = [item.topic_id for item in event.agenda_items.all() if item.topic_id]
    return {
        "workshop_feedback": feedback_table(request.user)
        .filed()
        .filter(for_workshop=True, topic__in=topics)
        .order_by("topic__order", "filed_at", "pk")
    }


def register() -> None:
    for page in ("topics.topic", "topics.requirement"):
        sections.register(
            Section(
                page, "header", "comment_count", "concertation/sections/comment_count.html",
                context=thread,
            )
        )  # fmt: skip
    sections.register(
        Section(
            "topics.topic", "main", "feedback", "concertation/sections/feedback.html",
            order=20, context=topic_feedback,
        )
    )  # fmt: skip
    sections.register(
        Section(
            "topics.topic", "main", "comments", "concertation/sections/thread.html",
            order=40, context=thread,
        )
    )  # fmt: skip
    sections.register(
        Section(
            "topics.requirement", "after_statement", "comments",
            "concertation/sections/thread.html", order=30, context=thread,
        )
    )  # fmt: skip
    sections.register(
        Section(
            "topics.requirement", "after_statement", "internal_notes",
            "concertation/sections/notes.html", order=40, context=internal_notes,
        )
    )  # fmt: skip
    sections.register(
        Section(
            "topics.requirement", "after_statement", "feedback",
            "concertation/sections/feedback.html", order=50, context=requirement_feedback,
        )
    )  # fmt: skip
    sections.register(
        Section(
            "arbitrations.session_decisions", "end", "workshop_feedback",
            "concertation/sections/workshop_feedback.html", context=workshop_feedback,
        )
    )  # fmt: skip
