"""The concertation's calendar: sharing sessions, workshops, steering committees."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Audience(models.Model):
    """Who a workshop is for: ville, hôpital, radio…"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    label = models.CharField(_("libellé"), max_length=100)

    class Meta:
        ordering = ["label"]
        verbose_name = _("public")
        verbose_name_plural = _("publics")

    def __str__(self) -> str:
        return self.label


class EventQuerySet(models.QuerySet):
    def upcoming(self, now=None) -> EventQuerySet:
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")

    def dated(self) -> EventQuerySet:
        return self.exclude(starts_at=None)


class Event(models.Model):
    class Kind(models.TextChoices):
        SHARING_SESSION = "sharing_session", _("Temps de partage")
        WORKSHOP = "workshop", _("Atelier")
        STEERING_COMMITTEE = "steering_committee", _("COPIL fédérations")
        MILESTONE = "milestone", _("Jalon")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        FIXED = "fixed", _("Date fixée")
        TO_CONFIRM = "to_confirm", _("À confirmer")
        TO_SCHEDULE = "to_schedule", _("À planifier")

    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=255)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.FIXED
    )
    starts_at = models.DateTimeField(_("début"), null=True, blank=True)
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    all_day = models.BooleanField(_("toute la journée"), default=False)
    target_week = models.DateField(
        _("semaine visée"),
        null=True,
        blank=True,
        help_text=_("Lundi de la semaine visée, pour un atelier à planifier."),
    )
    audiences = models.ManyToManyField(
        Audience, blank=True, related_name="events", verbose_name=_("publics")
    )
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    visio_url = models.URLField(_("lien de visioconférence"), blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "target_week", "pk"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def __str__(self) -> str:
        return self.title

    @property
    def day(self) -> date | None:
        """The local day the event falls on, or the Monday of its target week."""
        if self.starts_at:
            return timezone.localtime(self.starts_at).date()
        return self.target_week

    def is_held(self, now=None) -> bool:
        return self.starts_at is not None and self.starts_at <= (now or timezone.now())


class AgendaItem(models.Model):
    """One line of a session's agenda, in order, usually a topic."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_items")
    topic = models.ForeignKey(
        "topics.Topic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("sujet"),
    )
    label = models.CharField(
        _("libellé"), max_length=255, blank=True, help_text=_("Si la ligne n'est pas un sujet.")
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["event", "order"]
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")

    def __str__(self) -> str:
        return self.label or str(self.topic)
