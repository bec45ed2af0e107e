"""The concertation's calendar: sharing sessions, workshops, steering committees."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import files


class Audience(models.Model):
    """Who a workshop is for: ville, hôpital, radio…"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    label = models.CharField(_("libellé"), max_length=100)
    sons = models.ManyToManyField(
        "topics.Sons",
        blank=True,
        related_name="audiences",
        verbose_name=_("SONS concernés"),
        help_text=_(
            "Les éditeurs de ces SONS sont concernés par les ateliers de ce public "
            "(ex. ville : LGC)."
        ),
    )

    class Meta:
        ordering = ["label"]
        verbose_name = _("public")
        verbose_name_plural = _("publics")

    def __str__(self) -> str:
        return self.label


# The deck announces the sharing sessions by their start alone ("12 octobre
# 2023 14h") and says nothing of their length: an event with hours and no
# end is shown, and handed to calendars, as lasting this long (README.md,
# "Calendar"). Calendar applications show an event without an end as lasting
# no time at all.
DEFAULT_DURATION = timedelta(hours=2)


class EventQuerySet(models.QuerySet):
    def upcoming(self, now=None) -> EventQuerySet:
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")

    def dated(self) -> EventQuerySet:
        return self.exclude(starts_at=None)

    def active(self) -> EventQuerySet:
        """Not cancelled."""
        return self.filter(cancelled_at=None)

    def about_topic(self, topic) -> EventQuerySet:
        return self.filter(Exists(AgendaItem.objects.filter(event=OuterRef("pk"), topic=topic)))

    def concerning(self, user) -> EventQuerySet:
        """The events of a person's own calendar (their personal iCalendar
        feed): access.events_concerning."""
        from .access import events_concerning

        return events_concerning(user, self)

    def in_feeds(self) -> EventQuerySet:
        """What an iCalendar feed can hold: events with a date (an event to
        schedule has none yet). Cancelled events stay, as STATUS:CANCELLED, so
        that subscribed calendars remove them."""
        return self.exclude(starts_at=None).exclude(status=Event.Status.TO_SCHEDULE)


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
    capacity = models.PositiveSmallIntegerField(
        _("nombre de places"),
        null=True,
        blank=True,
        help_text=_("Nombre maximal d'organisations inscrites. Vide : sans limite."),
    )
    # Stable identity in calendars (iCalendar UID) and a counter of changes
    # (iCalendar SEQUENCE): both are kept by calendar_app.services.
    uid = models.UUIDField(
        _("identifiant de calendrier"), default=uuid.uuid4, unique=True, editable=False
    )
    sequence = models.PositiveIntegerField(_("révision"), default=0, editable=False)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True, editable=False)
    cancellation_reason = models.CharField(_("motif de l'annulation"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[audiences], excluded_fields=["updated_at"])

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

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def last_day(self) -> date | None:
        """The local day the event ends on (its start day when no end is set)."""
        if self.ends_at:
            return timezone.localtime(self.ends_at).date()
        return self.day

    @property
    def end(self) -> datetime | None:
        """When an event with hours ends: its end, else DEFAULT_DURATION after
        its start. None for an all-day event (see last_day) or one with no date."""
        if self.starts_at is None or self.all_day:
            return None
        return self.ends_at or self.starts_at + DEFAULT_DURATION

    @property
    def ends_by(self) -> datetime | None:
        """When the event is over: its end, else the end of its last day."""
        if self.ends_at and not self.all_day:
            return self.ends_at
        day = self.last_day if self.starts_at else None
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)

    def is_over(self, now=None) -> bool:
        ends_by = self.ends_by
        return ends_by is not None and ends_by <= (now or timezone.now())

    @property
    def takes_registrations(self) -> bool:
        return self.kind == self.Kind.WORKSHOP

    @property
    def takes_questions(self) -> bool:
        return self.kind in (self.Kind.SHARING_SESSION, self.Kind.WORKSHOP)

    def questions_open(self, now=None) -> bool:
        """Questions are asked before or during the event, as the deck asks
        ("notez vos questions au fur et à mesure")."""
        return self.takes_questions and not self.is_cancelled and not self.is_over(now)

    def registrations_open(self, now=None) -> bool:
        return self.takes_registrations and not self.is_cancelled and not self.is_over(now)


PARIS = ZoneInfo("Europe/Paris")


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

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "order"]
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")

    def __str__(self) -> str:
        return self.label or str(self.topic)


def _document_path(document: EventDocument, filename: str) -> str:
    # A random name on disk: the name people gave is kept in ``filename``.
    return f"calendrier/{document.event_id}/{uuid.uuid4().hex}{document.extension}"


class EventDocument(files.DocumentFormatMixin, models.Model):
    """A document of an event (slides, working paper) or its minutes."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        MINUTES = "minutes", _("Compte rendu")

    class Format(models.TextChoices):
        PDF = files.PDF, "PDF"
        ODT = files.ODT, "ODT"
        DOCX = files.DOCX, "DOCX"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    title = models.CharField(_("titre"), max_length=255)
    file = models.FileField(_("fichier"), upload_to=_document_path, max_length=255)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("format"), max_length=100, choices=Format.choices)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "kind", "uploaded_at", "pk"]
        verbose_name = _("document d'événement")
        verbose_name_plural = _("documents d'événement")

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """An organisation registered for a workshop."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="event_registrations",
        verbose_name=_("organisation"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("inscrite par"),
    )
    created_at = models.DateTimeField(_("inscrite le"), default=timezone.now)

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation"], name="unique_event_registration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.event}"


class QuestionQuerySet(models.QuerySet):
    def answered(self) -> QuestionQuerySet:
        """Questions with a published answer (for the session's decision record)."""
        return self.exclude(answer="").order_by("event__starts_at", "answered_at", "pk")

    def unanswered(self) -> QuestionQuerySet:
        return self.filter(answer="")

    def with_votes(self) -> QuestionQuerySet:
        return self.annotate(vote_count=Count("votes", distinct=True))

    def by_votes(self) -> QuestionQuerySet:
        return self.with_votes().order_by("-vote_count", "created_at", "pk")

    def search(self, text: str) -> QuestionQuerySet:
        query = Q()
        for word in text.split():
            query &= Q(text__icontains=word) | Q(answer__icontains=word)
        return self.filter(query)


class Question(models.Model):
    """A question asked for a sharing session or a workshop, and the
    authority's answer ("un temps de réponses est prévu en fin de séance")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="calendar_questions",
        verbose_name=_("auteur"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    text = models.TextField(_("question"), max_length=2000)
    created_at = models.DateTimeField(_("posée le"), default=timezone.now)
    answer = models.TextField(_("réponse"), blank=True, max_length=5000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse de"),
    )
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)

    objects = QuestionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)


class QuestionVote(models.Model):
    """One person's support for a question (once per person)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("soutien à une question")
        verbose_name_plural = _("soutiens aux questions")
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="one_vote_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.question}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret of a person's private iCalendar address. Renewing it revokes
    the old address; deleting the row revokes it without a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("abonnement au calendrier")
        verbose_name_plural = _("abonnements au calendrier")

    def __str__(self) -> str:
        return str(self.user)

    def renew(self) -> None:
        self.token = _new_token()
        self.created_at = timezone.now()
        self.save(update_fields=["token", "created_at"])
