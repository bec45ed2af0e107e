"""The authority's decisions ("arbitrages") on requirements and topics."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ArbitrationQuerySet(models.QuerySet):
    def published(self) -> ArbitrationQuerySet:
        return self.filter(status=Arbitration.Status.PUBLISHED)

    def for_sons(self, sons) -> ArbitrationQuerySet:
        return self.filter(sons=sons)

    def visible_to(self, user) -> ArbitrationQuerySet:
        """Drafts are for the authority (leads and admins) only."""
        if getattr(user, "is_authority", False):
            return self
        return self.published()


class Arbitration(models.Model):
    """One announced decision on a requirement (or, for administrative subjects,
    on a topic) for a set of SONS."""

    class Decision(models.TextChoices):
        KEPT = "kept", _("Exigence conservée")
        MODIFIED = "modified", _("Exigence modifiée")
        REMOVED = "removed", _("Exigence supprimée")
        UNDER_INSTRUCTION = "under_instruction", _("Instruction en cours")
        ADDED = "added", _("Nouvelle exigence")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")

    requirement = models.ForeignKey(
        "topics.Requirement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="arbitrations",
        verbose_name=_("exigence"),
    )
    topic = models.ForeignKey(
        "topics.Topic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="arbitrations",
        verbose_name=_("sujet"),
    )
    sons = models.ManyToManyField(
        "topics.Sons", related_name="arbitrations", verbose_name=_("SONS")
    )
    decision = models.CharField(_("arbitrage"), max_length=30, choices=Decision.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    session = models.ForeignKey(
        "calendar_app.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="arbitrations",
        verbose_name=_("annoncé lors de"),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ArbitrationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("arbitrage")
        verbose_name_plural = _("arbitrages")
        constraints = [
            models.CheckConstraint(
                condition=Q(requirement__isnull=False, topic__isnull=True)
                | Q(requirement__isnull=True, topic__isnull=False),
                name="arbitration_on_requirement_xor_topic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement or self.topic} — {self.get_decision_display()}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_final(self) -> bool:
        """A decision that closes the question (instruction still running does not)."""
        return self.is_published and self.decision != self.Decision.UNDER_INSTRUCTION
