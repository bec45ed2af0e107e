"""Reminders of the calendar, as rows of the notifications outbox.

Who is reminded of what, and when (README.md, "Reminders"):

- **Before each event**, ``settings.REMINDER_DAYS[kind]`` days before (7 and
  1 by default, per kind of event), at ``settings.REMINDER_TIME`` (Paris
  time) on that day: the participants the event concerns — the personal
  iCalendar feed's rule, ``Event.objects.concerning``, which includes the
  organisations registered for a workshop — and whoever follows the event.
  None for an event cancelled, still to schedule, or begun.
- **At the end of a sharing session or workshop** that still has unanswered
  questions: the leads of the task forces of the SONS it is about (its
  audiences' SONS and its agenda's topics' scope; every lead when it names
  none).
- Other apps plan their own reminders through the same outbox and are
  re-planned by the same beat task (``register_planner``): the feedback
  windows (concertation/feedback/reminders.py).

Nobody who chose no e-mail ("Jamais", or the unsubscribe link) is reminded.
A reminder whose time has passed when it is planned is not created.

Planning is idempotent (``notifications.services.plan``): every change that
a reminder depends on re-plans it in the same transaction (services.py:
creating, editing, moving, cancelling or reinstating an event, registering,
asking or answering a question), and the beat task ``plan_reminders``
re-plans everything upcoming every ten minutes, for what changes elsewhere
(a new participant, the SONS an editor sells, a feedback window). What the
e-mails say is decided when they are sent (reminder_emails.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.access import authority_people, participant_people
from accounts.models import TaskForceLead, User
from notifications import services as outbox
from notifications.models import Delivery, EmailPreference, Follow

from .models import PARIS, AgendaItem, Event, Question

Kind = Delivery.Kind
DEFAULT_DAYS = (7, 1)


# --- When -----------------------------------------------------------------------------------


def days_before(key: str) -> list[int]:
    """The days before at which ``key`` (a kind of event, or "feedback_window")
    is reminded."""
    return list(getattr(settings, "REMINDER_DAYS", {}).get(key, DEFAULT_DAYS))


def reminder_times(day: date, deadline: datetime, key: str) -> list[datetime]:
    """The due times of the reminders of something on ``day`` that begins (or
    closes) at ``deadline``: REMINDER_TIME, Paris time, so many days before.
    A reminder that would come after the deadline (0 days before an event
    at 7:00) is dropped."""
    at = settings.REMINDER_TIME
    times = {datetime.combine(day - timedelta(days=n), at, tzinfo=PARIS) for n in days_before(key)}
    return sorted(due for due in times if due < deadline)


def event_times(event: Event) -> list[datetime]:
    """The due times of an event's reminders; none when it has no date or is
    cancelled."""
    if event.is_cancelled or event.starts_at is None or event.status == Event.Status.TO_SCHEDULE:
        return []
    day = timezone.localtime(event.starts_at, PARIS).date()
    return reminder_times(day, event.starts_at, event.kind)


# --- Who ------------------------------------------------------------------------------------


def reachable(users: QuerySet) -> QuerySet:
    """People an e-mail can reach and who have not asked for none."""
    return (
        users.filter(is_active=True, closed_at=None)
        .exclude(email="")
        .exclude(email_preference__frequency=EmailPreference.Frequency.NONE)
    )


def participants() -> QuerySet:
    """Editors and federation representatives of an organisation (access.is_participant)."""
    return reachable(participant_people())


def concerned_participants(
    events: Iterable[Event], people: QuerySet | None = None
) -> dict[int, set[int]]:
    """For each event, the participants it concerns, by the personal feed's
    rule (``EventQuerySet.concerning``), among ``people`` (by default those an
    e-mail reaches: ``participants()``). The rule reads a person's role and
    organisation only, so it is asked once per (role, organisation), for all
    the events at once."""
    ids = [event.pk for event in events]
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    profiles: dict[tuple, list[int]] = defaultdict(list)
    people = participants() if people is None else people
    for pk, role, organisation_id, is_superuser in people.values_list(
        "pk", "role", "organisation_id", "is_superuser"
    ):
        profiles[(role, organisation_id, is_superuser)].append(pk)
    for (role, organisation_id, is_superuser), members in profiles.items():
        person = User(role=role, organisation_id=organisation_id, is_superuser=is_superuser)
        concerned = Event.objects.filter(pk__in=ids).concerning(person).order_by()
        for event_id in concerned.values_list("pk", flat=True):
            found[event_id].update(members)
    return found


def followers(
    subjects: Iterable[models.Model], people: QuerySet | None = None
) -> dict[int, set[int]]:
    """For each subject (all of one model), the people who follow it among
    ``people`` (by default those an e-mail reaches)."""
    subjects = list(subjects)
    found: dict[int, set[int]] = defaultdict(set)
    if not subjects:
        return found
    follows = Follow.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects[0]),
        subject_id__in=[subject.pk for subject in subjects],
        user__in=reachable(User.objects.all()) if people is None else people,
    )
    for subject_id, user_id in follows.values_list("subject_id", "user_id"):
        found[subject_id].add(user_id)
    return found


def leads_of(events: Iterable[Event]) -> dict[int, set[int]]:
    """For each event, the leads of the task forces of the SONS it is about:
    its audiences' SONS and its agenda's topics' scope. An event that names no
    SONS (or only SONS without a lead) is every lead's."""
    ids = [event.pk for event in events]
    leads = reachable(authority_people(leads_only=True))
    every = set(leads.values_list("pk", flat=True))
    sons: dict[int, set[int]] = defaultdict(set)
    audiences = Event.audiences.through.objects.filter(
        event_id__in=ids, audience__sons__isnull=False
    )
    for event_id, sons_id in audiences.values_list("event_id", "audience__sons"):
        sons[event_id].add(sons_id)
    agenda = AgendaItem.objects.filter(event_id__in=ids, topic__scope__isnull=False)
    for event_id, sons_id in agenda.values_list("event_id", "topic__scope"):
        sons[event_id].add(sons_id)
    leads_of_sons: dict[int, set[int]] = defaultdict(set)
    lead_rows = TaskForceLead.objects.filter(user__in=leads, task_force__sons__isnull=False)
    for sons_id, user_id in lead_rows.values_list("task_force__sons", "user_id"):
        leads_of_sons[sons_id].add(user_id)
    found = {}
    for event_id in ids:
        named = set().union(*(leads_of_sons[s] for s in sons[event_id]))
        found[event_id] = named or every
    return found


