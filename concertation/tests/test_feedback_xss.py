"""Every XSS payload in every text field of a feedback and of its answer:
every page, fragment and e-mail that shows them keeps them inert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from concertation.models import Feedback
from core.testing import XSS_PAYLOADS, assert_no_xss
from notifications import services as outbox
from notifications.models import Delivery

from .feedback_helpers import feedback_post

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (
    "current_wording",
    "proposed_wording",
    "argument",
    "impact_effort",
    "impact_cost",
    "impact_deadline",
    "impact_feasibility",
    "new_element",
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_in_every_field_stay_inert(payload, client_as, persona_user):
    federation, lead = client_as("federation"), client_as("lead")
    data = feedback_post(**{name: f"{payload} {name}" for name in TEXT_FIELDS})
    data["current_wording"] = f"{payload} actuel"
    # A refused form echoes what was typed: inert too.
    refused = federation.post(reverse("feedback_new"), {**data, "sons": []})
    assert refused.status_code == 200
    assert_no_xss(refused.content, "the refused form")
    data.pop("brouillon")
    data["deposer"] = "1"
    assert federation.post(reverse("feedback_new"), data).status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.argument == f"{payload} argument"  # stored as typed
    lead.post(
        reverse("feedback_answer", args=[feedback.pk]),
        {
            "disposition": "accepted",
            "text": f"{payload} réponse",
            "publish": "publish",
            "version": Feedback.objects.get(pk=feedback.pk).version,
        },
    )
    assert Feedback.objects.get(pk=feedback.pk).is_answered
    pages = [
        (federation, reverse("feedback_detail", args=[feedback.pk])),
        (federation, reverse("feedback_edit", args=[feedback.pk])),
        (federation, reverse("my_feedback")),
        (federation, reverse("topic_detail", args=["9"])),
        (federation, reverse("requirement_detail", args=["SC.DMP/UX.10"])),
        (federation, reverse("notification_list")),
        (client_as("federation2"), reverse("feedback_detail", args=[feedback.pk])),
        (lead, reverse("feedback_inbox")),
        (lead, reverse("feedback_detail", args=[feedback.pk])),
        (lead, reverse("dashboard")),
    ]
    for client, url in pages:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert_no_xss(response.content, url)
    mail.outbox.clear()
    fanny = persona_user("federation")
    digest = Delivery.objects.filter(recipient=fanny, status=Delivery.Status.PENDING).first()
    lease, ids = outbox.claim_due(now=digest.due_at + timedelta(seconds=30))
    for pk in ids:
        outbox.deliver(pk, lease, now=digest.due_at + timedelta(seconds=30))
    assert mail.outbox
    for message in mail.outbox:
        for body, _type in message.alternatives:
            assert_no_xss(body, "the e-mail")
