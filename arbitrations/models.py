"""The authority's decisions ("arbitrages") on requirements and topics."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DecisionConflict(Exception):
    """Someone else changed the decision since the form was read: nothing was
    saved. ``current`` holds what the decision looks like now, when known."""

    def __init__(self, current=None, message: str = ""):
        super().__init__(message or "stale decision")
        self.current = current


class ArbitrationQuerySet(models.QuerySet):
    def published(self) -> ArbitrationQuerySet:
        return self.filter(status=Arbitration.Status.PUBLISHED)

    def for_sons(self, sons) -> ArbitrationQuerySet:
        return self.filter(sons=sons)

    def drafts(self) -> ArbitrationQuerySet:
        return self.filter(status=Arbitration.Status.DRAFT)

    def visible_to(self, user) -> ArbitrationQuerySet:
        """Drafts are for the authority (leads and admins) only
        (access.arbitrations_visible_to)."""
        from .access import arbitrations_visible_to

        return arbitrations_visible_to(user, self)


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
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publié par"),
    )
    new_statement = models.TextField(
        _("nouvel énoncé"),
        blank=True,
        help_text=_(
            "Pour une exigence modifiée ou nouvelle : l'énoncé qui devient, à la "
            "publication, une nouvelle version de l'exigence pour chaque SONS couvert."
        ),
    )
    # Optimistic concurrency: every save claims the version it was read at
    # (services.py), so that an edit made on an old version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ArbitrationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sons], excluded_fields=["updated_at"])

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

    @property
    def subject(self):
        return self.requirement or self.topic

    def publish(self, *, by, expected_version: int | None = None) -> None:
        """Publish this draft: editors and federations see it from now on.

        Claims the version it was read at with a conditional UPDATE, so that a
        draft changed meanwhile by someone else is not published unseen; the
        side effects run once the transaction commits (services.py)."""
        from .services import publish_decisions

        publish_decisions([self], by=by, expected_versions={self.pk: expected_version})
        self.refresh_from_db()

    def claim(self, expected_version: int) -> bool:
        """Take the next version if nobody else did since ``expected_version``
        was read: one conditional UPDATE, the database arbitrates."""
        claimed = Arbitration.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if claimed:
            self.version = expected_version + 1
        return bool(claimed)


class SubmissionToken(models.Model):
    """A decision form's one-time token: the same form submitted twice (a
    double click, a resent request) makes one change, not two."""

    token = models.CharField(max_length=64, primary_key=True)
    arbitration = models.ForeignKey(
        Arbitration, on_delete=models.CASCADE, null=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("jeton de formulaire")
        verbose_name_plural = _("jetons de formulaire")

    def __str__(self) -> str:
        return self.token


class DecisionsSeen(models.Model):
    """Until when a person has seen the decisions of "Mes décisions": what was
    published later is "nouveau" or "modifié" for them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decisions_seen"
    )
    seen_until = models.DateTimeField(_("vu jusqu'au"))

    class Meta:
        verbose_name = _("dernière visite de « Mes décisions »")
        verbose_name_plural = _("dernières visites de « Mes décisions »")

    def __str__(self) -> str:
        return f"{self.user} — {self.seen_until:%Y-%m-%d %H:%M}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedTokenQuerySet(models.QuerySet):
    def active(self) -> FeedTokenQuerySet:
        return self.filter(revoked_at=None, user__is_active=True)


class DecisionFeedToken(models.Model):
    """The secret of a person's private Atom feed of decisions: a feed reader
    cannot log in, so the URL carries it; revoking it closes the feed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decision_feed_tokens"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = FeedTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton de flux de décisions")
        verbose_name_plural = _("jetons de flux de décisions")

    def __str__(self) -> str:
        return f"{self.user} ({'révoqué' if self.revoked_at else 'actif'})"

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
