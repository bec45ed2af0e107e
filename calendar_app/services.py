"""State changes of the calendar.

Every change to an event goes through this module, in one transaction: it
bumps the event's ``sequence`` (the iCalendar SEQUENCE that tells subscribed
calendars to take the new version), keeps one history record with its author
and reason, and calls the hooks below when an event moves, is cancelled or is
reinstated.

The reminders (reminders.py) follow every change in the same transaction:
``_event_moved``, ``_event_cancelled`` and ``_event_reinstated`` move, cancel
or recreate the event's pending reminders in the notifications outbox, and
tell the people the event concerns and its followers (a notification, and an
e-mail at each one's rhythm); an edit, a registration, a question re-plan
them too. Registering follows the event.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.access import participant_people
from accounts.models import User
from notifications.models import Follow, Notification
from notifications.services import follow, notify, unfollow

from . import reminders
from .models import AgendaItem, Event, EventDocument, Question, QuestionVote, Registration

# Paths under /calendrier/ that an event's slug must not take.
RESERVED_SLUGS = {"semaines", "mois", "nouveau", "questions", "abonnement", "ical"}


class Refused(Exception):
    """A change the rules do not allow; the message says why, to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleEdit(Refused):
    """The event changed since the form was loaded: saving would lose that change."""


@dataclass(frozen=True)
class When:
    """The part of an event that calendars and reminders depend on."""

    starts_at: datetime | None
    ends_at: datetime | None
    all_day: bool
    status: str
    target_week: date | None

    @classmethod
    def of(cls, event: Event) -> When:
        return cls(event.starts_at, event.ends_at, event.all_day, event.status, event.target_week)


# --- Hooks for the reminders (reminders.py, in the notifications outbox) ---------------


def _event_moved(event: Event, before: When, *, by) -> None:
    """The event's date, hours or status changed (it was ``before``): its
    pending reminders move with it; those whose new time has passed, and
    all of them for an event now in the past or to schedule, are cancelled.
    When its date or hours changed, the people it concerns are told."""
    reminders.plan_event(event)
    when = When.of(event)
    if (when.starts_at, when.ends_at, when.all_day) != (
        before.starts_at,
        before.ends_at,
        before.all_day,
    ):
        _tell(event, change="moved", by=by, before=before)


def _event_cancelled(event: Event, *, by) -> None:
    """The event's pending reminders are cancelled, and the people it
    concerns are told."""
    reminders.plan_event(event)
    _tell(event, change="cancelled", by=by)


def _event_reinstated(event: Event, *, by) -> None:
    """The event's reminders still to come are planned again (cancelled rows
    revived), and the people it concerns are told."""
    reminders.plan_event(event)
    _tell(event, change="reinstated", by=by)


def _when_data(when: When) -> dict:
    """A date as a notification keeps it (JSON), to be told in each reader's
    language at send time (core.dates.span): its start, its end (for an event
    with hours, models.DEFAULT_DURATION when none is set), its last day."""
    if when.starts_at is None:
        return {"target_week": when.target_week.isoformat() if when.target_week else ""}
    shape = Event(starts_at=when.starts_at, ends_at=when.ends_at, all_day=when.all_day)
    return {
        "starts_at": when.starts_at.isoformat(),
        "end": shape.end.isoformat() if shape.end else "",
        "all_day": when.all_day,
        "last_day": shape.last_day.isoformat(),
    }


def _tell(event: Event, *, change: str, by, before: When | None = None) -> None:
    """Notify the participants an event concerns (the personal feed's rule:
    the registered organisations included) and its followers that it was
    moved, cancelled or reinstated — in the portal and by e-mail at each
    one's rhythm, with the old and the new dates, which event it is (several
    workshops share a title: its audiences and topics) and its updated
    .ics. Nobody is told of a change to an event already over."""
    if event.is_over():
        return
    active = User.objects.filter(is_active=True, closed_at=None)
    people = reminders.concerned_participants(
        [event],
        participant_people(),
    )[event.pk]
    people |= reminders.followers([event], active)[event.pk]
    agenda = event.agenda_items.select_related("topic").order_by("order", "pk")
    data = {
        "change": change,
        "starts_at": event.starts_at.isoformat() if event.starts_at else "",
        "reason": event.cancellation_reason if change == "cancelled" else "",
        "when": _when_data(When.of(event)),
        "audiences": [audience.label for audience in event.audiences.order_by("label")],
        "agenda": [item.topic.label if item.topic else item.label for item in agenda],
    }
    if before is not None:
        data["before"] = _when_data(before)
    notify(
        subjects=[event],
        kind=Notification.Kind.EVENT_CHANGED,
        actor=by,
        key=f"event_{change}:{event.pk}:{event.sequence}",
        data=data,
        recipients=people,
    )


