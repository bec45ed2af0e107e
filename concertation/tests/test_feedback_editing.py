"""Editing a draft (and its attachments), stale drafts, the leads told of
feedback filed on what they follow, the audit log of answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from concertation.feedback import services
from concertation.models import Feedback
from core.testing import unescaped
from notifications.models import Notification
from notifications.services import follow
from topics.models import Sons, Topic

from .feedback_helpers import docx_bytes, feedback_post, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_a_draft_is_edited_its_attachments_replaced_and_a_stale_form_refused(client_as):
    federation = client_as("federation")
    data = feedback_post(attachments=upload("proposition.docx", docx_bytes()))
    federation.post(reverse("feedback_new"), data)
    feedback = Feedback.objects.get()
    old = feedback.attachments.get()
    url = reverse("feedback_edit", args=[feedback.pk])
    form = unescaped(federation.get(url))
    assert data["argument"] in form
    assert "Retirer « proposition.docx »" in form
    edited = {
        **data,
        "argument": "Argument précisé.",
        "version": feedback.version,
        "retirer": [old.pk],
        "attachments": upload("courrier.pdf", pdf_bytes()),
    }
    assert federation.post(url, edited).status_code == 302
    feedback.refresh_from_db()
    assert feedback.argument == "Argument précisé."
    assert list(feedback.attachments.values_list("filename", flat=True)) == ["courrier.pdf"]
    assert not old.file.storage.exists(old.file.name)
    # The same form sent again, on the version it was read at: refused, kept.
    stale = {**edited, "argument": "Autre argument", "attachments": []}
    response = federation.post(url, stale)
    assert response.status_code == 200
    text = unescaped(response)
    assert "Quelqu'un a modifié ce brouillon" in text
    assert "Autre argument" in text
    feedback.refresh_from_db()
    assert feedback.argument == "Argument précisé."


def test_leads_following_the_topic_hear_of_feedback_filed_on_it(client_as, persona_user):
    lead, lead2 = persona_user("lead"), persona_user("lead2")
    follow(lead, Topic.objects.get(number=9))
    follow(lead2, Sons.objects.get(code="DPI"))  # not what the feedback is about
    data = feedback_post(deposer="1")
    data.pop("brouillon")
    assert client_as("federation").post(reverse("feedback_new"), data).status_code == 302
    feedback = Feedback.objects.get()
    told = Notification.objects.get(recipient=lead, kind=Notification.Kind.FEEDBACK_FILED)
    assert told.subject_url == reverse("feedback_detail", args=[feedback.pk])
    assert not Notification.objects.filter(recipient=lead2).exists()
    # Filing made the filer follow it; the answer is audited.
    services.answer(
        feedback,
        by=lead,
        data=services.AnswerInput("deferred", "Reporté à la vague 3."),
        expected_version=feedback.version,
    )
    assert AuditEvent.objects.filter(
        action="feedback_answered", target_id=str(feedback.pk), actor=lead
    ).exists()
    assert Notification.objects.filter(
        recipient=persona_user("federation"), kind=Notification.Kind.FEEDBACK_ANSWERED
    ).exists()
    # The author is not told of their own filing.
    assert not Notification.objects.filter(
        recipient=persona_user("federation"), kind=Notification.Kind.FEEDBACK_FILED
    ).exists()


def test_the_inbox_searches_as_you_type(client_as, persona_user):
    federation = persona_user("federation")
    requirement_feedback = services.save_feedback(
        by=federation,
        data=services.FeedbackInput(
            topic=Topic.objects.get(number=9),
            kind="question",
            argument="Traçabilité du refus",
            new_element="Nouveau",
        ),
        file=True,
    )
    lead = client_as("lead")
    url = reverse("feedback_inbox")
    found = lead.get(url + "?recherche=tra%C3%A7abilit%C3%A9", HTTP_HX_REQUEST="true")
    assert "<html" not in found.content.decode()
    assert reverse("feedback_detail", args=[requirement_feedback.pk]) in found.content.decode()
    missed = lead.get(url + "?recherche=antivirus").content.decode()
    assert reverse("feedback_detail", args=[requirement_feedback.pk]) not in missed
    # The filter form names its htmx target and keeps a real action (no JS needed).
    page = lead.get(url).content.decode()
    assert 'action="/retours/"' in page
    assert 'hx-get="/retours/"' in page


def test_an_editor_finds_its_federations_drafts_in_mes_retours(client_as, persona_user):
    draft = services.save_feedback(
        by=persona_user("federation"),
        data=services.FeedbackInput(
            topic=Topic.objects.get(number=9), kind="question", argument="À commenter"
        ),
    )
    link = reverse("feedback_detail", args=[draft.pk])
    assert link in client_as("editor").get(reverse("my_feedback")).content.decode()
    assert link not in client_as("editor2").get(reverse("my_feedback")).content.decode()


def test_leads_see_feedback_proposed_for_a_workshop_beside_the_agenda(client_as, persona_user):
    from calendar_app.models import AgendaItem

    item = (
        AgendaItem.objects.filter(topic__isnull=False, event__kind="sharing_session")
        .select_related("event", "topic")
        .first()
    )
    proposed = services.save_feedback(
        by=persona_user("federation"),
        data=services.FeedbackInput(
            topic=item.topic,
            kind="objection",
            argument="À discuter",
            new_element="Nouveau",
            for_workshop=True,
        ),
        file=True,
    )
    page = client_as("lead").get(reverse("session_decisions", args=[item.event.slug]))
    assert reverse("feedback_detail", args=[proposed.pk]) in page.content.decode()
    inbox = client_as("lead").get(reverse("feedback_inbox") + "?atelier=on").content.decode()
    assert reverse("feedback_detail", args=[proposed.pk]) in inbox
