"""The issue's "How it will be checked", through the portal's own pages:
editor@demo.example follows topic #7 and chooses the daily digest; a lead
publishes a decision on SC.SSI/IE.33: the editor's badge shows one unread
notification at once, and the next daily digest lists it once. (Killing the
worker and stopping Redis: test_reliability.py.)"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from notifications import services
from notifications.tests.helpers import publish_decision
from topics.models import Topic

pytestmark = pytest.mark.django_db


def test_editor_follows_topic_7_on_the_daily_digest_and_hears_of_ie33_once(client_as, persona_user):
    editor = client_as("editor")
    topic = Topic.objects.get(number=7)
    with time_machine.travel("2023-09-25 10:00 +0200", tick=False):
        editor.post(reverse("follow"), {"subject": f"topics.topic:{topic.pk}"})
        editor.post(reverse("email_preferences"), {"frequency": "daily"})

    with time_machine.travel("2023-09-25 15:30 +0200", tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
        html = editor.get(reverse("dashboard")).content.decode()
        assert re.search(r'id="portal-unread-count" aria-hidden="true">1</span>', html)
        lease, ids = services.claim_due()
        assert ids == []  # nothing goes out before the digest

    with time_machine.travel("2023-09-26 07:00:20 +0200", tick=False):
        for _sweep in range(2):  # a second sweep finds nothing more to send
            lease, ids = services.claim_due()
            for pk in ids:
                services.deliver(pk, lease)

    (digest,) = mail.outbox
    assert digest.to == ["editor@demo.example"]
    assert digest.subject == "[Concertation Ségur] Résumé du jour : 1 nouveauté"
    assert digest.body.count("SC.SSI/IE.33 : Exigence conservée") == 1
    assert "== #7 (SSI/IE) Exigences gestions des comptes et des utilisateurs ==" in digest.body
    html = digest.alternatives[0][0]
    assert html.count("SC.SSI/IE.33 : Exigence conservée") == 1
    # The digest does not mark it read: the badge still says it until it is opened.
    assert "portal-unread-count" in editor.get(reverse("dashboard")).content.decode()
