"""The issue's check: "the J-1 reminder of the next session is delivered once
by a real worker on Redis" — real Celery workers and beats on the configured
broker (Redis in CI's second run), the test database, and Django's file
e-mail backend, so that every message sent is counted.

The deck's next session is on 12/10/2023 at 14:00: its J-1 is due on 11/10
at 08:00. The test plans the reminders at a frozen 06/10 (after its J-7), then
starts two workers and two beats (started by mistake) whose clocks read 11/10
07:59:58 and tick on (core.celery_clock): the sweeps, the only publishers,
send each due reminder once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from calendar_app import reminders
from calendar_app.models import Event
from core.testing import celery_process
from notifications import services as outbox
from notifications.models import Delivery
from notifications.tests.helpers import delivery_id_of, read_mailbox

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")
SESSION = "temps-de-partage-2023-10-12"
J_1 = datetime(2023, 10, 11, 8, 0, tzinfo=PARIS)
PARTICIPANTS = {
    "editor@demo.example",
    "editor2@demo.example",
    "outsider@demo.example",
    "federation@demo.example",
    "federation2@demo.example",
}


def wait_until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"Gave up after {timeout:.0f}s waiting for {what}")


@pytest.mark.timeout(300)
def test_the_j_1_reminder_of_the_next_session_is_delivered_once_by_a_real_worker(
    demo_data, tmp_path
):
    mailbox = tmp_path / "mailbox"
    session = Event.objects.get(slug=SESSION)
    with time_machine.travel(datetime(2023, 10, 6, 9, 0, tzinfo=PARIS), tick=False):
        reminders.plan_upcoming()  # what beat's planning task does
    j_1 = {
        row.pk: row.recipient.email
        for row in Delivery.objects.filter(
            kind=Delivery.Kind.EVENT_REMINDER,
            subject_type=ContentType.objects.get_for_model(Event),
            subject_id=session.pk,
        ).select_related("recipient")
    }
    assert sorted(j_1.values()) == sorted(PARTICIPANTS)  # the J-7 (05/10) had passed
    assert set(Delivery.objects.filter(pk__in=j_1).values_list("due_at", flat=True)) == {J_1}
    # Everything due by then (other events' reminders due at 08:00 too).
    due = set(Delivery.objects.filter(due_at__lte=J_1).values_list("pk", flat=True))

    # A sweep every 3 s, each valid for 3 s: longer than the filesystem
    # broker's polling (1 s) of the embedded mode.
    env = {"EMAIL_URL": f"filemail:///{mailbox}", "NOTIFICATIONS_SWEEP_SECONDS": "3"}
    offset = J_1 - timedelta(seconds=2) - datetime.now(UTC)
    clock = {"extra_env": env, "clock_offset": offset}
    with (
        celery_process("worker", **clock) as worker,
        celery_process("worker", queue=worker.queue, **clock),
        celery_process("beat", queue=worker.queue, **clock) as beat,
        celery_process("beat", queue=worker.queue, **clock) as second_beat,
    ):
        wait_until(
            lambda: (
                Delivery.objects.filter(pk__in=due, status=Delivery.Status.SENT).count() == len(due)
            ),
            timeout=120,
            what="the reminders due on 11/10 at 08:00 to be sent",
        )
        time.sleep(7)  # more sweeps from both beats: nothing more to send
    for process in (beat, second_beat):
        assert "Sending due task notifications-sweep" in process.log()

    per_row = defaultdict(list)
    for message in read_mailbox(mailbox):
        per_row[delivery_id_of(message)].append(message)
    # Each due reminder once, and nothing else.
    assert set(per_row) == due
    assert all(len(messages) == 1 for messages in per_row.values())
    for pk, email in j_1.items():
        (message,) = per_row[pk]
        assert str(message["To"]).strip() == email
        assert (
            str(message["Subject"])
            .strip()
            .startswith("[Concertation Ségur] Rappel : 2ème temps de partage éditeur, demain — ")
        )
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == f"{SESSION}.ics"
        assert str(session.uid) in attachment.get_content()
    # Sent at the worker's 11/10, 08:00 and a few seconds.
    sent = Delivery.objects.filter(pk__in=j_1).values_list("sent_at", flat=True)
    assert all(J_1 <= at < J_1 + timedelta(minutes=2) for at in sent)
    # A sweep afterwards finds nothing of it.
    with time_machine.travel(J_1 + timedelta(minutes=5), tick=False):
        _lease, ids = outbox.claim_due()
    assert not set(ids) & due