# --- Events -------------------------------------------------------------------------------


def unique_slug(event: Event) -> str:
    base = slugify(event.title)[:90] or "evenement"
    if event.day:
        base = f"{base}-{event.day:%Y-%m-%d}"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Event.objects.filter(slug=slug).exclude(pk=event.pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _locked(event: Event, version: int | None = None) -> Event:
    current = Event.objects.select_for_update().get(pk=event.pk)
    if version is not None and current.sequence != version:
        raise StaleEdit(
            _(
                "Cet événement a été modifié par quelqu’un d’autre pendant votre saisie. "
                "Vos modifications n’ont pas été enregistrées : elles restent dans le "
                "formulaire ; rechargez la page pour voir la version actuelle."
            )
        )
    return current


def _record(event: Event, *, by, reason: str, bump: bool = True) -> None:
    """Save the change as one new revision: SEQUENCE + 1 and one history record
    (with the audiences as they are now)."""
    if bump:
        event.sequence += 1
    event._history_user = by
    event._change_reason = reason
    event.save(update_fields=["sequence", "updated_at"])


@contextlib.contextmanager
def _no_history(instance):
    """Writes whose history record _record() takes, with everything in it."""
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving


@transaction.atomic
def save_event(form, *, by, version: int | None = None) -> Event:
    """Create or edit an event from a valid ``EventForm``. ``version`` is the
    ``sequence`` the form was loaded at: a newer one refuses the edit."""
    event: Event = form.instance
    creating = event.pk is None
    before = None
    if not creating:
        current = _locked(event, version)
        before = When.of(current)
        # What the form does not edit comes from the locked row, not the
        # copy the form was built on.
        event.sequence = current.sequence
        event.cancelled_at = current.cancelled_at
        event.cancellation_reason = current.cancellation_reason
    with _no_history(event):
        if creating:
            event.slug = unique_slug(event)
        form.save()
    if creating:
        _record(event, by=by, reason=_("Création"), bump=False)
        reminders.plan_event(event)
        return event
    moved = When.of(event) != before
    _record(event, by=by, reason=_("Déplacement") if moved else _("Modification"))
    if moved:
        _event_moved(event, before, by=by)
    else:
        # Its kind or audiences may have changed: who is reminded, and when.
        reminders.plan_event(event)
    return event


@transaction.atomic
def move_event(
    event: Event, *, starts_at: datetime, ends_at: datetime | None = None, all_day: bool, by
) -> Event:
    """Give an event a new date (and hours)."""
    current = _locked(event)
    before = When.of(current)
    current.starts_at, current.ends_at, current.all_day = starts_at, ends_at, all_day
    current.target_week = None
    if current.status == Event.Status.TO_SCHEDULE:
        current.status = Event.Status.TO_CONFIRM
    with _no_history(current):
        current.save()
    _record(current, by=by, reason=_("Déplacement"))
    _event_moved(current, before, by=by)
    return current


@transaction.atomic
def cancel_event(event: Event, *, by, reason: str = "") -> Event:
    """Cancel an event. It stays in the calendar, shown as cancelled, and in
    the feeds as STATUS:CANCELLED so that subscribed calendars drop it."""
    current = _locked(event)
    if current.is_cancelled:
        raise Refused(_("Cet événement est déjà annulé."))
    current.cancelled_at = timezone.now()
    current.cancellation_reason = reason
    with _no_history(current):
        current.save(update_fields=["cancelled_at", "cancellation_reason"])
    _record(current, by=by, reason=_("Annulation"))
    _event_cancelled(current, by=by)
    return current


@transaction.atomic
def reinstate_event(event: Event, *, by) -> Event:
    """Undo a cancellation."""
    current = _locked(event)
    if not current.is_cancelled:
        raise Refused(_("Cet événement n’est pas annulé."))
    current.cancelled_at = None
    current.cancellation_reason = ""
    with _no_history(current):
        current.save(update_fields=["cancelled_at", "cancellation_reason"])
    _record(current, by=by, reason=_("Rétablissement"))
    _event_reinstated(current, by=by)
    return current


# --- Agenda -----------------------------------------------------------------------------


def _renumber(event: Event, items: list[AgendaItem]) -> None:
    for order, item in enumerate(items, 1):
        if item.order != order:
            item.order = order
            item.save(update_fields=["order"])


@transaction.atomic
def add_agenda_item(event: Event, *, topic=None, label: str = "", by) -> AgendaItem:
    current = _locked(event)
    last = current.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    item = AgendaItem(event=current, topic=topic, label=label, order=last + 1)
    item._history_user = by
    item.save()
    _record(current, by=by, reason=_("Ordre du jour : ajout de « %s »") % item)
    return item


@transaction.atomic
def move_agenda_item(item: AgendaItem, *, offset: int, by) -> None:
    """Move a line of the agenda up (offset -1) or down (+1)."""
    current = _locked(item.event)
    items = list(current.agenda_items.order_by("order", "pk"))
    position = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = position + offset
    if not 0 <= target < len(items):
        return
    items[position], items[target] = items[target], items[position]
    for each in items:
        each._history_user = by
    _renumber(current, items)
    _record(current, by=by, reason=_("Ordre du jour : « %s » déplacé") % item)


@transaction.atomic
def remove_agenda_item(item: AgendaItem, *, by) -> None:
    current = _locked(item.event)
    item._history_user = by
    item.delete()
    _renumber(current, list(current.agenda_items.order_by("order", "pk")))
    _record(current, by=by, reason=_("Ordre du jour : retrait de « %s »") % item)


# --- Documents and minutes ---------------------------------------------------------------


@transaction.atomic
def add_document(event: Event, *, kind: str, title: str, upload, content_type: str, by):
    document = EventDocument(
        event=event,
        kind=kind,
        title=title,
        filename=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    document._history_user = by
    document.file.save(document.extension, upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def delete_document(document: EventDocument, *, by) -> None:
    document._history_user = by
    storage, name = document.file.storage, document.file.name
    document.delete()
    # The file goes once the row is surely gone.
    transaction.on_commit(lambda: storage.delete(name))


# --- Registrations ---------------------------------------------------------------------


@transaction.atomic
def register(event: Event, *, organisation, by) -> Registration:
    """Register an organisation for a workshop. The event row is locked, so
    that two organisations cannot both take its last place."""
    current = Event.objects.select_for_update().get(pk=event.pk)
    if not current.takes_registrations:
        raise Refused(_("Seuls les ateliers prennent des inscriptions."))
    if current.is_cancelled:
        raise Refused(_("Cet atelier est annulé : il ne prend plus d’inscriptions."))
    if current.is_over():
        raise Refused(_("Cet atelier a eu lieu : il ne prend plus d’inscriptions."))
    if current.registrations.filter(organisation=organisation).exists():
        raise Refused(_("Votre organisation est déjà inscrite à cet atelier."))
    if current.capacity is not None and current.registrations.count() >= current.capacity:
        raise Refused(
            _(
                "Cet atelier est complet (%(capacity)s organisations inscrites). "
                "Contactez les responsables de la task force si votre participation est "
                "indispensable."
            )
            % {"capacity": current.capacity}
        )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=current, organisation=organisation, registered_by=by
            )
    except IntegrityError:
        raise Refused(_("Votre organisation est déjà inscrite à cet atelier.")) from None
    follow(by, current, reason=Follow.Reason.REGISTERED)
    # The organisation's members are now concerned: their reminders.
    reminders.plan_event(current)
    return registration


@transaction.atomic
def unregister(event: Event, *, organisation, by) -> None:
    deleted, _count = Registration.objects.filter(event=event, organisation=organisation).delete()
    if not deleted:
        raise Refused(_("Votre organisation n’est pas inscrite à cet atelier."))
    # Who followed it by registering stops; whom it still concerns (by
    # audience) keeps their reminders, the others' are cancelled.
    for member in organisation.members.all():
        unfollow(member, event, reason=Follow.Reason.REGISTERED)
    reminders.plan_event(event)


# --- Questions --------------------------------------------------------------------------


@transaction.atomic
def ask_question(event: Event, *, by, text: str) -> Question:
    if not event.questions_open():
        raise Refused(_("Les questions sont closes pour cet événement."))
    question = Question.objects.create(
        event=event, author=by, organisation=by.organisation, text=text.strip()
    )
    # The leads are reminded at the end of the session if it stays unanswered.
    reminders.plan_questions(event)
    return question


@transaction.atomic
def toggle_vote(question: Question, *, by) -> bool:
    """Support a question, or withdraw one's support. Returns whether the
    person supports it now. Once per person: the database says so too."""
    if question.author_id == by.pk:
        raise Refused(_("Vous ne pouvez pas soutenir votre propre question."))
    if not question.event.questions_open():
        raise Refused(_("Les questions sont closes pour cet événement."))
    deleted, _count = QuestionVote.objects.filter(question=question, user=by).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=question, user=by)
    except IntegrityError:
        pass  # a second click that raced the first: supported once, as wanted
    return True


@transaction.atomic
def answer_question(question: Question, *, by, answer: str) -> Question:
    """Publish (or correct) the authority's answer to a question."""
    question.answer = answer.strip()
    question.answered_by = by
    question.answered_at = timezone.now()
    question._history_user = by
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    reminders.plan_questions(question.event)
    return question
