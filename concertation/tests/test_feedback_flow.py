"""The issue's check, end to end through HTTP with the demo personas:
federation@ drafts feedback on SC.DMP/UX.10 with a proposed wording and a
DOCX, editor@ co-signs it once filed, lead@ answers "acceptée avec
modifications"; the federation sees the notification and gets the e-mail
(through the outbox); federation2@ sees nothing of it until the answer is
published; feedback on the published SC.SSI/GEN.08 decision without a new
element is refused; the synthesis export lists the answer."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from concertation.models import Feedback, FeedbackAttachment
from notifications import services as outbox
from notifications.models import Delivery, Notification
from topics.models import Requirement, Sons

from .feedback_helpers import DOCX_TYPE, docx_bytes, feedback_post, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def deliver_due(now=None) -> list[str]:
    """What the beat sweep and its delivery tasks do: claim, then deliver."""
    lease, ids = outbox.claim_due(now=now)
    return [outbox.deliver(pk, lease, now=now) for pk in ids]


def test_the_issue_check(client_as, persona_user):
    federation = client_as("federation")
    federation2 = client_as("federation2")
    editor = client_as("editor")
    lead = client_as("lead")

    # The federation opens the form from the requirement: its statement is the current wording.
    form = federation.get(reverse("feedback_new") + "?sujet=9&exigence=SC.DMP/UX.10")
    assert form.status_code == 200
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    statement = requirement.applicabilities.first().statement
    assert statement[:40] in form.content.decode().replace("&#x27;", "'")

    # Draft with a proposed wording and a DOCX.
    data = feedback_post(attachments=upload("proposition.docx", docx_bytes(), DOCX_TYPE))
    response = federation.post(reverse("feedback_new") + "?sujet=9", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    feedback = Feedback.objects.get()
    assert feedback.status == Feedback.Status.DRAFT
    assert feedback.organisation.name == "Fédération démo des éditeurs de santé"
    assert list(feedback.requirements.all()) == [requirement]
    assert feedback.proposed_wording.endswith("sauf refus du patient tracé.")
    attachment = FeedbackAttachment.objects.get(feedback=feedback)
    assert attachment.content_type == DOCX_TYPE
    detail = reverse("feedback_detail", args=[feedback.pk])
    download = reverse("feedback_attachment", args=[feedback.pk, attachment.pk])

    # The draft: the federation's member editor reads it and comments on it, nobody else.
    assert editor.get(detail).status_code == 200
    commented = editor.post(
        reverse("comment_post", args=["retour", str(feedback.pk)]),
        {"body": "Nous cosignerons : ajoutez le coût de la traçabilité."},
    )
    assert commented.status_code == 302
    assert "ajoutez le coût de la traçabilité" in federation.get(detail).content.decode()
    assert (
        federation2.post(
            reverse("comment_post", args=["retour", str(feedback.pk)]), {"body": "Intrus"}
        ).status_code
        == 404
    )
    for other in (federation2, lead, client_as("outsider"), client_as("editor2")):
        assert other.get(detail).status_code == 404
        assert other.get(download).status_code == 404

    # Filed: the decision on UX.10 is published, so the new element is required (it is given).
    filed = federation.post(
        reverse("feedback_file", args=[feedback.pk]), {"version": feedback.version}
    )
    assert filed.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.SUBMITTED
    assert feedback.on_decided_subject
    assert AuditEvent.objects.filter(action="feedback_filed", target_id=str(feedback.pk)).exists()

    # The editor co-signs; the federation is told.
    page = editor.get(detail).content.decode()
    assert reverse("feedback_cosign", args=[feedback.pk]) in page
    assert editor.post(reverse("feedback_cosign", args=[feedback.pk])).status_code == 302
    assert list(feedback.signatures.values_list("organisation__name", flat=True)) == [
        "Éditeur démo LGC"
    ]
    fanny = persona_user("federation")
    assert Notification.objects.filter(
        recipient=fanny, kind=Notification.Kind.FEEDBACK_COSIGNED
    ).exists()
    assert "Éditeur démo LGC" in federation.get(detail).content.decode()

    # Leads read it now; federation2 still nothing: page, file, lists, topic page.
    assert lead.get(detail).status_code == 200
    assert lead.get(download).status_code == 200
    assert federation2.get(detail).status_code == 404
    assert federation2.get(download).status_code == 404
    assert federation2.get(reverse("feedback_inbox")).status_code == 403
    mine2 = federation2.get(reverse("my_feedback")).content.decode()
    assert f"Retour n°{feedback.pk}" not in mine2
    topic_page = federation2.get(reverse("topic_detail", args=["9"])).content.decode()
    assert reverse("feedback_detail", args=[feedback.pk]) not in topic_page
    assert not Notification.objects.filter(recipient=persona_user("federation2")).filter(
        kind__startswith="feedback"
    )

    # The lead answers "acceptée avec modifications", published at once.
    answered = lead.post(
        reverse("feedback_answer", args=[feedback.pk]),
        {
            "disposition": "accepted_with_changes",
            "text": "Acceptée : la traçabilité du refus sera précisée dans la V2.",
            "publish": "publish",
            "version": Feedback.objects.get(pk=feedback.pk).version,
        },
    )
    assert answered.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.ANSWERED
    assert feedback.disposition == "accepted_with_changes"

    # The federation sees the notification…
    notification = Notification.objects.get(
        recipient=fanny, kind=Notification.Kind.FEEDBACK_ANSWERED
    )
    assert "Acceptée avec modifications" in notification.title
    listing = federation.get(reverse("notification_list")).content.decode()
    assert "Acceptée avec modifications" in listing
    # … and gets the e-mail, through the outbox.
    mail.outbox.clear()
    # (the federation's default rhythm: the daily digest, due at its time).
    digest = Delivery.objects.get(recipient=fanny, status=Delivery.Status.PENDING)
    assert "sent" in deliver_due(now=digest.due_at + timedelta(seconds=30))
    to_fanny = [m for m in mail.outbox if fanny.email in m.to]
    assert to_fanny, [m.to for m in mail.outbox]
    assert "Acceptée avec modifications" in to_fanny[0].subject + to_fanny[0].body
    assert "traçabilité du refus" in to_fanny[0].body

    # Published: federation2 reads it, with its answer.
    page2 = federation2.get(detail)
    assert page2.status_code == 200
    assert "la traçabilité du refus sera précisée" in page2.content.decode()

    # The synthesis export lists the answer, on the topic's sheet.
    export = lead.get(reverse("feedback_export"))
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.content))
    (sheet,) = workbook.worksheets
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Exigence"
    line = next(r for r in rows if r[0] == "SC.DMP/UX.10")
    assert "Fédération démo des éditeurs de santé" in line
    assert "Acceptée avec modifications" in line
    assert "Acceptée : la traçabilité du refus sera précisée dans la V2." in line


def test_feedback_on_a_decided_requirement_needs_a_new_element(client_as):
    """SC.SSI/GEN.08's decision ("exigence supprimée") is published."""
    federation = client_as("federation")
    requirement = Requirement.objects.get(reference="SC.SSI/GEN.08")
    sons = requirement.applicabilities.first().sons
    data = feedback_post(
        sujet=str(requirement.topic.number),
        requirements=[str(requirement.pk)],
        sons=[str(sons.pk)],
        new_element="",
        deposer="1",
    )
    del data["brouillon"]
    response = federation.post(reverse("feedback_new"), data)
    assert response.status_code == 200
    text = response.content.decode().replace("&#x27;", "'")
    assert "déjà été arbitré" in text
    assert "élément nouveau" in text
    assert "aria-describedby" in text
    # What was typed is kept; nothing was saved.
    assert "Les éditeurs LGC ne peuvent pas tracer le refus autrement." in text
    assert not Feedback.objects.exists()
    # With the new element, it is filed and flagged to the leads.
    data["new_element"] = "Une faille publiée par l'ANSSI après l'arbitrage."
    assert federation.post(reverse("feedback_new"), data).status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.status == Feedback.Status.SUBMITTED
    assert feedback.on_decided_subject
    assert Sons.objects.filter(feedback=feedback).count() == 1
