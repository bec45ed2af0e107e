"""The outbox: claimed atomically with a lease, delivered by tasks that are
safe to run twice, retried with back-off, failed rows shown to admins with a
retry button. In-process here, with frozen time; the real worker and Redis
are in test_reliability.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Delivery, EmailPreference, Notification
from notifications.tests.helpers import publish_decision
from topics.models import Topic

pytestmark = pytest.mark.django_db

START = "2023-09-25 15:30 +0200"


@pytest.fixture
def due_row(persona_user, settings):
    """editor@ follows topic 7 with immediate e-mail; a lead publishes a
    decision on SC.SSI/IE.33: one row, due at the next minute."""
    settings.NOTIFICATIONS_RETRY_DELAYS = [60, 300]
    with time_machine.travel(START, tick=False):
        editor = persona_user("editor")
        services.set_email_frequency(editor, EmailPreference.Frequency.IMMEDIATE)
        services.follow(editor, Topic.objects.get(number=7))
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
    return Delivery.objects.get(recipient=editor)


def test_nothing_is_claimed_before_it_is_due(due_row):
    assert services.claim_due(now=due_row.due_at - timedelta(seconds=1))[1] == []
    assert services.claim_due(now=due_row.due_at)[1] == [due_row.pk]


def test_a_claimed_row_is_nobody_elses_until_its_lease_expires(due_row, settings):
    settings.NOTIFICATIONS_LEASE_SECONDS = 600
    now = due_row.due_at
    _lease, first = services.claim_due(now=now)
    _lease, second = services.claim_due(now=now + timedelta(seconds=599))
    assert first == [due_row.pk]
    assert second == []
    # The worker that held it died: after the lease, a sweep takes it back.
    _lease, third = services.claim_due(now=now + timedelta(seconds=601))
    assert third == [due_row.pk]


def test_delivering_sends_once_and_records_it(due_row):
    now = due_row.due_at
    lease, ids = services.claim_due(now=now)

    assert services.deliver(ids[0], lease, now=now) == "sent"
    # The same task run again (a redelivered message) does nothing.
    assert services.deliver(ids[0], lease, now=now) == "not-held"

    assert len(mail.outbox) == 1
    row = Delivery.objects.get(pk=due_row.pk)
    assert row.status == Delivery.Status.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.message_id == mail.outbox[0].extra_headers["Message-ID"]
    assert row.lease_token is None


def test_a_delivery_under_an_expired_lease_does_nothing(due_row, settings):
    settings.NOTIFICATIONS_LEASE_SECONDS = 60
    now = due_row.due_at
    old_lease, _ids = services.claim_due(now=now)
    new_lease, _ids = services.claim_due(now=now + timedelta(seconds=61))
    assert services.deliver(due_row.pk, old_lease, now=now) == "not-held"
    assert services.deliver(due_row.pk, new_lease, now=now) == "sent"
    assert len(mail.outbox) == 1


def test_a_resend_after_a_lost_commit_has_the_same_message_id(due_row, settings):
    """The send succeeded but the "sent" mark was lost (the worker died): a
    later sweep sends the same e-mail again, recognisable by its Message-ID."""
    settings.NOTIFICATIONS_LEASE_SECONDS = 60
    now = due_row.due_at
    lease, _ids = services.claim_due(now=now)
    assert services.deliver(due_row.pk, lease, now=now) == "sent"
    Delivery.objects.filter(pk=due_row.pk).update(
        status=Delivery.Status.PENDING, sent_at=None, available_at=now
    )
    # Meanwhile the recipient followed the e-mail's link: the item is read.
    assert services.mark_read(due_row.recipient) == 1

    lease, ids = services.claim_due(now=now + timedelta(seconds=61))
    assert services.deliver(ids[0], lease, now=now) == "sent"

    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.body == second.body


def test_a_failed_send_is_retried_with_back_off_then_shown_to_admins(due_row, settings, client_as):
    # A real SMTP backend, towards a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    now = due_row.due_at

    lease, ids = services.claim_due(now=now)
    assert services.deliver(ids[0], lease, now=now) == "retry"
    row = Delivery.objects.get(pk=due_row.pk)
    assert row.status == Delivery.Status.PENDING
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    # Back-off: the first retry waits a minute, not less.
    assert services.claim_due(now=row.available_at - timedelta(seconds=1))[1] == []

    for outcome in ("retry", "failed"):  # attempts 2 and 3
        row = Delivery.objects.get(pk=due_row.pk)
        lease, ids = services.claim_due(now=row.available_at)
        assert ids == [row.pk]
        assert services.deliver(row.pk, lease, now=row.available_at) == outcome
    row = Delivery.objects.get(pk=due_row.pk)
    assert row.status == Delivery.Status.FAILED
    assert row.attempts == 3
    assert services.claim_due(now=timezone.now() + timedelta(days=30))[1] == []

    # Admins see it among the failed rows, and retry it.
    admin = client_as("admin")
    listing = admin.get(reverse("admin:notifications_delivery_changelist") + "?status=failed")
    assert listing.status_code == 200
    assert "Émile Éditeur" in listing.content.decode()
    page = admin.get(reverse("admin:notifications_delivery_change", args=[row.pk]))
    assert "Réessayer l'envoi" in page.content.decode()
    retry_url = reverse("admin:notifications_delivery_retry", args=[row.pk])
    assert admin.get(retry_url).status_code == 405
    assert client_as("lead").post(retry_url).status_code == 302  # to the admin's login
    assert Delivery.objects.get(pk=row.pk).status == Delivery.Status.FAILED
    assert admin.post(retry_url).status_code == 302

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lease, ids = services.claim_due()
    assert ids == [row.pk]
    assert services.deliver(row.pk, lease) == "sent"
    row = Delivery.objects.get(pk=row.pk)
    assert (row.status, row.attempts) == (Delivery.Status.SENT, 4)
    assert len(mail.outbox) == 1


def test_the_admin_outbox_counts_rows_by_status(due_row, client_as):
    html = client_as("admin").get(reverse("admin:notifications_delivery_changelist")).content
    html = html.decode()
    assert "À envoyer&nbsp;: <strong>1</strong>" in html
    assert "Échec&nbsp;: <strong>0</strong>" in html


def test_the_admin_retry_action_only_touches_failed_rows(due_row, client_as):
    Delivery.objects.filter(pk=due_row.pk).update(status=Delivery.Status.SENT)
    response = client_as("admin").post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry_selected", "_selected_action": [due_row.pk]},
    )
    assert response.status_code == 302
    assert Delivery.objects.get(pk=due_row.pk).status == Delivery.Status.SENT


def test_a_sweep_gives_back_what_the_broker_refuses(due_row, broker_down, caplog):
    """Redis is down: publishing fails fast, is logged, and the rows are
    handed back at once for the next sweep (no lease to wait for)."""
    from notifications.tasks import sweep

    with time_machine.travel(due_row.due_at + timedelta(seconds=5), tick=False):
        assert sweep() == 0
        row = Delivery.objects.get(pk=due_row.pk)
        assert row.lease_token is None
        assert row.status == Delivery.Status.PENDING
        assert services.claim_due()[1] == [due_row.pk]
    assert "Broker refused delivery tasks" in caplog.text


def test_beat_sweeps_every_minute_and_purges_daily(settings):
    """The issue: "a Celery beat sweep every minute". Digests need no entry of
    their own: their rows are due at the digest time and the sweep sends them."""
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["notifications-sweep"]["task"] == "notifications.tasks.sweep"
    assert schedule["notifications-sweep"]["schedule"] == 60
    assert schedule["notifications-purge"]["task"] == "notifications.tasks.purge"


def test_purge_forgets_old_finished_rows_but_keeps_failures_and_notifications(due_row):
    Delivery.objects.filter(pk=due_row.pk).update(status=Delivery.Status.SENT)
    failed = Delivery.objects.create(
        recipient=due_row.recipient,
        kind=Delivery.Kind.DAILY_DIGEST,
        subject_type=due_row.subject_type,
        subject_id=due_row.subject_id,
        due_at=due_row.due_at,
        available_at=due_row.due_at,
        status=Delivery.Status.FAILED,
    )
    assert services.purge(now=due_row.due_at + timedelta(days=89)) == 0
    assert services.purge(now=due_row.due_at + timedelta(days=91)) == 1
    assert list(Delivery.objects.all()) == [failed]
    assert Notification.objects.get(recipient=due_row.recipient).delivery is None


def test_unsubscribe_is_the_only_view_that_skips_csrf():
    from segur_portal.tests.test_permission_matrix import url_patterns

    exempt = sorted(
        name for name, pattern in url_patterns() if getattr(pattern.callback, "csrf_exempt", False)
    )
    assert exempt == ["unsubscribe"]