# --- Planning -------------------------------------------------------------------------------


def _events_wanted(events: list[Event], now: datetime) -> outbox.Wanted:
    timed = {event.pk: event_times(event) for event in events}
    coming = [event for event in events if timed[event.pk] and event.starts_at > now]
    concerned = concerned_participants(coming)
    following = followers(coming)
    wanted: outbox.Wanted = {event: set() for event in events}
    for event in coming:
        people = concerned[event.pk] | following[event.pk]
        wanted[event] = {(person, due) for person in people for due in timed[event.pk]}
    return wanted


def _questions_wanted(events: list[Event]) -> outbox.Wanted:
    """One reminder per lead at the end of each event with unanswered
    questions (an existing row that is due already is kept for the sweep)."""
    asked = set(
        Question.objects.unanswered()
        .filter(event__in=[event.pk for event in events])
        .values_list("event_id", flat=True)
    )
    waiting = [
        event
        for event in events
        if event.pk in asked and event.takes_questions and not event.is_cancelled and event.ends_by
    ]
    leads = leads_of(waiting)
    wanted: outbox.Wanted = {event: set() for event in events}
    for event in waiting:
        wanted[event] = {(lead, event.ends_by) for lead in leads[event.pk]}
    return wanted


def plan_event(event: Event, *, now: datetime | None = None) -> None:
    """Bring an event's reminders in line with it (created, edited, moved,
    cancelled, reinstated; someone registered). Call it inside the change's
    transaction."""
    now = now or timezone.now()
    outbox.plan(Kind.EVENT_REMINDER, _events_wanted([event], now), now=now)
    plan_questions(event, now=now)


def plan_questions(event: Event, *, now: datetime | None = None) -> None:
    """A question was asked or answered: the leads' end-of-session reminder."""
    outbox.plan(Kind.QUESTIONS_REMINDER, _questions_wanted([event]), now=now)


def plan_upcoming(*, now: datetime | None = None) -> dict[str, outbox.Planned]:
    """Re-plan every reminder still to come (the beat task): events not over
    yet, feedback windows not closed yet."""
    now = now or timezone.now()
    candidates = (
        Event.objects.in_feeds()
        .active()
        .filter(Q(starts_at__gt=now - timedelta(days=1)) | Q(ends_at__gt=now))
    )
    events = [event for event in candidates if not event.is_over(now)]
    return {
        Kind.EVENT_REMINDER: outbox.plan(Kind.EVENT_REMINDER, _events_wanted(events, now), now=now),
        Kind.QUESTIONS_REMINDER: outbox.plan(
            Kind.QUESTIONS_REMINDER, _questions_wanted(events), now=now
        ),
        **{kind: plan(now=now) for kind, plan in PLANNERS.items()},
    }


# --- Reminders of the apps above --------------------------------------------------------

# kind of delivery → a function that re-plans every reminder of that kind
# still to come (``plan(now=…)``), registered from the app's ready().
PLANNERS: dict[str, Callable[..., outbox.Planned]] = {}


def register_planner(kind: str, plan: Callable[..., outbox.Planned]) -> None:
    PLANNERS[kind] = plan
