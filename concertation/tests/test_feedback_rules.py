"""Argued feedback's rules: attachments recognised from their content, bad
input, windows, visibility everywhere, second-lead review, concurrent
answers, bulk answers, reopening, topic status, query counts."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from arbitrations.decisions import TopicStatus, topic_progress
from arbitrations.models import Arbitration
from concertation.feedback import files, services
from concertation.feedback.services import feedback_answered
from concertation.models import Feedback, FeedbackAttachment
from core.testing import assert_queries_constant, unescaped, with_zeros
from notifications import services as notifications
from notifications.models import Delivery, Follow, Notification
from topics.models import Requirement, Sons, Topic

from .feedback_helpers import (
    DOCX_TYPE,
    ODT_TYPE,
    XLSX_TYPE,
    docx_bytes,
    feedback_post,
    odt_bytes,
    pdf_bytes,
    plain_zip_bytes,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def make_filed(persona_user, *, persona="federation", reference="SC.DMP/UX.10", **changes):
    """A feedback filed through the service, as the form would."""
    requirement = Requirement.objects.get(reference=reference)
    data = services.FeedbackInput(
        topic=requirement.topic,
        kind=Feedback.Kind.CHANGE_REQUEST,
        argument=changes.pop("argument", "Argument"),
        requirements=[requirement],
        sons=[Sons.objects.get(code="LGC")],
        current_wording="Actuel",
        proposed_wording=changes.pop("proposed_wording", "Proposé"),
        new_element="Élément nouveau",
        **changes,
    )
    return services.save_feedback(by=persona_user(persona), data=data, file=True)


# --- Attachments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("proposition.docx", docx_bytes(), DOCX_TYPE),
        ("impacts.xlsx", xlsx_bytes(), XLSX_TYPE),
        ("note.odt", odt_bytes(), ODT_TYPE),
        ("courrier.pdf", pdf_bytes(), "application/pdf"),
        ("COURRIER.PDF", pdf_bytes(), "application/pdf"),
    ],
)
def test_real_files_are_recognised(name, content, expected):
    assert files.recognise(upload(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("archive.docx", plain_zip_bytes()),  # a ZIP renamed .docx
        ("impacts.odt", xlsx_bytes()),  # an XLSX renamed .odt
        ("proposition.xlsx", docx_bytes()),  # a DOCX renamed .xlsx
        ("note.docx", odt_bytes()),
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("script.docx", b"MZ\x90\x00 not a document"),
        ("courrier.txt", pdf_bytes()),  # a PDF under another extension
    ],
)
def test_disguised_files_are_refused(name, content):
    assert files.recognise(upload(name, content)) is None


def test_the_form_refuses_a_disguised_file_keeps_what_was_typed_and_saves_nothing(client_as):
    federation = client_as("federation")
    data = feedback_post(attachments=upload("impacts.odt", xlsx_bytes()))
    response = federation.post(reverse("feedback_new"), data)
    assert response.status_code == 200
    text = unescaped(response)
    assert "« impacts.odt » n'est pas un fichier PDF, ODT, DOCX ou XLSX valide" in text
    assert "joignez-les à nouveau" in text
    assert data["argument"] in text
    assert data["proposed_wording"] in text
    assert 'aria-describedby="id_attachments' in response.content.decode() or (
        "fr-input-group--error" in text
    )
    assert not Feedback.objects.exists()
    assert not FeedbackAttachment.objects.exists()


def test_an_oversized_file_is_refused(client_as, settings):
    settings.FEEDBACK_ATTACHMENT_MAX_BYTES = 1000
    data = feedback_post(attachments=upload("courrier.pdf", pdf_bytes() + b"%" * 5000))
    response = client_as("federation").post(reverse("feedback_new"), data)
    assert response.status_code == 200
    assert "« courrier.pdf » dépasse 1000\xa0octets." in unescaped(response)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("name", "package", "member"),
    [
        ("proposition.docx", docx_bytes, "word/media/zeros.bin"),
        ("impacts.xlsx", xlsx_bytes, "xl/media/zeros.bin"),
        ("note.odt", odt_bytes, "Pictures/zeros.bin"),
    ],
)
def test_a_zip_bomb_is_refused_with_why_and_what_was_typed_is_kept(
    client_as, settings, name, package, member
):
    """A real document with 2 MiB of zeros deflated to a few kB, against a
    limit of 1 MiB once uncompressed (core/tests/test_files.py: the default
    limit and 1 GiB)."""
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = with_zeros(package(), member, 2 * 1024 * 1024)
    assert len(bomb) < 20 * 1024
    data = feedback_post(attachments=upload(name, bomb))
    response = client_as("federation").post(reverse("feedback_new"), data)
    assert response.status_code == 200
    text = unescaped(response)
    assert (
        f"« {name} » : Ce fichier occuperait 2,0\xa0Mio une fois décompressé, au-delà de la "
        "limite de 1,0\xa0Mio : il est refusé." in text
    )
    assert data["argument"] in text
    assert not Feedback.objects.exists()
    assert not FeedbackAttachment.objects.exists()
    # The same document without its zeros is taken: the size is refused, not the format.
    data = feedback_post(attachments=upload(name, package()))
    assert client_as("federation").post(reverse("feedback_new"), data).status_code == 302
    assert FeedbackAttachment.objects.count() == 1


def test_several_real_files_are_kept_and_served_only_to_readers(client_as, settings):
    federation = client_as("federation")
    data = feedback_post(
        attachments=[
            upload("proposition.docx", docx_bytes()),
            upload("impacts.xlsx", xlsx_bytes()),
            upload("note.odt", odt_bytes()),
            upload("courrier.pdf", pdf_bytes()),
        ]
    )
    assert federation.post(reverse("feedback_new"), data).status_code == 302
    feedback = Feedback.objects.get()
    kinds = sorted(feedback.attachments.values_list("content_type", flat=True))
    assert kinds == sorted([DOCX_TYPE, XLSX_TYPE, ODT_TYPE, "application/pdf"])
    attachment = feedback.attachments.get(content_type=XLSX_TYPE)
    # Stored outside MEDIA_ROOT, under a random name.
    assert str(settings.PRIVATE_MEDIA_ROOT) in attachment.file.path
    assert "impacts" not in attachment.file.name
    url = reverse("feedback_attachment", args=[feedback.pk, attachment.pk])
    response = federation.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "impacts.xlsx" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == XLSX_TYPE
    assert b"".join(response.streaming_content)[:2] == b"PK"
    for persona in ("federation2", "outsider", "editor2", "lead"):
        assert client_as(persona).get(url).status_code == 404
    assert client_as("anonymous").get(url).status_code == 302


# --- Bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"argument": ""}, "Ce champ est obligatoire."),
        ({"argument": "a" * 10001}, "10000 caractères"),
        ({"impact_effort": "b" * 2001}, "2000 caractères"),
        (
            {"proposed_wording": "  Le système DOIT permettre\nl'alimentation du DMP. "},
            "La rédaction proposée est identique à la rédaction actuelle.",
        ),
        ({"proposed_wording": ""}, "Une demande de modification propose une rédaction."),
        ({"sons": []}, "Choisissez au moins un SONS."),
        ({"kind": "autre"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(client_as, changes, message):
    data = feedback_post(**changes)
    response = client_as("federation").post(reverse("feedback_new"), data)
    assert response.status_code == 200
    text = unescaped(response)
    assert message in text
    assert "Le retour n’a pas été enregistré" in text
    assert "aria-describedby" in text
    # What was typed is kept (the argument itself, when it was not the problem).
    assert "Les éditeurs LGC ne peuvent pas tracer" in text or "argument" in changes
    assert data["proposed_wording"][:30] in text or "proposed_wording" in changes
    assert not Feedback.objects.exists()


# --- Windows ---------------------------------------------------------------------------


def test_filing_outside_the_window_is_refused_with_its_dates(client_as, persona_user):
    topic = Topic.objects.get(number=9)
    topic.feedback_opens_at = datetime(2023, 9, 25, 9, 0, tzinfo=PARIS)
    topic.feedback_closes_at = datetime(2023, 10, 13, 18, 0, tzinfo=PARIS)
    topic.save()
    data = feedback_post(deposer="1")
    data.pop("brouillon")
    with time_machine.travel(datetime(2023, 10, 14, 9, 0, tzinfo=PARIS), tick=False):
        federation = client_as("federation")
        response = federation.post(reverse("feedback_new"), data)
        assert response.status_code == 200
        text = unescaped(response)
        assert "du 25 septembre 2023 09:00 au 13 octobre 2023 18:00" in text
        assert not Feedback.objects.exists()
        page = unescaped(federation.get(reverse("topic_detail", args=["9"])))
        assert "Période de retours close" in page
        # A draft may still be kept; filing it is refused the same way.
        draft = dict(data, brouillon="1")
        draft.pop("deposer")
        assert federation.post(reverse("feedback_new"), draft).status_code == 302
        feedback = Feedback.objects.get()
        federation.post(reverse("feedback_file", args=[feedback.pk]), {"version": 1})
        feedback.refresh_from_db()
        assert feedback.status == Feedback.Status.DRAFT
    with time_machine.travel(datetime(2023, 9, 24, 9, 0, tzinfo=PARIS), tick=False):
        federation = client_as("federation")
        page = unescaped(federation.get(reverse("topic_detail", args=["9"])))
        assert "Période de retours pas encore ouverte" in page
    with time_machine.travel(datetime(2023, 10, 2, 9, 0, tzinfo=PARIS), tick=False):
        federation = client_as("federation")
        page = unescaped(federation.get(reverse("topic_detail", args=["9"])))
        assert "Période de retours ouverte" in page
        assert "Clôture : 13 octobre 2023 à 18:00." in page
        response = federation.post(reverse("feedback_new"), data)
        assert response.status_code == 302
        assert Feedback.objects.filed().count() == 1


def test_a_lead_sets_a_window_and_its_closing_reminders_follow(client_as, settings):
    settings.REMINDER_DAYS = {**getattr(settings, "REMINDER_DAYS", {}), "feedback_window": (7, 1)}
    topic = Topic.objects.get(number=9)
    url = reverse("topic_feedback_window", args=["9"])
    with time_machine.travel(datetime(2023, 9, 26, 10, 0, tzinfo=PARIS), tick=False):
        lead = client_as("lead")
        response = lead.post(url, {"opens_at": "2023-09-26T09:00", "closes_at": "2023-10-13T18:00"})
        assert response.status_code == 302
        topic.refresh_from_db()
        assert topic.feedback_closes_at == datetime(2023, 10, 13, 18, 0, tzinfo=PARIS)
        reminders = Delivery.objects.filter(
            kind=Delivery.Kind.FEEDBACK_REMINDER,
            subject_type=ContentType.objects.get_for_model(Topic),
            subject_id=topic.pk,
            status=Delivery.Status.PENDING,
        )
        federation = User.objects.get(email="federation@demo.example")
        dues = sorted({r.due_at for r in reminders.filter(recipient=federation)})
        assert [d.astimezone(PARIS).date().isoformat() for d in dues] == [
            "2023-10-06",
            "2023-10-12",
        ]
        # Closing the window (no dates) cancels them, in the same change.
        assert lead.post(url, {"opens_at": "", "closes_at": ""}).status_code == 302
        assert not reminders.exists()
        # Bad input: closing before opening.
        response = lead.post(url, {"opens_at": "2023-10-13T18:00", "closes_at": "2023-10-01T18:00"})
        assert response.status_code == 200
        assert "La clôture suit l'ouverture." in unescaped(response)


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "field"),
    [("0001-01-01T00:00", "2023-10-13T18:00", "opens_at"), ("", "9999-12-31T23:59", "closes_at")],
)
def test_a_window_out_of_the_portal_s_years_is_refused_and_kept(
    client_as, opens_at, closes_at, field
):
    """Year 1 in Paris is year 0 in UTC, which no date holds; a reminder 7
    days before 9999-12-31 exists, but nothing after it does."""
    topic = Topic.objects.get(number=9)
    url = reverse("topic_feedback_window", args=["9"])
    response = client_as("lead").post(url, {"opens_at": opens_at, "closes_at": closes_at})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == ["Choisissez une date entre 2000 et 2099."]
    assert (opens_at or closes_at)[:10] in unescaped(response)
    topic.refresh_from_db()
    assert topic.feedback_opens_at is None
    assert topic.feedback_closes_at is None


# --- Visibility ----------------------------------------------------------------------


def test_unpublished_feedback_is_invisible_everywhere_to_others(client_as, persona_user):
    feedback = make_filed(persona_user, argument="Argument secret de la fédération")
    secret = "Argument secret de la fédération"
    pages = [
        reverse("topic_detail", args=["9"]),
        reverse("requirement_detail", args=["SC.DMP/UX.10"]),
        reverse("my_feedback"),
        reverse("notification_list"),
        reverse("dashboard"),
    ]
    for persona in ("federation2", "outsider", "editor2"):
        client = client_as(persona)
        for url in pages:
            response = client.get(url)
            assert reverse("feedback_detail", args=[feedback.pk]) not in response.content.decode()
            fragment = client.get(url, HTTP_HX_REQUEST="true")
            assert reverse("feedback_detail", args=[feedback.pk]) not in fragment.content.decode()
        assert client.get(reverse("feedback_detail", args=[feedback.pk])).status_code == 404
        assert client.get(reverse("feedback_export")).status_code == 403
        assert client.get(reverse("feedback_inbox"), HTTP_HX_REQUEST="true").status_code == 403
        assert secret not in str(Feedback.objects.visible_to(persona_user(persona)).values())
    anonymous = client_as("anonymous")
    assert anonymous.get(reverse("feedback_detail", args=[feedback.pk])).status_code == 302
    assert not Feedback.objects.visible_to(User()).exists()
    # Following it by hand (the generic follow button, its number guessed)
    # is refused and reveals nothing, not even its name.
    outsider = persona_user("outsider")
    ref = f"concertation.feedback:{feedback.pk}"
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        refused = client_as("outsider").post(reverse("follow"), {"subject": ref}, **headers)
        assert refused.status_code == 404
        assert feedback.topic.label not in refused.content.decode()
    assert not Follow.objects.filter(user=outsider, subject_id=feedback.pk).exists()
    # Leaving it is allowed (one may have lost access), still without its name.
    left = client_as("outsider").post(reverse("unfollow"), {"subject": ref}, HTTP_HX_REQUEST="true")
    assert left.status_code == 200
    assert feedback.topic.label not in left.content.decode()
    # A follow that exists anyway (made before access was lost) tells nothing:
    # the follower who may not see the feedback is dropped before anyone is told.
    notifications.follow(outsider, feedback)
    services.cosign(feedback, by=persona_user("editor"))
    assert not Notification.objects.filter(recipient=outsider).exists()
    # Leads see it in their inbox, its fragment and export.
    lead = client_as("lead")
    fragment = lead.get(reverse("feedback_inbox"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert reverse("feedback_detail", args=[feedback.pk]) in fragment.content.decode()


def test_drafts_stay_with_the_organisation_and_its_member_editors(persona_user):
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    draft = services.save_feedback(
        by=persona_user("federation"),
        data=services.FeedbackInput(
            topic=requirement.topic, kind="question", argument="Brouillon", requirements=[]
        ),
    )
    readers = {
        p for p in ("admin", "lead", "lead2", "federation", "federation2", "editor", "editor2",
                    "outsider")
        if Feedback.objects.visible_to(persona_user(p)).filter(pk=draft.pk).exists()
    }  # fmt: skip
    assert readers == {"federation", "editor"}


def test_the_inbox_s_shortcut_reads_the_same_feedback_as_the_rule(persona_user):
    """``filed_visible_to`` (the inbox's query) is ``visible_to(...).filed()``
    for every persona: a draft, a filed and an answered feedback."""
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    services.save_feedback(
        by=persona_user("federation"),
        data=services.FeedbackInput(
            topic=requirement.topic, kind="question", argument="Brouillon", requirements=[]
        ),
    )
    make_filed(persona_user)
    make_filed(persona_user, persona="editor2", reference="SC.SSI/IE.33")
    personas = ("admin", "lead", "lead2", "federation", "federation2", "editor", "editor2",
                "outsider")  # fmt: skip
    for persona in personas:
        user = persona_user(persona)
        rule = set(Feedback.objects.visible_to(user).filed().values_list("pk", flat=True))
        assert set(Feedback.objects.filed_visible_to(user).values_list("pk", flat=True)) == rule
    lead = persona_user("lead")
    assert len(set(Feedback.objects.filed_visible_to(lead).values_list("pk", flat=True))) == 2
    lead.is_active = False
    assert not Feedback.objects.filed_visible_to(lead).exists()


# --- Answers -------------------------------------------------------------------------


def test_an_answer_kept_for_review_is_published_by_another_lead(client_as, persona_user):
    feedback = make_filed(persona_user)
    lead, lead2 = client_as("lead"), client_as("lead2")
    answer = {
        "disposition": "not_accepted",
        "text": "Non retenue : contraire au cadre d'interopérabilité.",
        "publish": "review",
        "version": Feedback.objects.get(pk=feedback.pk).version,
    }
    assert lead.post(reverse("feedback_answer", args=[feedback.pk]), answer).status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.UNDER_REVIEW
    assert feedback.answer_pending_review
    fanny = persona_user("federation")
    assert not Notification.objects.filter(recipient=fanny, kind="feedback_answered").exists()
    # The federation does not see the answer yet; federation2 not the feedback.
    page = unescaped(client_as("federation").get(reverse("feedback_detail", args=[feedback.pk])))
    assert "contraire au cadre" not in page
    # Its writer may not publish it.
    lead.post(reverse("feedback_publish_answer", args=[feedback.pk]), {"version": feedback.version})
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.UNDER_REVIEW
    lead2.post(
        reverse("feedback_publish_answer", args=[feedback.pk]), {"version": feedback.version}
    )
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.ANSWERED
    assert feedback.answer_published_by == persona_user("lead2")
    assert Notification.objects.filter(recipient=fanny, kind="feedback_answered").exists()


def test_concurrent_answers_never_overwrite_each_other(client_as, persona_user):
    feedback = make_filed(persona_user)
    version = Feedback.objects.get(pk=feedback.pk).version
    first = {"disposition": "accepted", "text": "Première réponse", "publish": "review"}
    second = {"disposition": "deferred", "text": "Seconde réponse", "publish": "review"}
    url = reverse("feedback_answer", args=[feedback.pk])
    assert client_as("lead").post(url, {**first, "version": version}).status_code == 302
    response = client_as("lead2").post(url, {**second, "version": version})
    assert response.status_code == 409
    assert "Seconde réponse" in unescaped(response)  # kept for the second lead
    feedback.refresh_from_db()
    assert feedback.answer_text == "Première réponse"


def test_an_answer_needs_its_text(client_as, persona_user):
    feedback = make_filed(persona_user)
    response = client_as("lead").post(
        reverse("feedback_answer", args=[feedback.pk]),
        {"disposition": "accepted", "text": "", "publish": "publish", "version": 99},
    )
    assert response.status_code == 400
    assert "La réponse est obligatoire." in unescaped(response)
    feedback.refresh_from_db()
    assert feedback.disposition == ""


def test_answering_several_at_once_all_or_nothing(client_as, persona_user):
    one = make_filed(persona_user, argument="Premier")
    two = make_filed(persona_user, persona="editor2", reference="SC.SSI/GEN.08", argument="Second")
    lead = client_as("lead")
    url = reverse("feedback_inbox_answer")
    data = {
        "choisis": [one.pk, two.pk],
        f"suite-{one.pk}": "accepted",
        f"reponse-{one.pk}": "Réponse au premier",
        f"version-{one.pk}": Feedback.objects.get(pk=one.pk).version,
        f"suite-{two.pk}": "duplicate",
        f"reponse-{two.pk}": "",
        f"version-{two.pk}": Feedback.objects.get(pk=two.pk).version,
    }
    response = lead.post(url, data)
    assert response.status_code == 400
    assert "Réponse au premier" in unescaped(response)
    assert not Feedback.objects.filter(status=Feedback.Status.ANSWERED).exists()
    data[f"reponse-{two.pk}"] = "Doublon du retour sur UX.10"
    assert lead.post(url, data).status_code == 302
    answers = dict(Feedback.objects.values_list("argument", "answer_text"))
    assert answers == {"Premier": "Réponse au premier", "Second": "Doublon du retour sur UX.10"}
    assert Feedback.objects.filter(status=Feedback.Status.ANSWERED).count() == 2


def bulk_answer(feedback, disposition="accepted", text="Réponse", version=None) -> dict:
    return {
        f"suite-{feedback.pk}": disposition,
        f"reponse-{feedback.pk}": text,
        f"version-{feedback.pk}": feedback.version if version is None else version,
    }


def test_a_bulk_answer_refuses_a_disposition_that_does_not_exist(client_as, persona_user):
    one = make_filed(persona_user, argument="Premier")
    two = make_filed(persona_user, persona="editor2", reference="SC.SSI/GEN.08", argument="Second")
    data = {
        "choisis": [one.pk, two.pk],
        **bulk_answer(one, text="Réponse au premier"),
        **bulk_answer(two, disposition="peut-être", text="Réponse au second"),
    }
    response = client_as("lead").post(reverse("feedback_inbox_answer"), data)
    assert response.status_code == 400
    page = unescaped(response)
    error = "Choisissez une suite et rédigez la réponse (10 000 caractères au plus)."
    assert f'<p class="fr-error-text" id="erreur-{two.pk}">{error}</p>' in page
    assert f'id="erreur-{one.pk}"' not in page
    assert "Réponse au premier" in page  # what was typed is kept
    assert "Réponse au second" in page
    assert not Feedback.objects.filter(status=Feedback.Status.ANSWERED).exists()


def test_a_bulk_answer_on_a_feedback_changed_meanwhile_saves_nothing(client_as, persona_user):
    one = make_filed(persona_user, argument="Premier")
    two = make_filed(persona_user, persona="editor2", reference="SC.SSI/GEN.08", argument="Second")
    data = {"choisis": [one.pk, two.pk], **bulk_answer(one), **bulk_answer(two)}
    data[f"version-{two.pk}"] = two.version - 1  # read before someone else's change
    response = client_as("lead").post(reverse("feedback_inbox_answer"), data)
    assert response.status_code == 400
    assert "Quelqu'un a modifié ce retour pendant que vous y répondiez" in unescaped(response)
    assert not Feedback.objects.filter(status=Feedback.Status.ANSWERED).exists()


def test_a_bulk_answer_needs_a_feedback_ticked_that_the_lead_may_see(client_as, persona_user):
    lead = client_as("lead")
    url = reverse("feedback_inbox_answer")
    nothing = lead.post(url, {"suite-1": "accepted", "reponse-1": "Réponse"})
    assert nothing.status_code == 400
    assert "Cochez les retours auxquels vous répondez." in unescaped(nothing)
    draft = services.save_feedback(
        by=persona_user("federation"),
        data=services.FeedbackInput(
            topic=Requirement.objects.get(reference="SC.DMP/UX.10").topic,
            kind=Feedback.Kind.CHANGE_REQUEST,
            argument="Brouillon",
        ),
        file=False,
    )
    filed = make_filed(persona_user)
    data = {"choisis": [filed.pk, draft.pk], **bulk_answer(filed), **bulk_answer(draft)}
    assert lead.post(url, data).status_code == 404
    assert not Feedback.objects.filter(status=Feedback.Status.ANSWERED).exists()


def test_a_lead_reopens_a_decided_subject(client_as, persona_user):
    feedback = make_filed(persona_user)
    assert feedback.on_decided_subject
    lead = client_as("lead")  # Médecine de ville: decides for LGC
    page = unescaped(lead.get(reverse("feedback_detail", args=[feedback.pk])))
    assert "Rouvrir l’arbitrage" in page
    before = Arbitration.objects.drafts().count()
    lead.post(reverse("feedback_reopen", args=[feedback.pk]), {"version": feedback.version})
    feedback.refresh_from_db()
    draft = feedback.reopened_decision
    assert draft is not None
    assert not draft.is_published
    assert draft.decision == Arbitration.Decision.UNDER_INSTRUCTION
    assert [s.code for s in draft.sons.all()] == ["LGC"]
    assert draft.requirement.reference == "SC.DMP/UX.10"
    assert Arbitration.objects.drafts().count() == before + 1
    # Or "déjà arbitré", on another one.
    other = make_filed(persona_user, argument="Encore")
    lead.post(
        reverse("feedback_answer", args=[other.pk]),
        {
            "disposition": "already_decided",
            "text": "Déjà arbitré le 25 septembre.",
            "publish": "publish",
            "version": Feedback.objects.get(pk=other.pk).version,
        },
    )
    assert Feedback.objects.get(pk=other.pk).get_disposition_display() == "Déjà arbitré"


def test_a_federation_cannot_cosign_its_own_feedback_and_cosigners_are_listed(
    client_as, persona_user
):
    feedback = make_filed(persona_user)
    url = reverse("feedback_cosign", args=[feedback.pk])
    assert client_as("federation").post(url).status_code == 403
    assert client_as("editor").post(url).status_code == 302
    assert client_as("editor").post(url).status_code == 403  # once
    page = unescaped(client_as("lead").get(reverse("feedback_detail", args=[feedback.pk])))
    assert "Éditeur démo LGC, le" in page


def test_another_federation_invited_to_cosign_sees_it_is_told_and_cosigns(client_as, persona_user):
    """The issue: "other federations co-sign". Before its answer, a feedback
    is its federation's, its co-signers' and the leads': the filers invite
    another federation, which then reads it and co-signs."""
    feedback = make_filed(persona_user, argument="Argument à partager")
    page_url = reverse("feedback_detail", args=[feedback.pk])
    federation2 = persona_user("federation2")
    assert client_as("federation2").get(page_url).status_code == 404

    # Nothing chosen: a clear error, nothing saved.
    refused = client_as("federation").post(reverse("feedback_invite", args=[feedback.pk]), {})
    assert refused.status_code == 400
    assert 'aria-describedby="' in refused.content.decode()
    assert not feedback.invited_organisations.exists()
    # Only federations are offered, and not the filer itself.
    offered = refused.context["invite_form"].fields["federations"].queryset
    assert federation2.organisation in offered
    assert persona_user("federation").organisation not in offered
    assert not offered.exclude(kind="federation").exists()

    response = client_as("federation").post(
        reverse("feedback_invite", args=[feedback.pk]),
        {"federations": [federation2.organisation_id]},
    )
    assert response.status_code == 302
    told = Notification.objects.get(recipient=federation2, kind="feedback_invited")
    assert told.subject_url.startswith(page_url)
    page = unescaped(client_as("federation2").get(page_url))
    assert "Argument à partager" in page
    assert f"Cosigner au nom de {federation2.organisation}" in page
    # The invited federation's other members are not thereby co-signers, and
    # an uninvited organisation still knows nothing.
    assert client_as("outsider").get(page_url).status_code == 404

    assert (
        client_as("federation2").post(reverse("feedback_cosign", args=[feedback.pk])).status_code
        == 302
    )
    assert feedback.signatures.filter(organisation=federation2.organisation).exists()
    page = unescaped(client_as("lead").get(page_url))
    assert f"{federation2.organisation}, le" in page
    # The filers hear of the co-signature.
    assert Notification.objects.filter(
        recipient=persona_user("federation"), kind="feedback_cosigned"
    ).exists()


# --- Topic status, dashboard ---------------------------------------------------------


def test_a_topic_is_arbitre_only_once_every_filed_feedback_is_answered(persona_user):
    from django.utils import timezone

    progress = topic_progress(Topic.objects.values_list("pk", flat=True), timezone.now())
    decided = [pk for pk, p in progress.items() if p.status == TopicStatus.DECIDED]
    assert decided, "the deck decides some topics entirely"
    topic = Topic.objects.get(pk=decided[0])
    services.save_feedback(
        by=persona_user("federation"),
        data=services.FeedbackInput(
            topic=topic, kind="question", argument="Question", new_element="Nouveau"
        ),
        file=True,
    )
    assert topic_progress([topic.pk], timezone.now())[topic.pk].status != TopicStatus.DECIDED
    with CaptureQueriesContext(connection) as captured:
        answered = feedback_answered(list(progress))
    assert len(captured) == 1
    assert answered[topic.pk] is False
    feedback = Feedback.objects.get(topic=topic)
    services.answer(
        feedback,
        by=persona_user("lead"),
        data=services.AnswerInput("question_answered", "Réponse"),
        expected_version=feedback.version,
    )
    assert topic_progress([topic.pk], timezone.now())[topic.pk].status == TopicStatus.DECIDED


def test_the_dashboard_counts_feedback_awaiting_an_answer_for_leads(client_as, persona_user):
    make_filed(persona_user)
    make_filed(persona_user, argument="Deux")
    page = unescaped(client_as("lead").get(reverse("dashboard")))
    assert "Retours en attente de réponse" in page
    assert "<strong>2</strong> retours en attente de réponse" in page
    assert "Retours en attente de réponse" not in unescaped(client_as("federation").get("/"))


# --- Inbox filters and export ------------------------------------------------------------


def test_inbox_filters_are_a_shareable_url(client_as, persona_user):
    one = make_filed(persona_user, argument="Fédération un")
    two = make_filed(persona_user, persona="editor2", reference="SC.SSI/GEN.08", argument="DPI")
    lead = client_as("lead")
    organisation = persona_user("editor2").organisation.slug
    page = lead.get(reverse("feedback_inbox") + f"?organisation={organisation}")
    html = page.content.decode()
    assert reverse("feedback_detail", args=[two.pk]) in html
    assert reverse("feedback_detail", args=[one.pk]) not in html
    # Or typed: a part of its name ("Éditeur démo DPI"), in another case.
    part = persona_user("editor2").organisation.name.split()[-1].lower()
    html = lead.get(reverse("feedback_inbox"), {"organisation": part}).content.decode()
    assert reverse("feedback_detail", args=[two.pk]) in html
    assert reverse("feedback_detail", args=[one.pk]) not in html
    fragment = lead.get(
        reverse("feedback_inbox") + f"?sujet={one.topic_id}", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert reverse("feedback_detail", args=[one.pk]) in fragment
    assert reverse("feedback_detail", args=[two.pk]) not in fragment
    lead_user = persona_user("lead")
    services.assign(one, by=lead_user, assignee=lead_user, expected_version=one.version)
    mine = lead.get(reverse("feedback_inbox") + f"?attribue={lead_user.pk}").content.decode()
    assert reverse("feedback_detail", args=[one.pk]) in mine
    assert reverse("feedback_detail", args=[two.pk]) not in mine
    nobody = lead.get(reverse("feedback_inbox") + "?attribue=aucun").content.decode()
    assert reverse("feedback_detail", args=[one.pk]) not in nobody
    with time_machine.travel(timedelta(days=10)):
        old = client_as("lead").get(reverse("feedback_inbox") + "?anciennete=7").content.decode()
        assert reverse("feedback_detail", args=[one.pk]) in old
    recent = lead.get(reverse("feedback_inbox") + "?anciennete=7").content.decode()
    assert reverse("feedback_detail", args=[one.pk]) not in recent
    lgc = lead.get(reverse("feedback_inbox") + "?sons=LGC&statut=under_review").content.decode()
    assert reverse("feedback_detail", args=[one.pk]) in lgc


def test_the_export_has_one_sheet_per_topic_and_writes_text(client_as, persona_user):
    make_filed(persona_user, argument='=HYPERLINK("http://x")')
    make_filed(persona_user, persona="editor2", reference="SC.SSI/GEN.08", argument="+1")
    response = client_as("lead").get(reverse("feedback_export"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 2
    for sheet in workbook.worksheets:
        assert [c.value for c in sheet[1]][:4] == ["Exigence", "Fédération ou éditeur",
                                                   "Cosignataires", "Position"]  # fmt: skip
        filed = [c.value for c in sheet[1]].index("Déposé le")
        for row in sheet.iter_rows(min_row=2):
            # The filing date is a date (issue 21); everything else text.
            assert row[filed].is_date
            assert row[filed].number_format == "DD/MM/YYYY HH:MM"
            assert all(
                cell.data_type == "s"
                for cell in row
                if cell.value is not None and cell is not row[filed]
            )


# --- Query counts ----------------------------------------------------------------------


def _grower(persona_user):
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    editor = persona_user("editor")

    def grow():
        for index in range(3):
            feedback = make_filed(persona_user, argument=f"Croissance {index}")
            feedback.requirements.add(requirement)
            services.cosign(feedback, by=editor)

    return grow


def test_inbox_queries_do_not_grow(client_as, persona_user):
    grow = _grower(persona_user)
    for persona in ("lead", "admin"):
        assert_queries_constant(client_as(persona), reverse("feedback_inbox"), grow)


def test_my_feedback_queries_do_not_grow(client_as, persona_user):
    grow = _grower(persona_user)
    for persona in ("federation", "editor"):
        assert_queries_constant(client_as(persona), reverse("my_feedback"), grow)


def test_feedback_page_queries_do_not_grow(client_as, persona_user):
    feedback = make_filed(persona_user)
    url = reverse("feedback_detail", args=[feedback.pk])
    counter = iter(range(1000))

    def grow():
        n = next(counter)
        feedback.requirements.add(
            *Requirement.objects.filter(topic=feedback.topic).order_by("pk")[n * 2 : n * 2 + 2]
        )
        FeedbackAttachment.objects.create(
            feedback=feedback, filename=f"f{n}.pdf", content_type="application/pdf", size=1,
            file=f"retours/x{n}.pdf",
        )  # fmt: skip

    for persona in ("lead", "federation", "editor"):
        assert_queries_constant(client_as(persona), url, grow)


def test_topic_page_queries_do_not_grow_with_feedback(client_as, persona_user):
    grow = _grower(persona_user)
    for persona in ("lead", "federation", "federation2"):
        assert_queries_constant(client_as(persona), reverse("topic_detail", args=["9"]), grow)


def test_wordings_read_as_the_deck_writes_them(client_as, persona_user):
    """The deck's statements carry **bold** (SC.DMP/UX.10: "DOIT **rester
    pleinement fonctionnel**"): the wordings of a feedback show it as bold,
    and HTML someone typed as text."""
    feedback = make_filed(
        persona_user,
        proposed_wording="Le système DOIT **rester utilisable** <b>sauf</b> saisie bloquante",
    )
    Feedback.objects.filter(pk=feedback.pk).update(
        current_wording="Le système DOIT **rester pleinement fonctionnel**"
    )
    page = client_as("lead").get(reverse("feedback_detail", args=[feedback.pk])).content.decode()
    assert "<strong>rester pleinement fonctionnel</strong>" in page
    assert "<strong>rester utilisable</strong>" in page
    assert "**" not in page.split('id="proposed-wording"')[1].split("</blockquote>")[0]
    assert "<b>sauf</b>" not in page
    assert "&lt;b&gt;sauf&lt;/b&gt;" in page
