"""Comments: what must never leak or cost more as threads grow — internal
notes never reach participants, XSS payloads in every text field stay inert,
and the pages with comments cost a constant number of queries."""

from __future__ import annotations

import itertools
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.services import personal_data
from concertation.comments import services as comments
from concertation.models import Comment, InternalNote
from core.testing import XSS_PAYLOADS, assert_no_xss, assert_queries_constant
from notifications import services as notifications
from notifications.models import EmailPreference, Notification
from segur_portal.tests.test_security import GET_URLS
from topics.models import Requirement, Sons, Topic

pytestmark = pytest.mark.django_db

UX10 = "SC.DMP/UX.10"
HX = {"HTTP_HX_REQUEST": "true"}
NOTE = "NOTE-INTERNE-CONFIDENTIELLE-4Z"
PARTICIPANTS = ["editor", "editor2", "federation", "federation2", "outsider"]


# --- Internal notes ---------------------------------------------------------------------------


def test_a_lead_keeps_internal_notes_on_a_requirement(client_as):
    lead = client_as("lead")
    url = reverse("internal_notes", args=[UX10])
    response = lead.post(url, {"body": "À revoir avec la CNAM."})
    note = InternalNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("requirement_detail", args=[UX10]) + f"#note-{note.pk}"
    html = lead.get(reverse("requirement_detail", args=[UX10])).content.decode()
    assert "À revoir avec la CNAM." in html
    # htmx: the notes block alone; a refused (empty) note keeps nothing half-saved.
    fragment = lead.post(url, {"body": "Deuxième note."}, **HX).content.decode()
    assert "<html" not in fragment
    assert "Deuxième note." in fragment
    assert lead.post(url, {"body": ""}, **HX).status_code == 422
    assert InternalNote.objects.count() == 2


@pytest.fixture
def internal_note(persona_user, client_as):
    requirement = Requirement.objects.get(reference=UX10)
    comments.add_internal_note(requirement, by=persona_user("lead"), body=f"Piste : {NOTE}")
    # A thread with a comment and a reply, so that every comment URL exists.
    first = comments.post_comment(
        author=persona_user("editor"), subject=requirement, body="Un commentaire public."
    )
    comments.post_comment(
        author=persona_user("federation"), subject=requirement, body="Réponse.", parent=first
    )
    return first


@pytest.mark.parametrize("persona", PARTICIPANTS)
def test_internal_notes_never_reach_participants(client_as, internal_note, persona):
    """Every GET URL of the matrix, the comment URLs, as pages, htmx fragments
    and searches for the note's words: never the note."""
    client = client_as(persona)
    pk = internal_note.pk
    urls = [
        *GET_URLS,
        reverse("requirement_detail", args=[UX10]),
        reverse("comment_thread", args=["exigence", UX10]),
        reverse("comment_reply", args=[pk]),
        reverse("comment_report", args=[pk]),
        reverse("internal_notes", args=[UX10]),
        reverse("requirement_export", args=["csv"]) + "?q=UX.10",
        reverse("requirement_export", args=["json"]) + "?q=UX.10",
        reverse("requirement_list") + "?q=Piste",
    ]
    for url in urls:
        separator = "&" if "?" in url else "?"
        for variant, headers in (
            (url, {}),
            (url, {"HX-Request": "true"}),
            (f"{url}{separator}q=Piste", {"HX-Request": "true"}),
        ):
            response = client.get(variant, headers=headers)
            body = b"".join(response) if response.streaming else response.content
            assert NOTE.encode() not in body, f"{persona} sees the note at {variant}"
    # Nor their notifications, nor their data export.
    user = internal_note.author if persona == "editor" else None
    assert not Notification.objects.filter(data__icontains=NOTE).exists()
    if user is not None:
        assert NOTE not in str(personal_data(user))


def test_the_note_check_would_see_a_leak(client_as, internal_note):
    """The same page shows the note to the leads: the check above looks at the right place."""
    html = client_as("lead").get(reverse("requirement_detail", args=[UX10])).content
    assert NOTE.encode() in html


# --- XSS in every text field ------------------------------------------------------------------


