"""Argued feedback ("retours précis et argumentés") and its answer.

Two levels, never mixed (DESIGN.md): a decision per requirement × SONS
(``Arbitration``), a disposition per feedback (``Feedback.Disposition``).
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import files


class PrivateStorage(FileSystemStorage):
    """Attachments live outside MEDIA_ROOT, in PRIVATE_MEDIA_ROOT (read at
    each use, so that tests may move it): nothing serves them but the
    download view, which checks who may see the feedback."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage


class FeedbackConflict(Exception):
    """Someone else changed the feedback since the form was read: nothing saved."""

    def __init__(self, current=None):
        super().__init__("stale feedback")
        self.current = current


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user) -> FeedbackQuerySet:
        """The one rule of who sees a feedback (access.feedback_visible_to):
        every page, fragment, export, download and notification goes
        through it."""
        from ..access import feedback_visible_to

        return feedback_visible_to(user, self)

    def filed(self) -> FeedbackQuerySet:
        return self.exclude(status=Feedback.Status.DRAFT)

    def filed_visible_to(self, user) -> FeedbackQuerySet:
        from ..access import filed_feedback_visible_to

        return filed_feedback_visible_to(user, self)

    def awaiting_answer(self) -> FeedbackQuerySet:
        return self.filter(status__in=[Feedback.Status.SUBMITTED, Feedback.Status.UNDER_REVIEW])


class Feedback(models.Model):
    """A formal position of a federation (or an editor) on a topic or on
    requirements, with its argument, proposal and impact, and the
    authority's answer."""

    class Kind(models.TextChoices):
        CHANGE_REQUEST = "change_request", _("Demande de modification")
        OBJECTION = "objection", _("Objection")
        QUESTION = "question", _("Question")
        CLARIFICATION = "clarification", _("Demande de précision")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Déposé")
        UNDER_REVIEW = "under_review", _("En cours d'examen")
        ANSWERED = "answered", _("Répondu")

    class Disposition(models.TextChoices):
        ACCEPTED = "accepted", _("Acceptée")
        ACCEPTED_WITH_CHANGES = "accepted_with_changes", _("Acceptée avec modifications")
        NOT_ACCEPTED = "not_accepted", _("Non retenue")
        QUESTION_ANSWERED = "question_answered", _("Question répondue")
        OUT_OF_SCOPE = "out_of_scope", _("Hors périmètre")
        DUPLICATE = "duplicate", _("Doublon")
        DEFERRED = "deferred", _("Différée")
        ALREADY_DECIDED = "already_decided", _("Déjà arbitré")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="feedback",
        verbose_name=_("organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rédigé par"),
    )
    topic = models.ForeignKey(
        "topics.Topic",
        on_delete=models.PROTECT,
        related_name="feedback",
        verbose_name=_("sujet"),
    )
    requirements = models.ManyToManyField(
        "topics.Requirement", blank=True, related_name="feedback", verbose_name=_("exigences")
    )
    sons = models.ManyToManyField(
        "topics.Sons", blank=True, related_name="feedback", verbose_name=_("SONS concernés")
    )
    kind = models.CharField(_("type de retour"), max_length=20, choices=Kind.choices)
    current_wording = models.TextField(_("rédaction actuelle"), blank=True)
    proposed_wording = models.TextField(_("rédaction proposée"), blank=True)
    argument = models.TextField(_("argumentaire"))
    impact_effort = models.TextField(_("effort"), blank=True)
    impact_cost = models.TextField(_("coût"), blank=True)
    impact_deadline = models.TextField(_("délai"), blank=True)
    impact_feasibility = models.TextField(_("faisabilité"), blank=True)
    new_element = models.TextField(_("élément nouveau"), blank=True)
    for_workshop = models.BooleanField(_("à discuter en atelier"), default=False)
    # Other federations the filers ask to co-sign: they see the feedback from
    # then on (before its answer is published, nobody else does).
    invited_organisations = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="feedback_invitations",
        verbose_name=_("fédérations invitées à cosigner"),
    )
    # Set at filing: the feedback is on a subject already decided (the deck's
    # "non-réouverture des sujets déjà arbitrés"): flagged to the leads.
    on_decided_subject = models.BooleanField(_("sur un sujet déjà arbitré"), default=False)

    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    filed_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_feedback",
        verbose_name=_("attribué à"),
    )

    disposition = models.CharField(
        _("suite donnée"), max_length=30, choices=Disposition.choices, blank=True
    )
    answer_text = models.TextField(_("réponse"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse rédigée par"),
    )
    answered_at = models.DateTimeField(_("réponse rédigée le"), null=True, blank=True)
    # An answer kept for a second lead's review is written but not published.
    answer_published_at = models.DateTimeField(_("réponse publiée le"), null=True, blank=True)
    answer_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse publiée par"),
    )
    reopened_decision = models.ForeignKey(
        "arbitrations.Arbitration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("arbitrage rouvert"),
    )

    # Optimistic concurrency, as for decisions: every change claims the
    # version it was read at, so that two leads never overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        db_table = "arbitrations_feedback"  # moved from arbitrations/ (migration 0001)
        ordering = ["-filed_at", "-created_at", "-pk"]
        verbose_name = _("retour argumenté")
        verbose_name_plural = _("retours argumentés")
        indexes = [
            # The leads' inbox pages through the filed feedback in filing
            # order: read in index order, a page costs the same at any size.
            models.Index(fields=["filed_at", "id"], name="feedback_filed_order"),
            # The leads' dashboard counts the feedback awaiting an answer (a
            # few among all that were ever filed).
            models.Index(fields=["status", "filed_at"], name="feedback_status_filed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(disposition="") & ~Q(answer_text=""),
                name="feedback_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Retour n°%(number)s") % {"number": self.pk})

    def is_visible_to(self, user) -> bool:
        """``visible_to`` for this one feedback."""
        from ..access import may_read_feedback

        return may_read_feedback(user, self)

    @staticmethod
    def is_visible_to_reader(user, feedback: Feedback) -> bool:
        """The same, as the (user, subject) hooks of comments and follows take it."""
        return feedback.is_visible_to(user)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_answered(self) -> bool:
        return self.status == self.Status.ANSWERED

    @property
    def answer_pending_review(self) -> bool:
        """An answer written and waiting for a second lead to publish it."""
        return bool(self.disposition) and self.answer_published_at is None

    @property
    def impacts(self) -> list[tuple[str, str]]:
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in ("impact_effort", "impact_cost", "impact_deadline", "impact_feasibility")
            if getattr(self, name)
        ]

    def claim(self, expected_version: int) -> bool:
        """Take the next version if nobody else did since ``expected_version``."""
        claimed = Feedback.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if claimed:
            self.version = expected_version + 1
        return bool(claimed)


