"""What people follow, what they are told, and the outbox that delivers it.

This app sits just above ``accounts``: it reaches the things people follow
(SONS, topics, requirements, events…) through generic relations only, never by
importing the apps that define them (DESIGN.md).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import dates


class Follow(models.Model):
    """A person follows a subject: they are told what changes about it."""

    class Reason(models.TextChoices):
        MANUAL = "manual", _("Suivi")
        COMMENTED = "commented", _("Vous avez commenté")
        FILED = "filed", _("Vous avez déposé un retour")
        REGISTERED = "registered", _("Vous êtes inscrit")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("personne"),
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type de sujet")
    )
    subject_id = models.PositiveBigIntegerField(_("identifiant du sujet"))
    subject = GenericForeignKey("subject_type", "subject_id")
    reason = models.CharField(
        _("raison"), max_length=20, choices=Reason.choices, default=Reason.MANUAL
    )
    created_at = models.DateTimeField(_("depuis le"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suivi")
        verbose_name_plural = _("suivis")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject_type", "subject_id"], name="unique_follow"
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="follow_subject")]

    def __str__(self) -> str:
        return f"{self.user} → {self.subject_type.model}:{self.subject_id}"


class EmailPreference(models.Model):
    """How often a person wants e-mail about what they follow."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immédiatement")
        DAILY = "daily", _("Résumé quotidien")
        WEEKLY = "weekly", _("Résumé hebdomadaire")
        NONE = "none", _("Jamais")

    # A digest by default: one e-mail a day at most, never a flood.
    DEFAULT = Frequency.DAILY

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="email_preference",
        verbose_name=_("personne"),
    )
    frequency = models.CharField(
        _("courriels"), max_length=20, choices=Frequency.choices, default=DEFAULT
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("préférence de courriel")
        verbose_name_plural = _("préférences de courriel")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_frequency_display()}"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now) -> DeliveryQuerySet:
        """Pending rows the sweep may take: due, past their back-off, and not
        held by a lease that still runs (an expired lease is taken again)."""
        return self.filter(status=Delivery.Status.PENDING, available_at__lte=now)

    def open_for(self, recipient_ids) -> DeliveryQuerySet:
        """Pending rows that nobody has claimed yet: new items may still join them."""
        return self.filter(
            recipient_id__in=recipient_ids, status=Delivery.Status.PENDING, lease_token=None
        )


