"""Comments on requirements, topics and feedback, their moderation, and the
leads' internal notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Comments (issue 8) -------------------------------------------------------------------
#
# A comment is about exactly one subject: one of the nullable foreign keys of
# COMMENT_SUBJECT_FIELDS is set, the others are empty (a check constraint says
# so). comments.py maps each field to the pages that show it (the subject
# registry); adding a subject kind is a new nullable key here, its name in
# COMMENT_SUBJECT_FIELDS (the constraint follows) and a registry entry.

COMMENT_SUBJECT_FIELDS = ("requirement", "topic", "feedback")

# How long an author may still change what they wrote (after that, or once
# someone answered, only a visible correction).
COMMENT_EDIT_WINDOW_MINUTES = 15
COMMENT_MAX_LENGTH = 5000


def exactly_one_of(fields) -> Q:
    """``Q`` true when exactly one of ``fields`` is set."""
    condition = Q()
    for chosen in fields:
        condition |= Q(
            **{f"{field}__isnull": field != chosen for field in fields},
        )
    return condition


class CommentQuerySet(models.QuerySet):
    def for_display(self) -> CommentQuerySet:
        """Everything a thread shows, in a constant number of queries."""
        return self.select_related(
            "author", "organisation", "sons", "version", "hidden_by", "iteration"
        ).prefetch_related("corrections")

    def visible(self) -> CommentQuerySet:
        return self.filter(hidden_at=None)


class Comment(models.Model):
    """A participant's comment on a requirement or a topic, or a reply to one.

    ``body`` is what the author typed (Markdown); ``html`` its sanitised
    rendering, made once when saved. A comment on a requirement records the
    SONS it is about and that SONS' statement version of the time, so that
    the thread can say "texte modifié depuis" when the statement changes."""

    requirement = models.ForeignKey(
        "topics.Requirement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("exigence"),
    )
    topic = models.ForeignKey(
        "topics.Topic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("sujet"),
    )
    # A draft feedback's members comment on it before it is filed (issue 8).
    feedback = models.ForeignKey(
        "concertation.Feedback",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("retour"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("en réponse à"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
        verbose_name=_("auteur"),
    )
    # The organisation the author spoke for when writing (people change jobs).
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    sons = models.ForeignKey(
        "topics.Sons",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SONS"),
    )
    version = models.ForeignKey(
        "topics.RequirementVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version de l'énoncé"),
    )
    body = models.TextField(_("commentaire"), max_length=COMMENT_MAX_LENGTH)
    html = models.TextField(_("rendu"), editable=False)
    created_at = models.DateTimeField(_("publié le"), default=timezone.now)
    edited_at = models.DateTimeField(_("modifié le"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("masqué par"),
    )
    hidden_reason = models.CharField(_("motif du masquage"), max_length=500, blank=True)
    # A vendor's comment brought from the authority's test-management tool
    # (comments/vendor_import.py): no author in the portal, the iteration it
    # was made on, and the tool's key, so that importing twice changes nothing.
    iteration = models.ForeignKey(
        "topics.Iteration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("itération"),
    )
    source = models.CharField(_("origine (import)"), max_length=200, blank=True, db_index=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        db_table = "arbitrations_comment"  # moved from arbitrations/ (migration 0001)
        ordering = ["created_at", "pk"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of(COMMENT_SUBJECT_FIELDS),
                name="comment_on_exactly_one_subject",
            ),
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="unique_comment_source"
            ),
        ]
        indexes = [models.Index(fields=["hidden_at"], name="comment_hidden")]

    def __str__(self) -> str:
        return f"{self.subject} — {self.author} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def subject_field(self) -> str:
        return next(f for f in COMMENT_SUBJECT_FIELDS if getattr(self, f"{f}_id") is not None)

    @property
    def subject(self):
        return getattr(self, self.subject_field)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_imported(self) -> bool:
        """A vendor's comment imported from the authority's tool (anonymised)."""
        return bool(self.source)


class CommentRevision(models.Model):
    """What a comment said before its author edited it (within the window)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("texte"))
    created_at = models.DateTimeField(_("remplacé le"), default=timezone.now)

    class Meta:
        db_table = "arbitrations_commentrevision"  # moved from arbitrations/ (migration 0001)
        ordering = ["created_at", "pk"]
        verbose_name = _("version antérieure d'un commentaire")
        verbose_name_plural = _("versions antérieures des commentaires")

    def __str__(self) -> str:
        return f"{self.comment_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class CommentCorrection(models.Model):
    """A visible correction added by the author once the comment is settled:
    the original stays as it was."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="corrections")
    body = models.TextField(_("correction"), max_length=COMMENT_MAX_LENGTH)
    html = models.TextField(_("rendu"), editable=False)
    created_at = models.DateTimeField(_("ajoutée le"), default=timezone.now)

    class Meta:
        db_table = "arbitrations_commentcorrection"  # moved from arbitrations/ (migration 0001)
        ordering = ["created_at", "pk"]
        verbose_name = _("correction d'un commentaire")
        verbose_name_plural = _("corrections des commentaires")

    def __str__(self) -> str:
        return f"{self.comment_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class CommentReportQuerySet(models.QuerySet):
    def open(self) -> CommentReportQuerySet:
        return self.filter(resolved_at=None)


class CommentReport(models.Model):
    """A participant reports a comment to the leads, with a reason."""

    class Outcome(models.TextChoices):
        DISMISSED = "dismissed", _("Classé sans suite")
        HIDDEN = "hidden", _("Commentaire masqué")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("signalé par"),
    )
    reason = models.CharField(_("motif"), max_length=1000)
    created_at = models.DateTimeField(_("signalé le"), default=timezone.now)
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traité par"),
    )
    outcome = models.CharField(
        _("suite donnée"), max_length=20, choices=Outcome.choices, blank=True
    )

    objects = CommentReportQuerySet.as_manager()

    class Meta:
        db_table = "arbitrations_commentreport"  # moved from arbitrations/ (migration 0001)
        ordering = ["created_at", "pk"]
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [
            # One open report per person and comment: reporting twice is reporting.
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(resolved_at=None),
                name="one_open_report_per_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} — {self.reporter}"


class InternalNote(models.Model):
    """A note the leads keep on a requirement. Participants never see it:
    only the readers ``access.may_read_internal_notes`` lets in read this model."""

    requirement = models.ForeignKey(
        "topics.Requirement",
        on_delete=models.CASCADE,
        related_name="internal_notes",
        verbose_name=_("exigence"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    body = models.TextField(_("note"), max_length=COMMENT_MAX_LENGTH)
    html = models.TextField(_("rendu"), editable=False)
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)
    # The named version of an imported vendor's comment (the vendor's name
    # is the authority's to know): the comment participants read, and the
    # tool's key (importing twice changes nothing).
    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="named_versions",
        verbose_name=_("commentaire anonymisé"),
    )
    source = models.CharField(_("origine (import)"), max_length=200, blank=True, db_index=True)

    class Meta:
        db_table = "arbitrations_internalnote"  # moved from arbitrations/ (migration 0001)
        ordering = ["created_at", "pk"]
        verbose_name = _("note interne")
        verbose_name_plural = _("notes internes")
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="unique_internal_note_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} — {self.author} ({self.created_at:%Y-%m-%d %H:%M})"
