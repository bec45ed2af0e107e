"""Delivery under failure, with real processes: Celery workers and beat on a
redis-server of the test's own (stopped and restarted here, never the shared
one), the test database, and Django's file e-mail backend, so that every
message a worker sends can be counted.

The issue's promises: none is lost; a duplicate appears only for a send that
succeeded and whose "sent" mark was lost, and carries the same Message-ID;
two beats started by mistake send nothing twice; with Redis stopped,
publishing a decision still succeeds and the e-mail arrives once Redis is
back. Every wait has a deadline: the tests stop by themselves.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from core.testing import celery_process, private_redis
from notifications import services
from notifications.models import Delivery, EmailPreference, Notification
from notifications.tests.helpers import delivery_id_of, publish_decision, read_mailbox
from topics.models import Topic

pytestmark = [pytest.mark.worker, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Gave up after {timeout:.0f}s waiting for {what}")


def celery_env(redis, mailbox, **overrides) -> dict[str, str]:
    """What the worker and beat processes read from the environment."""
    return {
        "CELERY_BROKER_URL": redis.url(0),
        "CELERY_RESULT_BACKEND": redis.url(1),
        "REDIS_URL": "",  # no cache on the shared Redis from these processes
        "EMAIL_URL": f"filemail:///{mailbox}",
        "NOTIFICATIONS_SWEEP_SECONDS": "1",
        **overrides,
    }


def make_due_rows(count: int, *, recipients: int = 20) -> list[int]:
    """``count`` outbox rows, all due, each with one unread notification, for
    ``recipients`` people with immediate e-mail: what a busy day leaves."""
    people = User.objects.bulk_create(
        User(
            email=f"participant{n:02}@example.org",
            given_name="Participant",
            family_name=f"{n:02}",
            language="fr" if n % 2 else "en",
        )
        for n in range(recipients)
    )
    EmailPreference.objects.bulk_create(
        EmailPreference(user=person, frequency=EmailPreference.Frequency.IMMEDIATE)
        for person in people
    )
    topic = Topic.objects.get(number=7)
    user_type = ContentType.objects.get_for_model(User)
    topic_type = ContentType.objects.get_for_model(Topic)
    start = timezone.now().replace(second=0, microsecond=0)
    rows = Delivery.objects.bulk_create(
        Delivery(
            recipient=people[n % recipients],
            kind=Delivery.Kind.IMMEDIATE,
            subject_type=user_type,
            subject_id=people[n % recipients].pk,
            due_at=start - timedelta(minutes=n // recipients),
            available_at=start - timedelta(minutes=n // recipients),
        )
        for n in range(count)
    )
    rows = list(Delivery.objects.order_by("pk"))
    Notification.objects.bulk_create(
        Notification(
            recipient_id=row.recipient_id,
            kind=Notification.Kind.DECISION_PUBLISHED,
            subject_type=topic_type,
            subject_id=topic.pk,
            key=f"test:{row.pk}",
            data={
                "subject": {"ref": f"topics.topic:{topic.pk}", "name": "#7", "url": "/sujets/7/"},
                "topic": {"ref": f"topics.topic:{topic.pk}", "name": "#7", "url": "/sujets/7/"},
                "decision_label": "Exigence conservée",
                "sons": ["LGC"],
                "comment": f"Décision n° {row.pk}.",
            },
            created_at=row.due_at - timedelta(seconds=30),
            delivery=row,
        )
        for row in rows
    )
    return [row.pk for row in rows]


def messages_per_row(mailbox) -> dict[int, list]:
    per_row = defaultdict(list)
    for message in read_mailbox(mailbox):
        per_row[delivery_id_of(message)].append(message)
    return per_row


def sent_count() -> int:
    return Delivery.objects.filter(status=Delivery.Status.SENT).count()


@pytest.mark.timeout(600)
def test_a_thousand_deliveries_survive_a_killed_worker_and_a_redis_restart(demo_data, tmp_path):
    mailbox = tmp_path / "mailbox"
    ids = make_due_rows(1000)
    started = time.monotonic()

    with private_redis() as redis:
        env = celery_env(
            redis,
            mailbox,
            # Short leases so that what the dead worker held comes back quickly;
            # small batches so that sweeps run while deliveries are under way.
            NOTIFICATIONS_LEASE_SECONDS="5",
            NOTIFICATIONS_SWEEP_BATCH="100",
        )
        with celery_process("beat", extra_env=env) as beat:
            with celery_process("worker", queue=beat.queue, extra_env=env, ready="log") as first:
                wait_until(
                    lambda: len(read_mailbox(mailbox)) >= 300,
                    timeout=180,
                    what="300 messages from the first worker",
                )
                first.kill()  # mid-way, without warning: its task is never acked
            killed_at = len(read_mailbox(mailbox))
            assert 300 <= killed_at < 1000  # killed mid-way

            redis.stop()  # the queued tasks are lost with it
            time.sleep(3)  # beat keeps trying, and fails fast, meanwhile
            redis.start()

            with celery_process("worker", queue=beat.queue, extra_env=env, ready="log"):
                wait_until(lambda: sent_count() == 1000, timeout=300, what="all 1,000 rows sent")
        assert "Connection refused" in beat.log() or "Error" in beat.log()

    elapsed = time.monotonic() - started
    per_row = messages_per_row(mailbox)
    rows = {row.pk: row for row in Delivery.objects.filter(pk__in=ids)}

    # None lost: every row is marked sent and its e-mail was written.
    assert all(row.status == Delivery.Status.SENT for row in rows.values())
    assert set(per_row) == set(ids), f"rows without a message: {sorted(set(ids) - set(per_row))}"
    # Each message went to the row's recipient and carries the row's Message-ID.
    for pk, messages in per_row.items():
        assert {m["Message-ID"] for m in messages} == {rows[pk].message_id}
        assert {m["To"] for m in messages} == {rows[pk].recipient.email}
    # A duplicate only where the worker died between the send and its record:
    # the solo worker had at most one send in flight when it was killed.
    duplicates = {pk: len(messages) for pk, messages in per_row.items() if len(messages) > 1}
    assert len(duplicates) <= 1, duplicates
    for pk in duplicates:
        assert rows[pk].attempts >= 2
        first, second = per_row[pk][:2]
        assert first.get_body(("plain",)).get_content() == second.get_body(("plain",)).get_content()
    print(
        f"\n1,000 rows: {killed_at} messages before the kill, {len(duplicates)} duplicate(s), "
        f"{elapsed:.0f}s in all"
    )


@pytest.mark.timeout(420)
def test_two_beats_started_by_mistake_send_nothing_twice(demo_data, tmp_path):
    mailbox = tmp_path / "mailbox"
    ids = make_due_rows(300)

    with private_redis() as redis:
        env = celery_env(redis, mailbox, NOTIFICATIONS_SWEEP_BATCH="25")
        with (
            celery_process("beat", extra_env=env) as beat,
            celery_process("beat", queue=beat.queue, extra_env=env) as second_beat,
            celery_process("worker", queue=beat.queue, extra_env=env, ready="log"),
            celery_process("worker", queue=beat.queue, extra_env=env, ready="log"),
        ):
            wait_until(lambda: sent_count() == 300, timeout=240, what="all 300 rows sent")
            time.sleep(3)  # and a few more sweeps, that must find nothing to send

    for process in (beat, second_beat):
        assert "Sending due task notifications-sweep" in process.log()
    per_row = messages_per_row(mailbox)
    assert sorted(per_row) == sorted(ids)
    assert all(len(messages) == 1 for messages in per_row.values())
    assert len(read_mailbox(mailbox)) == 300


@pytest.mark.timeout(300)
def test_with_redis_stopped_publishing_succeeds_and_the_email_arrives_after(
    demo_data, tmp_path, settings, client_as, persona_user
):
    """The issue's check: editor@ follows topic 7 with immediate e-mail; with
    Redis stopped a lead publishes a decision on SC.SSI/IE.33 — it succeeds,
    the badge shows it at once, and the e-mail arrives once Redis is back."""
    from segur_portal.celery import app

    mailbox = tmp_path / "mailbox"
    settings.NOTIFICATIONS_IMMEDIATE_SECONDS = 1
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    services.set_email_frequency(editor, EmailPreference.Frequency.IMMEDIATE)

    with private_redis() as redis:
        env = celery_env(redis, mailbox)
        with (
            celery_process("beat", extra_env=env) as beat,
            celery_process("worker", queue=beat.queue, extra_env=env, ready="log"),
        ):
            redis.stop()
            # The portal itself uses that Redis as its broker, fail-fast.
            saved = (app.conf.broker_url, app.conf.broker_transport_options, app._pool)
            saved_producers = app.amqp._producer_pool
            app.conf.broker_url = redis.url(0)
            app.conf.broker_transport_options = {"socket_connect_timeout": 2, "max_retries": 0}
            app._pool = app.amqp._producer_pool = None
            try:
                before = time.monotonic()
                publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
                html = client_as("editor").get("/").content.decode()
                took = time.monotonic() - before
            finally:
                app.conf.broker_url, app.conf.broker_transport_options, app._pool = saved
                app.amqp._producer_pool = saved_producers
            assert took < 5, f"publishing took {took:.1f}s with Redis down"
            assert 'id="portal-unread-count" aria-hidden="true">1</span>' in html
            time.sleep(3)
            assert read_mailbox(mailbox) == []  # nothing can be delivered yet

            redis.start()
            messages = wait_until(
                lambda: read_mailbox(mailbox), timeout=90, what="the e-mail after Redis returns"
            )
            time.sleep(3)

    assert len(read_mailbox(mailbox)) == 1
    (message,) = messages
    assert message["To"] == "editor@demo.example"
    assert message["Subject"].strip() == (
        "[Concertation Ségur] Arbitrage publié sur SC.SSI/IE.33 : Exigence conservée"
    )
