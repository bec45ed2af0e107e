"""Who may see and do what with comments and argued feedback: the one place
that says it (README.md, "Comments", "Argued feedback"; the vocabulary:
accounts/access.py).

Comments
- Whoever may read a subject (a requirement, a topic, a feedback) reads and
  writes its comments; the author edits within the window, then corrects.
- Leads and admins moderate (hide, dismiss reports) and keep internal notes,
  which participants never see; participants report others' comments.
- The moderation queue lists the comments with an open report whose subject
  the moderator may read (a comment on another federation's draft feedback
  is not theirs to read).

Argued feedback
- A participant (federation representative, editor) drafts in their
  organisation's name; the draft is seen by the organisation and, for a
  federation, by its member editors; the leads see it once filed; the
  co-signing and invited organisations from then on; every participant once
  its answer is published. Anyone else: it does not exist.
- Leads and admins answer.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts import access as accounts_access
from accounts.access import is_authority, is_participant, signed_in
from accounts.models import Organisation
from topics import access as topics_access

from .models import (
    COMMENT_EDIT_WINDOW_MINUTES,
    COMMENT_SUBJECT_FIELDS,
    Comment,
    CommentReport,
)

# --- Comments --------------------------------------------------------------------------


def may_moderate(user) -> bool:
    """Hide comments, dismiss reports, read and write internal notes."""
    return is_authority(user)


def may_read_internal_notes(user) -> bool:
    return may_moderate(user)


def may_edit_comment(user, comment: Comment, *, answered: bool | None = None, now=None) -> bool:
    """The author changes the text within the edit window, while nobody else
    has replied."""
    if comment.is_hidden or comment.author_id is None or comment.author_id != user.pk:
        return False
    window = timedelta(minutes=COMMENT_EDIT_WINDOW_MINUTES)
    if (now or timezone.now()) - comment.created_at > window:
        return False
    if answered is None:
        answered = comment.replies.exclude(author_id=comment.author_id).exists()
    return not answered


def may_correct_comment(user, comment: Comment) -> bool:
    return not comment.is_hidden and comment.author_id is not None and comment.author_id == user.pk


def may_report_comment(user, comment: Comment) -> bool:
    # Leads hide directly; nobody reports their own words.
    return not comment.is_hidden and comment.author_id != user.pk and not may_moderate(user)


def comments_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Comments whose subject ``user`` may read (requirements, topics,
    feedback: ``COMMENT_SUBJECT_FIELDS``)."""
    queryset = Comment.objects.all() if queryset is None else queryset
    if not signed_in(user):
        return queryset.none()
    rules = {
        "topic": Q(),  # every signed-in person reads every topic
        "requirement": Q(requirement__in=topics_access.requirements_visible_to(user).values("pk")),
        "feedback": Q(feedback__in=feedback_visible_to(user).values("pk")),
    }
    assert set(rules) == set(COMMENT_SUBJECT_FIELDS), "a comment subject without a rule"
    readable = Q()
    for field, rule in rules.items():
        others = Q(**{f"{f}__isnull": True for f in COMMENT_SUBJECT_FIELDS if f != field})
        readable |= Q(**{f"{field}__isnull": False}) & others & rule
    return queryset.filter(readable)


def reported_comments_visible_to(user) -> QuerySet:
    """The moderation queue: comments with an open report that ``user`` may
    moderate and read."""
    if not may_moderate(user):
        return Comment.objects.none()
    reported = Comment.objects.filter(
        Exists(CommentReport.objects.open().filter(comment=OuterRef("pk")))
    )
    return comments_visible_to(user, reported)


# --- Argued feedback -------------------------------------------------------------------


def may_draft_feedback(user) -> bool:
    """Federation representatives and editors, in their organisation's name."""
    return is_participant(user)


def may_edit_feedback(user, feedback) -> bool:
    """A draft is changed and filed by the people of its organisation."""
    return (
        feedback.is_draft
        and may_draft_feedback(user)
        and user.organisation_id == feedback.organisation_id
    )


def may_cosign_feedback(user, feedback, signed_ids: set[int]) -> bool:
    from .feedback.models import Feedback

    return (
        may_draft_feedback(user)
        and feedback.status in (Feedback.Status.SUBMITTED, Feedback.Status.UNDER_REVIEW)
        and user.organisation_id != feedback.organisation_id
        and user.organisation_id not in signed_ids
    )


def may_invite_to_cosign(user, feedback) -> bool:
    """The filing organisation's people ask other federations to co-sign a
    filed feedback, until it is answered."""
    from .feedback.models import Feedback

    return (
        may_draft_feedback(user)
        and user.organisation_id == feedback.organisation_id
        and feedback.status in (Feedback.Status.SUBMITTED, Feedback.Status.UNDER_REVIEW)
    )


def may_answer_feedback(user) -> bool:
    """Leads and admins answer, assign, reopen and set feedback windows."""
    return is_authority(user)


def feedback_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The one rule of who sees a feedback (module docstring)."""
    from .feedback.models import Feedback, FeedbackSignature

    queryset = Feedback.objects.all() if queryset is None else queryset
    if not signed_in(user):
        return queryset.none()
    seen = Q(status=Feedback.Status.ANSWERED)
    if may_answer_feedback(user):
        seen |= ~Q(status=Feedback.Status.DRAFT)
    if user.organisation_id:
        org = user.organisation_id
        seen |= Q(organisation_id=org)
        # The federations this editor belongs to (a subquery, no join).
        seen |= Q(
            organisation_id__in=Subquery(
                Organisation.federations.through.objects.filter(from_organisation_id=org).values(
                    "to_organisation_id"
                )
            )
        )
        seen |= Q(
            pk__in=Subquery(
                FeedbackSignature.objects.filter(organisation_id=org).values("feedback_id")
            )
        )
        # Federations invited to co-sign, once it is filed.
        seen |= ~Q(status=Feedback.Status.DRAFT) & Q(
            pk__in=Subquery(
                Feedback.invited_organisations.through.objects.filter(organisation_id=org).values(
                    "feedback_id"
                )
            )
        )
    return queryset.filter(seen)


def filed_feedback_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """``feedback_visible_to(user)`` filed, said more simply for the
    authority: by the rule, leads and admins see every filed feedback, and
    the rule's subqueries (drafts of one's organisation, federation,
    co-signatures) only ever add drafts. PostgreSQL then counts the inbox
    from the status index instead of testing each row against every branch."""
    from .feedback.models import Feedback

    queryset = Feedback.objects.all() if queryset is None else queryset
    if may_answer_feedback(user):
        return queryset.exclude(status=Feedback.Status.DRAFT)
    return feedback_visible_to(user, queryset).exclude(status=Feedback.Status.DRAFT)


def may_read_feedback(user, feedback) -> bool:
    return feedback_visible_to(user).filter(pk=feedback.pk).exists()


def audience(user) -> tuple:
    """Who sees the same feedback: the authority alike, each participant
    organisation alike (and whether they may draft)."""
    return (
        *accounts_access.audience(user),
        may_answer_feedback(user),
        may_draft_feedback(user),
    )