def test_xss_in_comments_replies_corrections_reasons_and_notes(client_as, persona_user):
    editor = persona_user("editor")
    notifications.set_email_frequency(editor, EmailPreference.Frequency.IMMEDIATE)
    requirement = Requirement.objects.get(reference=UX10)
    editor_client, federation, lead = (client_as(p) for p in ("editor", "federation", "lead"))
    for payload in XSS_PAYLOADS:
        editor_client.post(
            reverse("comment_post", args=["exigence", UX10]), {"body": payload, "sons": "LGC"}
        )
        editor_client.post(
            reverse("comment_post", args=["sujet", "9"]), {"body": f"Sujet {payload}"}
        )
        mine = Comment.objects.filter(requirement=requirement, body=payload).latest("pk")
        federation.post(reverse("comment_reply", args=[mine.pk]), {"body": f"R {payload}"})
        editor_client.post(reverse("comment_correct", args=[mine.pk]), {"body": f"C {payload}"})
        federation.post(reverse("comment_report", args=[mine.pk]), {"reason": f"S {payload}"})
        lead.post(reverse("internal_notes", args=[UX10]), {"body": f"N {payload}"})
        # Refused forms echo what was typed: escaped too.
        for response in (
            editor_client.post(
                reverse("comment_post", args=["exigence", UX10]),
                {"body": payload * 800, "sons": "LGC"},
                **HX,
            ),
            lead.post(reverse("comment_hide", args=[mine.pk]), {"reason": payload * 50}),
        ):
            assert response.status_code == 422
            assert_no_xss(response.content, "refused form")
    hidden = Comment.objects.filter(requirement=requirement, parent=None).first()
    lead.post(reverse("comment_hide", args=[hidden.pk]), {"reason": XSS_PAYLOADS[1]})
    assert Comment.objects.filter(hidden_reason=XSS_PAYLOADS[1]).exists()

    pages = [
        reverse("requirement_detail", args=[UX10]),
        reverse("topic_detail", args=["9"]),
        reverse("comment_thread", args=["exigence", UX10]),
        reverse("comment_moderation"),
        reverse("internal_notes", args=[UX10]),
        reverse("notification_list"),
    ]
    for persona, client in (("editor", editor_client), ("lead", lead)):
        for url in pages:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                if response.status_code == 200:
                    assert_no_xss(response.content, f"{persona} {url}")
    # The e-mail that tells the editor of the replies.
    lease, ids = notifications.claim_due(now=timezone.now() + timezone.timedelta(minutes=2))
    for pk in ids:
        notifications.deliver(pk, lease)
    assert mail.outbox
    for message in mail.outbox:
        assert_no_xss(message.body, "e-mail text")
        for alternative, _type in message.alternatives:
            assert_no_xss(alternative, "e-mail HTML")
    # The data export: JSON whose markup characters are escaped.
    export = editor_client.get(reverse("my_data"))
    assert_no_xss(export.content, "data export")
    assert XSS_PAYLOADS[0] in json.loads(export.content)["comments"][0]["text"]


# --- Query counts -----------------------------------------------------------------------


def grower(persona_user):
    """Each call adds a thread's worth of comments to SC.DMP/UX.10 and topic 9:
    comments on several SONS by several organisations, replies, corrections,
    edits, reports, a hidden one."""
    people = [persona_user(p) for p in ("editor", "editor2", "federation", "outsider", "lead")]
    requirement = Requirement.objects.get(reference=UX10)
    topic = Topic.objects.get(number=9)
    codes = itertools.cycle(["LGC", "DPI", "RIS", "PFI"])
    counter = itertools.count()

    def grow():
        for subject in (requirement, topic):
            for author in people:
                n = next(counter)
                sons = Sons.objects.get(code=next(codes)) if subject is requirement else None
                first = comments.post_comment(
                    author=author, subject=subject, body=f"Commentaire {n}", sons=sons
                )
                comments.edit_comment(first, by=author, body=f"Commentaire {n} (modifié)")
                reply = comments.post_comment(
                    author=people[(n + 1) % len(people)],
                    subject=subject,
                    body=f"Réponse {n}",
                    parent=first,
                )
                comments.correct_comment(reply, by=reply.author, body=f"Correction {n}")
                if not author.is_authority:
                    comments.report_comment(reply, by=author, reason="À vérifier")
            comments.hide_comment(first, by=people[-1], reason="Hors sujet")
        comments.add_internal_note(requirement, by=people[-1], body="Note")

    return grow


@pytest.mark.parametrize("persona", ["editor", "federation", "lead", "outsider"])
def test_requirement_page_with_comments_costs_constant_queries(client_as, persona_user, persona):
    client = client_as(persona)
    url = reverse("requirement_detail", args=[UX10])
    assert_queries_constant(client, url, grower(persona_user))
    assert "Commentaire 10 (modifié)" in client.get(url).content.decode()


@pytest.mark.parametrize("persona", ["editor", "federation", "lead"])
def test_topic_page_with_comments_costs_constant_queries(client_as, persona_user, persona):
    client = client_as(persona)
    assert_queries_constant(client, reverse("topic_detail", args=["9"]), grower(persona_user))


@pytest.mark.parametrize("persona", ["editor", "lead"])
def test_thread_fragment_and_moderation_cost_constant_queries(client_as, persona_user, persona):
    client = client_as(persona)
    grow = grower(persona_user)
    thread = reverse("comment_thread", args=["exigence", UX10])
    assert_queries_constant(client, thread, grow)
    if persona == "lead":
        assert_queries_constant(client, reverse("comment_moderation"), grow)
