"""Reminders before a topic's feedback window closes (concertation/feedback/
reminders.py), planned and sent through the notifications outbox."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from accounts.models import User
from calendar_app import reminders
from calendar_app.tests.test_reminders import NOW, Kind, Status, at, send_due
from concertation.feedback import reminders as feedback_reminders
from notifications.models import Delivery
from topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def windows(monkeypatch):
    """Topic 7's window closes on 20/10/2023 at 18:00
    (``Topic.feedback_closes_at``); the open windows are read at the test's
    "now" (the deck's 2023), so only topic 7's counts."""
    closes = at("2023-10-20 18:00")
    Topic.objects.filter(number=7).update(feedback_closes_at=closes)
    monkeypatch.setattr(feedback_reminders, "open_windows", lambda: Topic.objects.filter(number=7))
    return closes


def test_before_a_feedback_window_closes(windows, persona_user):
    with time_machine.travel(NOW, tick=False):
        reminders.plan_upcoming()
    topic = Topic.objects.get(number=7)
    found = Delivery.objects.filter(kind=Kind.FEEDBACK_REMINDER, subject_id=topic.pk)
    recipients = {row.recipient.email for row in found}
    # Federations, and the editors selling a SONS of the topic's scope.
    scope = set(topic.scope.values_list("code", flat=True))
    expected = {"federation@demo.example", "federation2@demo.example"}
    expected |= {
        user.email
        for user in User.objects.filter(role="editor", organisation__sons__code__in=scope)
    }
    assert recipients == expected
    assert {row.due_at for row in found} == {at("2023-10-13 08:00"), at("2023-10-19 08:00")}
    send_due(at("2023-10-19 08:00:30"))
    message = next(m for m in mail.outbox if m.to == ["federation@demo.example"])
    assert message.subject == (
        f"[Concertation Ségur] Rappel : les retours sur {topic.label} se terminent demain"
    )
    assert "vendredi 20 octobre 2023 à 18:00" in message.body
    assert "/sujets/7/" in message.body


def test_a_window_that_is_gone_loses_its_reminders(windows):
    with time_machine.travel(NOW, tick=False):
        reminders.plan_upcoming()
        Topic.objects.filter(number=7).update(feedback_closes_at=None)
        feedback_reminders.plan_feedback_windows()
    assert not Delivery.objects.filter(kind=Kind.FEEDBACK_REMINDER, status=Status.PENDING).exists()