def _attachment_path(attachment: FeedbackAttachment, filename: str) -> str:
    # A random name on disk: the name people gave is kept in ``filename``.
    return f"retours/{attachment.feedback_id}/{uuid.uuid4().hex}{attachment.extension}"


class FeedbackAttachment(files.DocumentFormatMixin, models.Model):
    class Format(models.TextChoices):
        PDF = files.PDF, "PDF"
        ODT = files.ODT, "ODT"
        DOCX = files.DOCX, "DOCX"
        XLSX = files.XLSX, "XLSX"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("fichier"), upload_to=_attachment_path, storage=get_private_storage, max_length=255
    )
    filename = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("format"), max_length=100, choices=Format.choices)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        db_table = "arbitrations_feedbackattachment"  # moved from arbitrations/ (migration 0001)
        ordering = ["feedback", "uploaded_at", "pk"]
        verbose_name = _("pièce jointe d'un retour")
        verbose_name_plural = _("pièces jointes des retours")

    def __str__(self) -> str:
        return self.filename


class FeedbackSignature(models.Model):
    """An organisation co-signs a filed feedback (one signature each)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="feedback_signatures",
        verbose_name=_("organisation"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("signé par"),
    )
    signed_at = models.DateTimeField(_("cosigné le"), default=timezone.now)

    class Meta:
        db_table = "arbitrations_feedbacksignature"  # moved from arbitrations/ (migration 0001)
        ordering = ["signed_at", "pk"]
        verbose_name = _("cosignature")
        verbose_name_plural = _("cosignatures")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "organisation"], name="unique_feedback_signature"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.feedback}"
