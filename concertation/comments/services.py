"""Comments on requirements and topics: who may read and write them, and how
they change (posting, replying, editing, correcting, hiding, reporting), plus
the leads' internal notes.

The comment views know subjects only through ``SUBJECTS``, a small registry:
a kind of subject is a slug used in URLs ("exigence", "sujet"), the
``Comment`` foreign key that holds it, how to find one from its URL key, who
may read it and its page. To let people comment on another kind of thing
(a draft feedback, say): add a nullable foreign key to ``Comment`` and its
name to ``models.COMMENT_SUBJECT_FIELDS`` (the check constraint follows; run
makemigrations), then ``register(CommentSubject(...))`` from the app's code.
No view changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import signed_in
from accounts.audit import Action, record
from core.text import render_user_markdown, whole_number
from notifications import services as notifications
from notifications.models import Follow, Notification
from topics.access import may_read_requirement
from topics.models import Requirement, RequirementVersion, Sons, Topic

from ..access import (
    may_correct_comment,
    may_edit_comment,
    may_moderate,
    may_read_internal_notes,
    may_report_comment,
)
from .models import (
    COMMENT_MAX_LENGTH,
    Comment,
    CommentCorrection,
    CommentReport,
    CommentRevision,
    InternalNote,
)

# The same text posted again by the same person this soon is a double submit.
DUPLICATE_WINDOW = timedelta(seconds=30)


# --- The subject registry ---------------------------------------------------------------------


def _signed_in(user, subject) -> bool:
    return signed_in(user)


def _no_sons(subject) -> list[Sons]:
    return []


def _itself(subject):
    return subject


@dataclass(frozen=True)
class CommentSubject:
    """A kind of thing people comment on."""

    kind: str  # slug in URLs: /commentaires/<kind>/<key>
    field: str  # the Comment foreign key that holds it
    label: Any  # "Exigence"
    find: Callable[[str], models.Model]  # URL key → object, or Http404
    key: Callable[[models.Model], str]  # object → URL key
    url: Callable[[models.Model], str]  # the page that shows its thread
    name: Callable[[models.Model], str]
    # May this person see the subject (and so its comments)? Else 404.
    may_read: Callable[[Any, models.Model], bool] = field(default=_signed_in)
    # May this person comment on it (reply, report)? Else 403.
    may_comment: Callable[[Any, models.Model], bool] = field(default=_signed_in)
    # The SONS a comment may be about (requirements: whose statement it reads).
    sons_choices: Callable[[models.Model], list[Sons]] = field(default=_no_sons)
    # What commenting follows (notifications.services.follow), or None.
    followed: Callable[[models.Model], models.Model | None] = field(default=_itself)


SUBJECTS: dict[str, CommentSubject] = {}
BY_FIELD: dict[str, CommentSubject] = {}


def register(subject: CommentSubject) -> None:
    SUBJECTS[subject.kind] = subject
    BY_FIELD[subject.field] = subject


def _find_requirement(key: str) -> Requirement:
    try:
        return Requirement.objects.select_related("topic").get(reference=key.rstrip("/"))
    except Requirement.DoesNotExist:
        raise Http404("No such requirement") from None


def _requirement_sons(requirement: Requirement) -> list[Sons]:
    return sorted(
        (row.sons for row in requirement.applicabilities.select_related("sons")),
        key=lambda sons: (sons.order, sons.code),
    )


def _find_topic(key: str) -> Topic:
    number = whole_number(key)
    lookup = {"number": number} if number is not None else {"slug": key}
    try:
        return Topic.objects.get(**lookup)
    except (Topic.DoesNotExist, ValueError):
        raise Http404("No such topic") from None


def _topic_key(topic: Topic) -> str:
    return str(topic.number) if topic.number else topic.slug


register(
    CommentSubject(
        kind="exigence",
        field="requirement",
        label=gettext_lazy("Exigence"),
        find=_find_requirement,
        key=lambda requirement: requirement.reference,
        url=lambda requirement: reverse("requirement_detail", args=[requirement.reference]),
        name=lambda requirement: requirement.reference,
        may_read=may_read_requirement,
        sons_choices=_requirement_sons,
    )
)
register(
    CommentSubject(
        kind="sujet",
        field="topic",
        label=gettext_lazy("Sujet"),
        find=_find_topic,
        key=_topic_key,
        url=lambda topic: reverse("topic_detail", args=[_topic_key(topic)]),
        name=lambda topic: topic.label,
    )
)


def subject_of(obj: models.Model) -> CommentSubject:
    for entry in SUBJECTS.values():
        if Comment._meta.get_field(entry.field).related_model is type(obj):
            return entry
    raise ValueError(f"Nobody comments on {obj._meta.label}")


def get_subject(user, kind: str, key: str) -> tuple[CommentSubject, models.Model]:
    """The subject a URL names, as ``user`` may reach it (404 otherwise)."""
    entry = SUBJECTS.get(kind)
    if entry is None:
        raise Http404("Unknown kind of subject")
    subject = entry.find(key)
    if not entry.may_read(user, subject):
        raise Http404("No such subject")
    return entry, subject


def get_comment(user, pk: int) -> tuple[CommentSubject, models.Model, Comment]:
    """A comment, its kind and subject, if ``user`` may read its subject."""
    try:
        comment = Comment.objects.select_related("author", "parent").get(pk=pk)
    except Comment.DoesNotExist:
        raise Http404("No such comment") from None
    entry = BY_FIELD[comment.subject_field]
    subject = comment.subject
    if not entry.may_read(user, subject):
        raise Http404("No such comment")
    return entry, subject, comment


def comment_url(comment: Comment, entry: CommentSubject | None = None) -> str:
    entry = entry or BY_FIELD[comment.subject_field]
    return f"{entry.url(comment.subject)}#commentaire-{comment.pk}"


# --- Rights on one comment: access.py ----------------------------------------------------------


def is_answered(comment: Comment) -> bool:
    """Someone else replied: the author may no longer change the text."""
    return comment.replies.exclude(author_id=comment.author_id).exists()


# --- Changing comments ------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Écrivez votre commentaire."), code="required")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("%(max)s caractères au plus (vous en avez écrit %(length)s).")
            % {"max": COMMENT_MAX_LENGTH, "length": len(body)},
            code="max_length",
        )
    return body


def current_versions(requirement: Requirement) -> dict[int, RequirementVersion]:
    """The statement version in force per SONS id (the latest of each)."""
    found: dict[int, RequirementVersion] = {}
    for version in requirement.versions.order_by("created_at", "pk"):
        found[version.sons_id] = version
    return found


def default_sons(user, choices: list[Sons]) -> Sons | None:
    """The SONS a comment is about when the person does not say: the first one
    their organisation sells (for a federation: one its members sell)."""
    if not choices:
        return None
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id:
        sold = set(
            Sons.objects.filter(
                models.Q(editors=organisation_id) | models.Q(editors__federations=organisation_id)
            ).values_list("pk", flat=True)
        )
        for sons in choices:
            if sons.pk in sold:
                return sons
    return choices[0]


@transaction.atomic
def post_comment(
    *,
    author,
    subject: models.Model,
    body: str,
    sons: Sons | None = None,
    parent: Comment | None = None,
    now: datetime | None = None,
) -> Comment:
    """``author`` comments on ``subject`` (or replies to ``parent``): the
    comment records the statement version of its SONS; the author follows the
    subject from now on; the author of ``parent`` is told of the reply."""
    now = now or timezone.now()
    entry = subject_of(subject)
    if not entry.may_comment(author, subject):
        raise PermissionDenied
    body = _clean_body(body)
    if parent is not None:
        if parent.subject != subject:
            raise ValidationError("The reply is not on the same subject")
        if parent.is_hidden:
            raise PermissionDenied
    choices = entry.sons_choices(subject)
    if choices:
        if sons is None and parent is not None and parent.sons_id:
            sons = parent.sons
        if sons is None or sons not in choices:
            sons = default_sons(author, choices)
    else:
        sons = None
    version = None
    if sons is not None and isinstance(subject, Requirement):
        version = current_versions(subject).get(sons.pk)
    same = Comment.objects.filter(
        **{entry.field: subject},
        author=author,
        parent=parent,
        body=body,
        created_at__gte=now - DUPLICATE_WINDOW,
    ).first()
    if same is not None:
        return same  # a double click, or the same form sent twice
    comment = Comment.objects.create(
        **{entry.field: subject},
        parent=parent,
        author=author,
        organisation_id=author.organisation_id,
        sons=sons,
        version=version,
        body=body,
        html=render_user_markdown(body),
        created_at=now,
    )
    followed = entry.followed(subject)
    if followed is not None:
        notifications.follow(author, followed, reason=Follow.Reason.COMMENTED)
    if parent is not None and parent.author_id and parent.author_id != author.pk:
        notifications.notify(
            subjects=[followed or subject],
            kind=Notification.Kind.COMMENT_REPLY,
            actor=author,
            target=comment,
            key=f"comment:{comment.pk}",
            recipients=[parent.author_id],
            data={
                "anchor": f"#commentaire-{comment.pk}",
                "comment": body[:1000],
                "text": "",
                "author": author.get_full_name(),
            },
            now=now,
        )
    return comment


class CommentLocked(PermissionDenied):
    """The edit window closed (or someone answered) meanwhile."""


@transaction.atomic
def edit_comment(comment: Comment, *, by, body: str, now: datetime | None = None) -> Comment:
    """The author changes their text within the window; the old text is kept."""
    now = now or timezone.now()
    body = _clean_body(body)
    # Locked, so that a reply posted meanwhile is seen.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not may_edit_comment(by, comment, now=now):
        raise CommentLocked
    if body == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body, created_at=now)
    comment.body = body
    comment.html = render_user_markdown(body)
    comment.edited_at = now
    comment.save(update_fields=["body", "html", "edited_at"])
    return comment


@transaction.atomic
def correct_comment(
    comment: Comment, *, by, body: str, now: datetime | None = None
) -> CommentCorrection:
    """A visible correction under the comment, which stays as it was."""
    body = _clean_body(body)
    if not may_correct_comment(by, comment):
        raise PermissionDenied
    return CommentCorrection.objects.create(
        comment=comment,
        body=body,
        html=render_user_markdown(body),
        created_at=now or timezone.now(),
    )


def _clean_reason(reason: str, limit: int) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif."), code="required")
    if len(reason) > limit:
        raise ValidationError(_("%(max)s caractères au plus.") % {"max": limit}, code="max_length")
    return reason


@transaction.atomic
def hide_comment(comment: Comment, *, by, reason: str, request=None) -> bool:
    """A lead hides a comment, with a reason; logged. The open reports on it
    are closed. Returns False if it was hidden already."""
    if not may_moderate(by):
        raise PermissionDenied
    reason = _clean_reason(reason, 500)
    now = timezone.now()
    hidden = Comment.objects.filter(pk=comment.pk, hidden_at=None).update(
        hidden_at=now, hidden_by=by, hidden_reason=reason
    )
    if not hidden:
        return False
    comment.refresh_from_db()
    closed = CommentReport.objects.open().filter(comment=comment)
    reports = closed.update(resolved_at=now, resolved_by=by, outcome=CommentReport.Outcome.HIDDEN)
    record(
        Action.MODERATION,
        request=request,
        actor=by,
        target=comment,
        details={"hidden": True, "reason": reason, "reports": reports},
    )
    return True


@transaction.atomic
def report_comment(comment: Comment, *, by, reason: str) -> CommentReport:
    """A participant reports a comment to the leads (once while it is open)."""
    if not may_report_comment(by, comment):
        raise PermissionDenied
    reason = _clean_reason(reason, 1000)
    report, _created = CommentReport.objects.get_or_create(
        comment=comment, reporter=by, resolved_at=None, defaults={"reason": reason}
    )
    return report


@transaction.atomic
def dismiss_reports(comment: Comment, *, by, request=None) -> int:
    """A lead closes the open reports of a comment that stays visible; logged."""
    if not may_moderate(by):
        raise PermissionDenied
    dismissed = (
        CommentReport.objects.open()
        .filter(comment=comment)
        .update(resolved_at=timezone.now(), resolved_by=by, outcome=CommentReport.Outcome.DISMISSED)
    )
    if dismissed:
        record(
            Action.MODERATION,
            request=request,
            actor=by,
            target=comment,
            details={"hidden": False, "dismissed_reports": dismissed},
        )
    return dismissed


def add_internal_note(requirement: Requirement, *, by, body: str) -> InternalNote:
    """A lead's note on a requirement: for the authority's eyes only."""
    if not may_moderate(by):
        raise PermissionDenied
    body = _clean_body(body)
    return InternalNote.objects.create(
        requirement=requirement, author=by, body=body, html=render_user_markdown(body)
    )


def internal_notes(user, requirement: Requirement) -> list[InternalNote]:
    """The notes ``user`` may read on ``requirement``: none for participants."""
    if not may_read_internal_notes(user):
        return []
    return list(requirement.internal_notes.select_related("author"))


# --- Reading a thread -------------------------------------------------------------------------


@dataclass
class ThreadItem:
    comment: Comment
    depth: int
    may_edit: bool
    may_correct: bool
    may_reply: bool
    may_report: bool
    may_hide: bool
    answered: bool
    # The statement in force now, when it is not the one the comment was written on.
    changed_to: RequirementVersion | None = None
    open_reports: int = 0
    reply_to: Comment | None = None

    @property
    def diff_url(self) -> str:
        return diff_url(self.comment, self.changed_to) if self.changed_to else ""

    @property
    def shows_body(self) -> bool:
        return not self.comment.is_hidden


@dataclass
class Thread:
    entry: CommentSubject
    subject: models.Model
    items: list[ThreadItem]
    count: int  # visible comments
    may_comment: bool
    may_moderate: bool
    sons_choices: list[Sons]
    default_sons: Sons | None
    # Discussions (a comment and its replies) left out of a subject's page:
    # the oldest ones, on the thread's own page.
    older: int = 0

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def key(self) -> str:
        return self.entry.key(self.subject)

    @property
    def url(self) -> str:
        return self.entry.url(self.subject)


def comment_counts(field_name: str, ids) -> dict[int, int]:
    """Visible comments per subject id, in one query (lists of subjects)."""
    rows = (
        Comment.objects.visible()
        .filter(**{f"{field_name}__in": list(ids)})
        .values(field_name)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row[field_name]: row["n"] for row in rows}


def _latest_discussions(entry, subject, latest: int) -> tuple[list[int], int, int]:
    """The comments of the ``latest`` discussions (a first comment and every
    reply under it) of a subject, how many older discussions are left, and
    how many visible comments the subject has in all. One light query."""
    found = list(
        Comment.objects.filter(**{entry.field: subject})
        .order_by("created_at", "pk")
        .values_list("pk", "parent_id", "hidden_at")
    )
    rows = [(pk, parent_id) for pk, parent_id, _hidden in found]
    visible = sum(1 for _pk, _parent, hidden in found if hidden is None)
    parent = dict(rows)

    def root(pk: int) -> int:
        while parent.get(pk) is not None:
            pk = parent[pk]
        return pk

    roots = [pk for pk, parent_id in rows if parent_id is None]
    shown = set(roots[-latest:])
    shown_pks = [pk for pk, _parent in rows if root(pk) in shown]
    return shown_pks, max(0, len(roots) - latest), visible


def build_thread(
    user, subject: models.Model, *, now: datetime | None = None, latest: int | None = None
) -> Thread:
    """A subject's comments, in reply order, with what ``user`` may do on
    each: a constant number of queries whatever the thread's size. With
    ``latest``, only the latest discussions (a subject's page; the thread's
    own page shows them all): the page's cost stays bounded."""
    now = now or timezone.now()
    entry = subject_of(subject)
    found = Comment.objects.filter(**{entry.field: subject})
    older, visible = 0, None
    if latest is not None:
        shown, older, visible = _latest_discussions(entry, subject, latest)
        found = found.filter(pk__in=shown)
    comments = list(found.for_display())
    if visible is None:
        visible = sum(1 for c in comments if not c.is_hidden)
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        children[comment.parent_id].append(comment)
    by_pk = {comment.pk: comment for comment in comments}
    author_of = {comment.pk: comment.author_id for comment in comments}
    answered = {
        comment.parent_id
        for comment in comments
        if comment.parent_id is not None and comment.author_id != author_of[comment.parent_id]
    }
    versions: dict[int, RequirementVersion] = {}
    if isinstance(subject, Requirement):
        versions = current_versions(subject)
    moderator = may_moderate(user)
    reports: dict[int, int] = {}
    if moderator and comments:
        reports = dict(
            CommentReport.objects.open()
            .filter(comment__in=[c.pk for c in comments])
            .values("comment")
            .annotate(n=Count("pk"))
            .values_list("comment", "n")
            .order_by()
        )
    may_comment = entry.may_comment(user, subject)
    items: list[ThreadItem] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for comment in children.get(parent_id, []):
            is_answered_ = comment.pk in answered
            current = versions.get(comment.sons_id) if comment.sons_id else None
            changed = (
                current
                if current is not None and comment.version_id and current.pk != comment.version_id
                else None
            )
            items.append(
                ThreadItem(
                    comment=comment,
                    depth=min(depth, 3),
                    may_edit=may_edit_comment(user, comment, answered=is_answered_, now=now),
                    may_correct=may_correct_comment(user, comment),
                    may_reply=may_comment and not comment.is_hidden,
                    may_report=may_comment and may_report_comment(user, comment),
                    may_hide=moderator and not comment.is_hidden,
                    answered=is_answered_,
                    changed_to=changed,
                    open_reports=reports.get(comment.pk, 0),
                    reply_to=by_pk.get(comment.parent_id),
                )
            )
            walk(comment.pk, depth + 1)

    walk(None, 0)
    choices = entry.sons_choices(subject) if may_comment else []
    return Thread(
        entry=entry,
        subject=subject,
        items=items,
        count=visible,
        may_comment=may_comment,
        may_moderate=moderator,
        sons_choices=choices,
        default_sons=default_sons(user, choices) if choices else None,
        older=older,
    )


