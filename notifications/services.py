"""Following, notifying and delivering: the only ways other apps change this
app's state.

Other features call these functions:

- ``follow(user, subject, reason=...)`` when someone comments, files feedback
  or registers for something (``unfollow`` undoes it);
- ``notify(subjects=[...], kind=..., actor=..., target=...)`` inside the
  transaction that makes the news (publishing a decision): it writes the
  notifications and their outbox rows in that same transaction;
- ``plan(kind, {subject: {(recipient id, due time), ...}})`` for reminders
  (see ``reminders.py``): it keeps the subject's pending reminders in step;
- nothing else: the beat sweep delivers what is due.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import conf, emails
from . import subjects as registry
from .models import Delivery, EmailPreference, Follow, Notification
from .schedule import DELIVERY_KIND, NOTIFICATION_KINDS, next_due

logger = logging.getLogger(__name__)

Frequency = EmailPreference.Frequency


# --- Following --------------------------------------------------------------------------


def _content_type(obj: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(obj, for_concrete_model=False)


def follow(user, subject: models.Model, *, reason: str = Follow.Reason.MANUAL) -> Follow:
    """``user`` follows ``subject`` (idempotent: following twice is following)."""
    registry.subject_type_of(subject)  # only what can be followed
    follow, _created = Follow.objects.get_or_create(
        user=user,
        subject_type=_content_type(subject),
        subject_id=subject.pk,
        defaults={"reason": reason},
    )
    return follow


def unfollow(user, subject: models.Model, *, reason: str | None = None) -> bool:
    """``user`` stops following ``subject`` — only if they followed it for
    ``reason``, when given (unregistering undoes the follow that registering
    made, not one the person chose)."""
    follows = Follow.objects.filter(
        user=user, subject_type=_content_type(subject), subject_id=subject.pk
    )
    if reason is not None:
        follows = follows.filter(reason=reason)
    deleted, _ = follows.delete()
    return bool(deleted)


def is_following(user, subject: models.Model) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(
        user=user, subject_type=_content_type(subject), subject_id=subject.pk
    ).exists()


def _followers(things: Iterable[models.Model]):
    by_type: dict[ContentType, list[int]] = defaultdict(list)
    for obj in things:
        by_type[_content_type(obj)].append(obj.pk)
    if not by_type:
        return Follow.objects.none()
    condition = Q()
    for content_type, ids in by_type.items():
        condition |= Q(subject_type=content_type, subject_id__in=ids)
    return Follow.objects.filter(condition, user__is_active=True)


# --- E-mail preferences ---------------------------------------------------------------------


def email_frequency(user) -> str:
    preference = EmailPreference.objects.filter(user=user).first()
    return preference.frequency if preference else EmailPreference.DEFAULT


def set_email_frequency(user, frequency: str, *, now: datetime | None = None) -> None:
    """Change how often ``user`` gets e-mail. What was waiting for the old
    rhythm moves to the new one (or stays in the portal only, for "never")."""
    if frequency not in Frequency.values:
        raise ValueError(f"Unknown frequency {frequency!r}")
    now = now or timezone.now()
    with transaction.atomic():
        EmailPreference.objects.update_or_create(user=user, defaults={"frequency": frequency})
        waiting = list(
            Delivery.objects.open_for([user.pk])
            .filter(kind__in=NOTIFICATION_KINDS)
            .select_for_update()
            .order_by("pk")
        )
        if not waiting:
            return
        new_row = None
        if frequency != Frequency.NONE:
            new_row = _open_deliveries({user.pk: frequency}, now).get(user.pk)
        Notification.objects.filter(delivery__in=waiting).update(delivery=new_row)
        Delivery.objects.filter(pk__in=[row.pk for row in waiting if row != new_row]).update(
            status=Delivery.Status.SKIPPED
        )


# --- Notifying --------------------------------------------------------------------------------


def _open_deliveries(frequencies: dict[int, str], now: datetime) -> dict[int, Delivery]:
    """For each recipient, the outbox row their next e-mail goes out with:
    the row of their rhythm's next slot, locked until the caller commits so
    that no sweep claims it before the new items are attached (on SQLite the
    transaction itself is the lock). A row that a sweep has claimed already
    takes nothing more: the items go to the following slot."""
    User = get_user_model()
    user_type = ContentType.objects.get_for_model(User)
    wanted = {
        user_id: (frequency, next_due(frequency, now))
        for user_id, frequency in frequencies.items()
        if frequency != Frequency.NONE
    }
    found: dict[int, Delivery] = {}
    for _round in range(10):
        if not wanted:
            break
        Delivery.objects.bulk_create(
            [
                Delivery(
                    recipient_id=user_id,
                    kind=DELIVERY_KIND[frequency],
                    subject_type=user_type,
                    subject_id=user_id,
                    due_at=due,
                    available_at=due,
                )
                for user_id, (frequency, due) in sorted(wanted.items())
            ],
            ignore_conflicts=True,
        )
        rows = (
            Delivery.objects.open_for(list(wanted))
            .filter(
                subject_type=user_type,
                kind__in={DELIVERY_KIND[f] for f, _due in wanted.values()},
                due_at__in={due for _f, due in wanted.values()},
            )
            .select_for_update()
            .order_by("pk")
        )
        by_key = {(row.recipient_id, row.kind, row.due_at): row for row in rows}
        taken = {}
        for user_id, (frequency, due) in wanted.items():
            row = by_key.get((user_id, DELIVERY_KIND[frequency], due))
            if row is None:
                taken[user_id] = (frequency, next_due(frequency, due))
            else:
                found[user_id] = row
        wanted = taken
    if wanted:
        logger.error("No open outbox row for recipients %s: e-mail skipped", sorted(wanted))
    return found


def notify(
    *,
    subjects: Iterable[models.Model | None],
    kind: str,
    actor=None,
    target: models.Model | None = None,
    key: str | None = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
    recipients: Iterable[Any] | None = None,
) -> int:
    """Tell the followers of ``subjects`` (and of what they belong to: a
    requirement's topic) that ``kind`` happened, once each.

    ``recipients`` (people or their ids), when given, replaces the followers:
    exactly those people are told (the author of a comment that got a reply),
    the subjects still give the link and the topic. ``data`` may carry an
    ``anchor`` ("#commentaire-12") that the link points to in the page.

    ``subjects[0]`` is what the notification links to; the others widen the
    audience (the SONS a decision covers). ``target`` is what happened (the
    decision); ``key`` tells a repeat from news (default: the kind and the
    target), so that running this twice tells nobody twice. The actor is not
    told of their own act. Writes the notifications and their outbox rows in
    the caller's transaction; the sweep sends the e-mails. Returns the number
    of people newly told.
    """
    given = [s for s in subjects if s is not None]
    if not given:
        return 0
    primary = given[0]
    everything = registry.with_parents(given)
    if key is None:
        anchor = target if target is not None else primary
        key = f"{anchor._meta.label_lower}:{anchor.pk}"
    snapshot = {
        **registry.summarise(target),
        **(data or {}),
        "subject": registry.describe(primary),
        "topic": registry.describe(registry.topic_of(primary)),
    }
    now = now or timezone.now()
    with transaction.atomic():
        if recipients is None:
            followers = _followers(everything)
            if actor is not None:
                followers = followers.exclude(user=actor)
            audience = followers.order_by().values_list(
                "user_id", "user__email_preference__frequency"
            )
        else:
            ids = {getattr(person, "pk", person) for person in recipients}
            people = get_user_model().objects.filter(pk__in=ids, is_active=True)
            if actor is not None:
                people = people.exclude(pk=actor.pk)
            audience = people.order_by().values_list("pk", "email_preference__frequency")
        frequencies = {
            user_id: frequency or EmailPreference.DEFAULT
            for user_id, frequency in audience.distinct()
        }
        told = set(
            Notification.objects.filter(
                kind=kind, key=key, recipient_id__in=list(frequencies)
            ).values_list("recipient_id", flat=True)
        )
        fresh = {user_id: f for user_id, f in frequencies.items() if user_id not in told}
        if not fresh:
            return 0
        deliveries = _open_deliveries(fresh, now)
        subject_type = _content_type(primary)
        target_type = _content_type(target) if target is not None else None
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id,
                    kind=kind,
                    subject_type=subject_type,
                    subject_id=primary.pk,
                    target_type=target_type,
                    target_id=target.pk if target is not None else None,
                    key=key,
                    actor=actor,
                    data=snapshot,
                    created_at=now,
                    delivery=deliveries.get(user_id),
                )
                for user_id in sorted(fresh)
            ],
            ignore_conflicts=True,
        )
    return len(fresh)


# --- Reading ------------------------------------------------------------------------------------


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of ``user``'s unread notifications as read."""
    unread = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


# --- Reminders -------------------------------------------------------------------------------


@dataclass
class Planned:
    """What ``plan`` changed in the outbox."""

    created: int = 0
    moved: int = 0
    revived: int = 0
    cancelled: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.moved + self.revived + self.cancelled


Wanted = dict[models.Model, Iterable[tuple[int, datetime]]]


def plan(kind: str, wanted: Wanted, *, now: datetime | None = None) -> Planned:
    """Make the pending reminders of ``kind`` about each subject exactly what
    ``wanted`` gives it: (recipient id, due time) pairs. Idempotent: planning
    the same thing twice changes nothing the second time.

    Runs in the caller's transaction (a move, a cancellation, a registration),
    so that the outbox changes with what it depends on:

    - a wanted reminder that has no row is created, unless its time is past
      (someone who registers three days before a workshop gets its J-1, not
      its J-7 at once);
    - a pending row that is no longer wanted is moved to a wanted time of the
      same recipient that has no row (the event moved: its reminders move
      with it), or else cancelled (the event was cancelled, the person is no
      longer concerned); a cancelled row wanted again, in the future, is
      revived (the event was reinstated, or moved back);
    - rows already sent, skipped or failed stay as they are: nothing is sent
      twice for the same subject, recipient and time;
    - a row that a delivery task holds right now is left to it: its writer
      checks at send time that the reminder still makes sense.
    """
    now = now or timezone.now()
    result = Planned()
    if not wanted:
        return result
    keys = {
        (_content_type(subject).pk, subject.pk): set(pairs) for subject, pairs in wanted.items()
    }
    condition = Q()
    for type_id in {type_id for type_id, _pk in keys}:
        ids = [pk for t, pk in keys if t == type_id]
        condition |= Q(subject_type_id=type_id, subject_id__in=ids)
    with transaction.atomic():
        rows = Delivery.objects.filter(condition, kind=kind)
        # Locked first, so that a concurrent claim or plan is seen in full.
        pending = list(
            rows.filter(status=Delivery.Status.PENDING).select_for_update().order_by("pk")
        )
        existing = defaultdict(dict)  # subject key → {(recipient, due): (pk, status)}
        for pk, type_id, subject_id, recipient_id, due_at, status in rows.values_list(
            "pk", "subject_type_id", "subject_id", "recipient_id", "due_at", "status"
        ):
            existing[(type_id, subject_id)][(recipient_id, due_at)] = (pk, status)
        to_cancel: list[int] = []
        to_revive: list[int] = []
        moves: list[tuple[Delivery, datetime]] = []
        creations: list[Delivery] = []
        for key, pairs in keys.items():
            have = existing.get(key, {})
            loose: dict[int, list[Delivery]] = defaultdict(list)
            for row in pending:
                if (row.subject_type_id, row.subject_id) != key:
                    continue
                if (row.recipient_id, row.due_at) in pairs or row.is_leased:
                    continue
                loose[row.recipient_id].append(row)
            missing: dict[int, list[datetime]] = defaultdict(list)
            for recipient_id, due in sorted(pairs):
                found = have.get((recipient_id, due))
                if found is None:
                    if due > now:
                        missing[recipient_id].append(due)
                elif found[1] == Delivery.Status.CANCELLED and due > now:
                    to_revive.append(found[0])
            for recipient_id in set(loose) | set(missing):
                old = sorted(loose.get(recipient_id, []), key=lambda row: row.due_at)
                new = missing.get(recipient_id, [])
                moves += list(zip(old, new, strict=False))
                to_cancel += [row.pk for row in old[len(new) :]]
                creations += [
                    Delivery(
                        recipient_id=recipient_id,
                        kind=kind,
                        subject_type_id=key[0],
                        subject_id=key[1],
                        due_at=due,
                        available_at=due,
                        created_at=now,
                    )
                    for due in new[len(old) :]
                ]
        for row, due in moves:
            try:
                with transaction.atomic():
                    Delivery.objects.filter(pk=row.pk, status=Delivery.Status.PENDING).update(
                        due_at=due, **_fresh(due)
                    )
                result.moved += 1
            except IntegrityError:
                # Another planner created that row meanwhile: this one goes.
                to_cancel.append(row.pk)
        if to_cancel:
            result.cancelled = Delivery.objects.filter(
                pk__in=to_cancel, status=Delivery.Status.PENDING
            ).update(status=Delivery.Status.CANCELLED, lease_token=None)
        if to_revive:
            result.revived = Delivery.objects.filter(
                pk__in=to_revive, status=Delivery.Status.CANCELLED
            ).update(status=Delivery.Status.PENDING, available_at=F("due_at"), **_fresh(None))
        if creations:
            result.created = len(Delivery.objects.bulk_create(creations, ignore_conflicts=True))
    return result


def _fresh(due: datetime | None) -> dict[str, Any]:
    """A row as if never tried: a moved or revived reminder starts again."""
    values: dict[str, Any] = {
        "lease_token": None,
        "attempts": 0,
        "first_attempt_at": None,
        "last_error": "",
    }
    if due is not None:
        values["available_at"] = due
    return values


# --- The outbox ---------------------------------------------------------------------------------


def claim_due(*, now: datetime | None = None, limit: int | None = None) -> tuple[str, list[int]]:
    """Claim the rows that are due, atomically, under a lease: the rows go to
    this claim and to no other, whatever else sweeps at the same time. Rows
    whose lease expired are due again and are taken back here. Returns the
    lease and the rows' ids."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        # PostgreSQL: rows another sweep (or notify) holds are skipped, not
        # waited for. SQLite: the IMMEDIATE transaction serialises writers.
        ids = list(
            Delivery.objects.due(now)
            .order_by("available_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: limit or conf.sweep_batch()]
        )
        if ids:
            # Conditional, so that the claim holds even where rows are not locked.
            Delivery.objects.due(now).filter(pk__in=ids).update(
                lease_token=token, available_at=now + conf.lease()
            )
            ids = list(
                Delivery.objects.filter(pk__in=ids, lease_token=token).values_list("pk", flat=True)
            )
    return str(token), ids


def release(ids: Iterable[int], lease: str) -> int:
    """Give back rows claimed under ``lease`` that no task will deliver (the
    broker refused them): the next sweep takes them."""
    return Delivery.objects.filter(
        pk__in=list(ids), lease_token=lease, status=Delivery.Status.PENDING
    ).update(lease_token=None, available_at=timezone.now())


def deliver(delivery_id: int, lease: str, *, now: datetime | None = None) -> str:
    """Send one outbox row claimed under ``lease``; safe to run twice.

    The task first trades the sweep's lease for its own, in one conditional
    update: a second run of the same task (a redelivered message) finds the
    lease gone and does nothing. The row is marked sent after the send: if
    that mark is lost (the worker dies in between), the lease expires and a
    later sweep sends again — the same content, with the same Message-ID.
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    taken = Delivery.objects.filter(
        pk=delivery_id, lease_token=lease, status=Delivery.Status.PENDING
    ).update(
        lease_token=token,
        available_at=now + conf.lease(),
        attempts=F("attempts") + 1,
        first_attempt_at=Coalesce(F("first_attempt_at"), Value(now)),
    )
    if not taken:
        logger.info("Outbox row %s: not (or no longer) held by lease %s", delivery_id, lease)
        return "not-held"
    delivery = Delivery.objects.select_related("recipient").get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, lease_token=token)
    try:
        message = emails.build(delivery)
        if message is None:
            mine.update(status=Delivery.Status.SKIPPED, lease_token=None, last_error="")
            return "skipped"
        message.send()
    except Exception as error:
        return _failed(delivery, mine, error)
    updated = mine.update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        lease_token=None,
        message_id=message.extra_headers["Message-ID"],
        last_error="",
    )
    if not updated:
        logger.warning("Outbox row %s sent after its lease expired", delivery_id)
    return "sent"


def _failed(delivery: Delivery, mine, error: Exception) -> str:
    delays = conf.retry_delays()
    attempts = delivery.attempts
    description = f"{type(error).__name__}: {error}"[:2000]
    if attempts > len(delays):
        logger.error("Outbox row %s failed %s times, giving up: %s", delivery.pk, attempts, error)
        mine.update(status=Delivery.Status.FAILED, lease_token=None, last_error=description)
        return "failed"
    logger.warning("Outbox row %s failed (attempt %s): %s", delivery.pk, attempts, error)
    mine.update(
        lease_token=None,
        available_at=timezone.now() + timedelta(seconds=delays[attempts - 1]),
        last_error=description,
    )
    return "retry"


def purge(*, now: datetime | None = None, days: int = 90) -> int:
    """Forget outbox rows done with long ago (sent, with nothing to send, or
    cancelled reminders);
    failed rows stay until an admin deals with them. The notifications stay:
    they are the person's history in the portal."""
    before = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = Delivery.objects.filter(
        status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED, Delivery.Status.CANCELLED],
        due_at__lt=before,
    ).delete()
    return deleted


def retry(delivery: Delivery) -> bool:
    """An admin sends a failed row again, now."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING, available_at=timezone.now(), lease_token=None
        )
    )