class Delivery(models.Model):
    """One row of the outbox: something is due to someone at a given time.

    The database, not the broker, says what is due. The beat sweep claims due
    rows with a lease (``lease_token``, ``available_at``) and hands their ids
    to delivery tasks; a row whose lease expires (a worker died, the broker
    lost the task) is taken again by a later sweep. ``attempts`` counts the
    sends tried; a failed send waits ``available_at`` (back-off) and, past the
    limit, the row is marked failed for admins to see and retry.
    """

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("Notification immédiate")
        DAILY_DIGEST = "daily", _("Résumé quotidien")
        WEEKLY_DIGEST = "weekly", _("Résumé hebdomadaire")
        # Reminders: planned by the apps above (calendar_app.reminders), each
        # row about one subject (an event, a topic), written by the e-mail
        # writer that app registers (notifications.reminders).
        EVENT_REMINDER = "event_reminder", _("Rappel d'événement")
        QUESTIONS_REMINDER = "questions", _("Questions sans réponse")
        FEEDBACK_REMINDER = "feedback_window", _("Fin d'une période de retours")

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENT = "sent", _("Envoyé")
        SKIPPED = "skipped", _("Sans objet")
        FAILED = "failed", _("Échec")
        # A reminder that is no longer due: its event was cancelled or moved,
        # or its recipient is no longer concerned. Planning may revive it.
        CANCELLED = "cancelled", _("Annulé")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("destinataire"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    # What the row delivers: the recipient's own notifications for the e-mails
    # of notifications and digests, an event for a reminder…
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type d'objet")
    )
    subject_id = models.PositiveBigIntegerField(_("identifiant de l'objet"))
    subject = GenericForeignKey("subject_type", "subject_id")
    due_at = models.DateTimeField(_("prévu le"))
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # When the sweep may take the row next: its due time, the end of a
    # back-off after a failure, or the end of the lease of whoever holds it.
    available_at = models.DateTimeField(_("disponible le"))
    lease_token = models.UUIDField(_("bail"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # What an e-mail says is fixed at its first attempt (items read in the
    # portal before it are left out), so that a resend is the same message.
    first_attempt_at = models.DateTimeField(_("première tentative"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-pk"]
        verbose_name = _("envoi")
        verbose_name_plural = _("boîte d'envoi")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "recipient", "kind", "due_at"],
                name="unique_delivery",
            ),
        ]
        indexes = [models.Index(fields=["status", "available_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.due_at:%Y-%m-%d %H:%M})"

    @property
    def is_leased(self) -> bool:
        return self.lease_token is not None and self.available_at > timezone.now()


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)

    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient=user)


class Notification(models.Model):
    """Something a person is told, in the portal and (by their preference) by e-mail.

    ``data`` keeps what the notification says as it was when it happened
    (names, SONS, the decision and its comment), so that the list and the
    e-mails render without reaching back into other apps; words that depend
    on the reader's language are translated when rendered.
    """

    class Kind(models.TextChoices):
        DECISION_PUBLISHED = "decision_published", _("Arbitrage publié")
        STATEMENT_CHANGED = "statement_changed", _("Énoncé modifié")
        COMMENT_REPLY = "comment_reply", _("Réponse à un commentaire")
        FEEDBACK_FILED = "feedback_filed", _("Retour déposé")
        FEEDBACK_COSIGNED = "feedback_cosigned", _("Retour cosigné")
        FEEDBACK_COSIGN_INVITATION = "feedback_invited", _("Invitation à cosigner un retour")
        EVENT_CHANGED = "event_changed", _("Événement déplacé, annulé ou rétabli")
        FEEDBACK_ANSWERED = "feedback_answered", _("Réponse à un retour")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("destinataire"),
    )
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    # What the notification is about and links to (a requirement, a topic…).
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type de sujet")
    )
    subject_id = models.PositiveBigIntegerField(_("identifiant du sujet"))
    subject = GenericForeignKey("subject_type", "subject_id")
    # What happened (a decision, a new version of a statement), when there is one.
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("type d'objet"),
    )
    target_id = models.PositiveBigIntegerField(_("identifiant de l'objet"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # Tells the same thing apart from something new: one notification per
    # recipient, kind and key, however many times the producer runs.
    key = models.CharField(_("clé"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    data = models.JSONField(_("contenu"), default=dict, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("courriel"),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], name="unique_notification"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at=None), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def subject_name(self) -> str:
        return self.data.get("subject", {}).get("name", "")

    @property
    def subject_url(self) -> str:
        # ``anchor`` points inside the subject's page (a comment: "#commentaire-12").
        return self.data.get("subject", {}).get("url", "") + self.data.get("anchor", "")

    @property
    def title(self) -> str:
        """One line, in the active language."""
        name = self.subject_name
        if self.kind == self.Kind.DECISION_PUBLISHED:
            decision = self.data.get("decision_label")
            if decision:
                # The decision's label is a msgid of the catalogue ("Exigence conservée").
                return gettext("Arbitrage publié sur %(subject)s : %(decision)s") % {
                    "subject": name,
                    "decision": gettext(decision),
                }
            return gettext("Arbitrage publié sur %(subject)s") % {"subject": name}
        if self.kind == self.Kind.STATEMENT_CHANGED:
            return gettext("Énoncé modifié : %(subject)s") % {"subject": name}
        if self.kind == self.Kind.COMMENT_REPLY:
            return gettext("Réponse à votre commentaire sur %(subject)s") % {"subject": name}
        if self.kind == self.Kind.FEEDBACK_FILED:
            return gettext("Retour déposé : %(subject)s") % {"subject": name}
        if self.kind == self.Kind.EVENT_CHANGED:
            return self._event_title(name)
        if self.kind == self.Kind.FEEDBACK_COSIGN_INVITATION:
            return gettext("%(organisation)s vous invite à cosigner %(subject)s") % {
                "organisation": self.data.get("organisation", ""),
                "subject": name,
            }
        if self.kind == self.Kind.FEEDBACK_COSIGNED:
            return gettext("%(organisation)s cosigne %(subject)s") % {
                "organisation": self.data.get("organisation", ""),
                "subject": name,
            }
        if self.kind == self.Kind.FEEDBACK_ANSWERED:
            disposition = self.data.get("disposition_label")
            # The disposition's label is a msgid of the catalogue ("Acceptée").
            return gettext("Réponse à %(subject)s : %(disposition)s") % {
                "subject": name,
                "disposition": gettext(disposition) if disposition else "",
            }
        return f"{self.get_kind_display()} : {name}"

    @property
    def sons(self) -> str:
        return ", ".join(self.data.get("sons", []))

    @property
    def detail(self) -> str:
        """The decision's comment or the new statement (Markdown, deck's French)."""
        return self.data.get("comment") or self.data.get("statement") or ""

    def _event_title(self, name: str) -> str:
        """Which event (several workshops share a title: its date tells them
        apart) and, for a move, its old and its new date."""
        change = self.data.get("change")
        after = _short_when(self.data.get("when"))
        before = _short_when(self.data.get("before"))
        if change == "cancelled":
            if after:
                return gettext("Événement annulé : %(subject)s (%(when)s)") % {
                    "subject": name,
                    "when": after,
                }
            return gettext("Événement annulé : %(subject)s") % {"subject": name}
        if change == "reinstated":
            if after:
                return gettext("Événement rétabli : %(subject)s (%(when)s)") % {
                    "subject": name,
                    "when": after,
                }
            return gettext("Événement rétabli : %(subject)s") % {"subject": name}
        if before and after:
            return gettext("Nouvelle date pour %(subject)s (%(before)s → %(after)s)") % {
                "subject": name,
                "before": before,
                "after": after,
            }
        return gettext("Nouvelle date pour %(subject)s") % {"subject": name}

    @property
    def facts(self) -> list[tuple[str, str]]:
        """What the e-mail and the list say besides the title, as (label,
        text) lines in the active language: for a moved or cancelled event,
        its old and new dates, its audiences and its agenda."""
        if self.kind != self.Kind.EVENT_CHANGED or "when" not in self.data:
            return []
        lines = []
        when = _long_when(self.data.get("when"))
        if "before" in self.data:
            lines.append((gettext("Ancienne date"), _long_when(self.data["before"])))
            lines.append((gettext("Nouvelle date"), when))
        else:
            lines.append((gettext("Date"), when))
        if self.data.get("reason"):
            lines.append((gettext("Motif"), self.data["reason"]))
        audiences = self.data.get("audiences") or []
        lines.append((gettext("Public"), ", ".join(audiences) or gettext("tous les publics")))
        if self.data.get("agenda"):
            lines.append((gettext("Ordre du jour"), " ; ".join(self.data["agenda"])))
        return lines


def _moment(when: dict):
    start = datetime.fromisoformat(when["starts_at"])
    end = datetime.fromisoformat(when["end"]) if when.get("end") else None
    last_day = date.fromisoformat(when["last_day"]) if when.get("last_day") else None
    return start, end, bool(when.get("all_day")), last_day


def _long_when(when: dict | None) -> str:
    """An event's date as its notification kept it, in words (core.dates)."""
    if not when:
        return ""
    if not when.get("starts_at"):
        week = when.get("target_week")
        if week:
            monday = date_format(date.fromisoformat(week), "j F Y")
            return gettext("à planifier, semaine du %(day)s") % {"day": monday}
        return gettext("date à définir")
    start, end, all_day, last_day = _moment(when)
    return dates.span(start, end=end, all_day=all_day, last_day=last_day)


def _short_when(when: dict | None) -> str:
    """The day (and hour) an event starts, short, for a title: "20 octobre
    2023", "12 octobre 2023 à 14:00"."""
    if not when or not when.get("starts_at"):
        return gettext("à planifier") if when else ""
    start, _end, all_day, _last = _moment(when)
    day = date_format(timezone.localtime(start, dates.PARIS).date(), "j F Y")
    if all_day:
        return day
    return gettext("%(day)s à %(start)s") % {"day": day, "start": dates.hour(start)}