def diff_url(comment: Comment, current: RequirementVersion) -> str:
    """The diff page between the version a comment read and the one in force."""
    return (
        reverse("requirement_diff", args=[current.requirement.reference])
        + f"?sons={comment.sons.code}&de={comment.version_id}&a={current.pk}"
    )


# --- Personal data (accounts.services.register_personal_data) ---------------------------------


def personal_comments(user) -> list[dict]:
    comments = Comment.objects.filter(author=user).select_related(
        "requirement", "topic", "sons", "version"
    )
    result = []
    for comment in comments.prefetch_related("corrections", "revisions"):
        entry = BY_FIELD[comment.subject_field]
        result.append(
            {
                "subject": entry.name(comment.subject),
                "kind": entry.kind,
                "created_at": comment.created_at.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
                "sons": comment.sons.code if comment.sons else None,
                "version": comment.version.label if comment.version else None,
                "in_reply_to": comment.parent_id,
                "text": comment.body,
                "earlier_texts": [r.body for r in comment.revisions.all()],
                "corrections": [
                    {"created_at": c.created_at.isoformat(), "text": c.body}
                    for c in comment.corrections.all()
                ],
                "hidden_by_moderation": comment.is_hidden,
            }
        )
    return result


def personal_reports(user) -> list[dict]:
    return [
        {"comment": report.comment_id, "reason": report.reason, "at": report.created_at.isoformat()}
        for report in CommentReport.objects.filter(reporter=user)
    ]


def personal_notes(user) -> list[dict]:
    return [
        {
            "requirement": note.requirement.reference,
            "created_at": note.created_at.isoformat(),
            "text": note.body,
        }
        for note in InternalNote.objects.filter(author=user).select_related("requirement")
    ]
