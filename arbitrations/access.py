"""Who may see and do what with decisions, comments, argued feedback and the
requirement catalogue: the one place that says it (README.md, "Roles"; the
vocabulary: accounts/access.py). Pages, fragments, exports, feeds, search,
notifications and cache keys ask these predicates and querysets.

Decisions
- An administrator decides for every SONS, including those without a task
  force (SGL follows its own scheme: administrators only).
- A task-force lead decides for the SONS of their task force(s), and for no
  other.
- Federations and editors decide nothing; they read published decisions.
  Drafts are the authority's (leads and admins).

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

Catalogue
- Leads and admins import spreadsheets and attach requirements to topics.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access as accounts_access
from accounts.access import is_authority, is_participant, signed_in
from accounts.models import Organisation
from topics import access as topics_access
from topics.models import Sons

from .models import (
    COMMENT_EDIT_WINDOW_MINUTES,
    COMMENT_SUBJECT_FIELDS,
    Arbitration,
    Comment,
    CommentReport,
)

# --- Decisions -------------------------------------------------------------------------


def decidable_sons_ids(user) -> frozenset[int]:
    """The ids of the SONS whose decisions ``user`` may record and publish.
    Cached on the user object for the request."""
    cached = getattr(user, "_decidable_sons_ids", None)
    if cached is not None:
        return cached
    if accounts_access.is_admin(user):
        ids: frozenset[int] = frozenset(Sons.objects.values_list("pk", flat=True))
    elif accounts_access.is_lead(user):
        ids = frozenset(
            Sons.objects.filter(
                task_force__isnull=False, task_force__memberships__user=user
            ).values_list("pk", flat=True)
        )
    else:
        ids = frozenset()
    if getattr(user, "pk", None) is not None:
        user._decidable_sons_ids = ids
    return ids


def may_decide(user, sons: Iterable[Sons | int]) -> bool:
    """True when ``user`` may decide for every one of ``sons`` (and there is one)."""
    ids = {s if isinstance(s, int) else s.pk for s in sons}
    return bool(ids) and ids <= decidable_sons_ids(user)


def may_decide_any(user) -> bool:
    return bool(decidable_sons_ids(user))


def may_see_drafts(user) -> bool:
    """Draft decisions (and the pages that manage them) are the authority's."""
    return is_authority(user)


def require_decider(user) -> None:
    """Pages that manage decisions are for the people who may decide some."""
    if not may_decide_any(user):
        raise PermissionDenied


def arbitrations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Arbitration.objects.all() if queryset is None else queryset
    if may_see_drafts(user):
        return queryset
    return queryset.filter(status=Arbitration.Status.PUBLISHED)


def audience(user) -> tuple:
    """The decisions a page shows depend on this only (cache keys)."""
    return ("drafts",) if may_see_drafts(user) else ("published",)


def get_arbitration(user, pk: int, *, change: bool = False) -> Arbitration:
    """An arbitration as ``user`` may reach it: a draft does not exist for
    those who may not see drafts (404, not 403: its existence is not public);
    changing it needs the right on every SONS it covers."""
    arbitration = get_object_or_404(
        Arbitration.objects.visible_to(user)
        .select_related("requirement", "topic", "session")
        .prefetch_related("sons"),
        pk=pk,
    )
    if change and not may_decide(user, arbitration.sons.all()):
        raise PermissionDenied
    return arbitration


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


def feedback_audience(user) -> tuple:
    """Who sees the same feedback: the authority alike, each participant
    organisation alike (and whether they may draft)."""
    return (
        *accounts_access.audience(user),
        may_answer_feedback(user),
        may_draft_feedback(user),
    )


# --- The requirement catalogue ---------------------------------------------------------


def may_import_catalogue(user) -> bool:
    """Import the authority's spreadsheets: decisions are recorded in the
    importer's name, for the SONS they decide for."""
    return may_decide_any(user)


def may_confirm_import(user, entry) -> bool:
    """An import is confirmed by the person who checked it."""
    return entry.created_by_id == getattr(user, "pk", None)


def may_assign_topics(user) -> bool:
    return is_authority(user)


def may_see_remarks(user) -> bool:
    return topics_access.may_see_remarks(user)
