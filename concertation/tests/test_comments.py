"""Comments on requirements and topics (issue 8, "Comments"): posting and
replying, the statement version a comment read, the 15-minute rule and
corrections, moderation, reports, notifications, htmx and bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import personal_data
from arbitrations.models import Arbitration
from arbitrations.services import publish_decisions
from concertation.models import Comment, CommentCorrection, CommentReport, CommentRevision
from notifications import services as notifications
from notifications.models import EmailPreference, Follow, Notification
from topics.models import Requirement, RequirementVersion, Sons, Topic

pytestmark = pytest.mark.django_db

UX10 = "SC.DMP/UX.10"
# The deck's first sharing session, Monday 25/09/2023, in Paris.
MONDAY = "2023-09-25 10:00 +0200"
HX = {"HTTP_HX_REQUEST": "true"}


def page(reference=UX10) -> str:
    return reverse("requirement_detail", args=[reference])


def post_url(kind="exigence", key=UX10) -> str:
    return reverse("comment_post", args=[kind, key])


def text(response) -> str:
    import html

    return html.unescape(response.content.decode())


def comment(client, body, sons="LGC", **extra):
    data = {"body": body}
    if sons:
        data["sons"] = sons
    return client.post(post_url(**extra), data)


# --- Posting ------------------------------------------------------------------------------------


def test_editor_comments_on_the_lgc_statement_and_follows_the_requirement(client_as, persona_user):
    client = client_as("editor")
    response = comment(client, "Le délai de **2 s** est-il mesuré côté poste ?")
    created = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{page()}#commentaire-{created.pk}"
    editor = persona_user("editor")
    assert created.author == editor
    assert created.organisation == editor.organisation
    assert created.sons.code == "LGC"
    # The statement in force for LGC: the deck's update of the first session.
    assert created.version.label == "Mise à jour — 1er temps de partage"
    assert created.version.sons.code == "LGC"
    assert Follow.objects.filter(
        user=editor, subject_id=created.requirement_id, reason=Follow.Reason.COMMENTED
    ).exists()

    html = text(client.get(page()))
    assert "Le délai de <strong>2 s</strong> est-il mesuré côté poste ?" in html
    assert "Sur l’énoncé LGC, version « Mise à jour — 1er temps de partage »" in html
    assert "1 commentaire" in html
    assert "texte modifié depuis" not in html


@pytest.mark.parametrize(
    ("persona", "sons"), [("editor", "LGC"), ("editor2", "DPI"), ("outsider", "RIS")]
)
def test_the_sons_defaults_to_the_one_the_commenters_organisation_sells(client_as, persona, sons):
    client = client_as(persona)
    html = text(client.get(page()))
    assert re.search(rf'<option value="{sons}"[^>]*selected', html), persona
    comment(client, "Sans choisir de SONS.", sons="")
    # A required choice left empty is refused: the person sees the default selected.
    assert not Comment.objects.exists()
    comment(client, "Avec le SONS proposé.", sons=sons)
    assert Comment.objects.get().sons.code == sons


def test_a_sons_outside_the_requirements_perimeter_is_refused(client_as):
    # SC.DMP/UX.10's perimeter is LGC, RIS, DPI, PFI: not DB nor SGL.
    response = comment(client_as("editor"), "Pour la DRIMbox.", sons="DB")
    assert response.status_code == 422
    assert not Comment.objects.exists()


def test_comment_on_a_topic_has_no_sons(client_as):
    client = client_as("federation")
    response = comment(client, "Quand l'atelier aura-t-il lieu ?", sons="", kind="sujet", key="7")
    assert response.status_code == 302
    created = Comment.objects.get()
    assert created.topic == Topic.objects.get(number=7)
    assert created.requirement is None
    assert created.sons is None
    assert created.version is None
    html = text(client.get(reverse("topic_detail", args=["7"])))
    assert "Quand l'atelier aura-t-il lieu ?" in html
    assert "1 commentaire" in html


def test_a_double_submit_posts_once(client_as):
    client = client_as("editor")
    comment(client, "Deux clics.")
    comment(client, "Deux clics.")
    assert Comment.objects.count() == 1


def test_the_check_constraint_wants_exactly_one_subject(persona_user):
    from django.db import IntegrityError, transaction

    requirement = Requirement.objects.get(reference=UX10)
    topic = Topic.objects.get(number=9)
    for subject in ({}, {"requirement": requirement, "topic": topic}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Comment.objects.create(author=persona_user("editor"), body="x", html="x", **subject)


# --- Bad input -------------------------------------------------------------------------------


def test_an_empty_comment_is_refused_with_an_error_linked_to_the_field(client_as):
    client = client_as("editor")
    response = client.post(post_url(), {"body": "   ", "sons": "LGC"}, **HX)
    assert response.status_code == 422
    html = text(response)
    assert "<html" not in html
    assert "Ce champ est obligatoire" in html
    field = re.search(r"<textarea[^>]*>", html).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    for ident in described.split():
        assert f'id="{ident}"' in html
    assert not Comment.objects.exists()


def test_an_over_long_comment_is_refused_and_keeps_what_was_typed(client_as):
    client = client_as("editor")
    typed = "Trop long. " + "x" * 5000
    response = client.post(post_url(), {"body": typed, "sons": "RIS"})
    assert response.status_code == 422
    html = text(response)
    assert "5000 caractères au plus (vous en avez écrit 5011)" in html.replace("\u202f", "")
    assert typed in html  # the textarea keeps the text
    assert re.search(r'<option value="RIS"[^>]*selected', html)
    assert not Comment.objects.exists()


def test_markdown_is_sanitised_and_links_are_marked_user_content(client_as):
    client = client_as("editor")
    comment(
        client, "Voir [la doc](https://esante.gouv.fr) et [ça](javascript:alert(1)) <b>gras</b>"
    )
    html = client.get(page()).content.decode()
    assert (
        '<a href="https://esante.gouv.fr" rel="noopener noreferrer nofollow ugc">la doc</a>' in html
    )
    assert "javascript:" not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html  # raw HTML is shown, not interpreted


# --- Replies and notifications -------------------------------------------------------------------


def deliver_due(now=None) -> list[str]:
    """What the beat sweep and its tasks do: claim the due rows, deliver each."""
    lease, ids = notifications.claim_due(now=now)
    return [notifications.deliver(pk, lease, now=now) for pk in ids]


def test_a_reply_notifies_the_author_in_the_portal_and_by_email(client_as, persona_user):
    editor = persona_user("editor")
    notifications.set_email_frequency(editor, EmailPreference.Frequency.IMMEDIATE)
    with time_machine.travel(MONDAY, tick=False):
        comment(client_as("editor"), "Le délai de 2 s est-il mesuré côté poste ?")
        first = Comment.objects.get()
        federation = client_as("federation")
        response = federation.post(
            reverse("comment_reply", args=[first.pk]),
            {"body": "Oui, mesuré sur le poste de l'utilisateur."},
        )
    reply = Comment.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"{page()}#commentaire-{reply.pk}"
    assert reply.parent == first
    assert reply.sons.code == "LGC"

    (notification,) = Notification.objects.filter(kind=Notification.Kind.COMMENT_REPLY)
    assert notification.recipient == editor
    assert notification.title == f"Réponse à votre commentaire sur {UX10}"
    assert notification.subject_url == f"{page()}#commentaire-{reply.pk}"
    # The replier is not told of their own reply (nor anyone else).
    assert not Notification.objects.exclude(recipient=editor).filter(kind="comment_reply")

    # The notification opens the requirement's page at the reply.
    editor_client = client_as("editor")
    opened = editor_client.get(reverse("notification_open", args=[notification.pk]))
    assert opened["Location"] == f"{page()}#commentaire-{reply.pk}"
    assert "Oui, mesuré sur le poste de l'utilisateur." in text(editor_client.get(page()))

    with time_machine.travel("2023-09-25 10:01:30 +0200", tick=False):
        assert deliver_due() == ["sent"]
    (message,) = mail.outbox
    assert message.to == ["editor@demo.example"]
    assert f"Réponse à votre commentaire sur {UX10}" in message.body
    assert "Oui, mesuré sur le poste de l'utilisateur." in message.body


def test_replying_to_ones_own_comment_notifies_nobody(client_as):
    client = client_as("editor")
    comment(client, "Premier point.")
    first = Comment.objects.get()
    client.post(reverse("comment_reply", args=[first.pk]), {"body": "Précision."})
    assert Comment.objects.count() == 2
    assert not Notification.objects.filter(kind=Notification.Kind.COMMENT_REPLY).exists()


# --- "texte modifié depuis" ----------------------------------------------------------------------


def publish_new_statement(lead, sons_code: str, statement: str) -> Arbitration:
    requirement = Requirement.objects.get(reference=UX10)
    draft = Arbitration.objects.create(
        requirement=requirement,
        decision=Arbitration.Decision.MODIFIED,
        comment="Reformulation.",
        new_statement=statement,
        decided_by=lead,
    )
    draft.sons.set([Sons.objects.get(code=sons_code)])
    publish_decisions([draft], by=lead)
    return draft


def test_text_changed_since_links_to_the_diff_of_that_sons(client_as, persona_user):
    editor = client_as("editor")
    comment(editor, "Sur le texte LGC.", sons="LGC")
    comment(client_as("editor2"), "Sur le texte DPI.", sons="DPI")
    lgc_comment = Comment.objects.get(sons__code="LGC")
    read = lgc_comment.version
    assert "texte modifié depuis" not in text(editor.get(page()))

    publish_new_statement(persona_user("lead"), "LGC", "Le système DOIT rester réactif.")
    current = RequirementVersion.objects.filter(sons__code="LGC").latest("created_at", "pk")
    assert current != read
    html = text(editor.get(page()))
    # Only the LGC comment is flagged: the DPI statement did not change.
    assert html.count("texte modifié depuis") == 1
    block = html.split(f'id="commentaire-{lgc_comment.pk}"')[1].split("</article>")[0]
    diff = reverse("requirement_diff", args=[UX10]) + f"?sons=LGC&de={read.pk}&a={current.pk}"
    assert f'href="{diff}"' in block.replace("&amp;", "&")
    diff_page = text(editor.get(diff))
    assert "Le système DOIT rester réactif." in diff_page


# --- The 15-minute rule, corrections ------------------------------------------------------------


def test_the_author_edits_within_15_minutes_then_only_corrects(client_as):
    with time_machine.travel(MONDAY, tick=False) as clock:
        client = client_as("editor")
        comment(client, "Le délai est de 3 s.")
        first = Comment.objects.get()
        edit = reverse("comment_edit", args=[first.pk])
        clock.shift(timedelta(minutes=14))
        assert client.get(edit).status_code == 200
        response = client.post(edit, {"body": "Le délai est de 2 s."})
        assert response.status_code == 302
        first.refresh_from_db()
        assert first.body == "Le délai est de 2 s."
        assert first.edited_at is not None
        assert list(CommentRevision.objects.values_list("body", flat=True)) == [
            "Le délai est de 3 s."
        ]
        assert "Modifier" in text(client.get(page()))

        clock.shift(timedelta(minutes=1, seconds=1))  # 15 min 1 s after posting
        html = text(client.get(page()))
        block = html.split(f'id="commentaire-{first.pk}"')[1].split("</article>")[0]
        assert edit not in block
        assert "Ajouter une correction" in block
        assert client.get(edit).status_code == 403
        response = client.post(edit, {"body": "Trop tard."}, **HX)
        assert response.status_code == 422
        assert "ne peut plus être modifié" in text(response)
        assert "Trop tard." in text(response)  # what was typed stays
        first.refresh_from_db()
        assert first.body == "Le délai est de 2 s."

        response = client.post(
            reverse("comment_correct", args=[first.pk]), {"body": "Pour les seuls LGC."}
        )
        assert response.status_code == 302
        html = text(client.get(page()))
    # The original stays, the correction is dated in Paris time.
    assert "Le délai est de 2 s." in html
    assert "Correction du 25/09 à 10:15 :" in html.replace("\xa0", " ")
    assert "Pour les seuls LGC." in html
    assert CommentCorrection.objects.count() == 1


def test_an_answered_comment_is_no_longer_editable(client_as):
    with time_machine.travel(MONDAY, tick=False) as clock:
        editor = client_as("editor")
        comment(editor, "Question.")
        first = Comment.objects.get()
        clock.shift(60)
        client_as("federation").post(
            reverse("comment_reply", args=[first.pk]), {"body": "Réponse."}
        )
        clock.shift(60)  # 2 minutes: within the window, but answered
        assert editor.get(reverse("comment_edit", args=[first.pk])).status_code == 403
        assert editor.get(reverse("comment_correct", args=[first.pk])).status_code == 200


def test_nobody_edits_or_corrects_someone_elses_comment(client_as):
    comment(client_as("editor"), "À moi.")
    first = Comment.objects.get()
    for persona in ("editor2", "federation", "lead"):
        client = client_as(persona)
        assert (
            client.post(reverse("comment_edit", args=[first.pk]), {"body": "x"}).status_code == 403
        )
        assert (
            client.post(reverse("comment_correct", args=[first.pk]), {"body": "x"}).status_code
            == 403
        )
    assert Comment.objects.get().body == "À moi."


# --- Moderation ---------------------------------------------------------------------------


def test_a_lead_hides_a_comment_with_a_reason_logged_in_the_audit_log(client_as):
    comment(client_as("editor"), "Propos hors sujet.")
    first = Comment.objects.get()
    lead = client_as("lead")
    hide = reverse("comment_hide", args=[first.pk])
    # The reason is mandatory: nothing is hidden without one.
    response = lead.post(hide, {"reason": ""}, **HX)
    assert response.status_code == 422
    assert not Comment.objects.get().is_hidden
    assert lead.post(hide, {"reason": "Hors sujet de l'exigence"}).status_code == 302
    first.refresh_from_db()
    assert first.is_hidden
    assert first.hidden_by.email == "lead@demo.example"

    event = AuditEvent.objects.get(action=AuditEvent.Action.MODERATION)
    assert event.actor.email == "lead@demo.example"
    assert (event.target_type, event.target_id) == ("concertation.comment", str(first.pk))
    assert event.details["reason"] == "Hors sujet de l'exigence"

    for persona in ("editor", "federation", "editor2"):
        html = text(client_as(persona).get(page()))
        assert "commentaire masqué par la modération (motif : Hors sujet de l'exigence)" in html
        assert "Propos hors sujet." not in html
    assert "Propos hors sujet." in text(lead.get(page()))  # the authority still reads it


def test_participants_may_not_hide(client_as):
    comment(client_as("editor"), "Texte.")
    first = Comment.objects.get()
    for persona in ("editor", "editor2", "federation", "outsider"):
        response = client_as(persona).post(
            reverse("comment_hide", args=[first.pk]), {"reason": "Non."}
        )
        assert response.status_code == 403
    assert not Comment.objects.get().is_hidden


def test_reports_reach_the_leads_who_dismiss_or_hide(client_as):
    comment(client_as("editor"), "Un commentaire discutable.")
    first = Comment.objects.get()
    report = reverse("comment_report", args=[first.pk])
    federation = client_as("federation")
    assert federation.post(report, {"reason": ""}).status_code == 422
    assert federation.post(report, {"reason": "Propos commerciaux"}).status_code == 302
    assert federation.post(report, {"reason": "Encore"}).status_code == 302  # once only
    assert CommentReport.objects.open().count() == 1
    # Nobody reports their own comment.
    assert client_as("editor").post(report, {"reason": "x"}).status_code == 403

    lead = client_as("lead")
    html = text(lead.get(reverse("comment_moderation")))
    assert "Un commentaire discutable." in html
    assert "Propos commerciaux" in html
    assert "Signalé 1 fois" in text(lead.get(page()))
    assert "Signalé" not in text(client_as("editor2").get(page()))

    response = lead.post(reverse("comment_dismiss_reports", args=[first.pk]), **HX)
    assert response.status_code == 200
    assert "<html" not in text(response)
    assert "Un commentaire discutable." not in text(response)
    assert CommentReport.objects.get().outcome == CommentReport.Outcome.DISMISSED
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MODERATION, target_id=str(first.pk)
    ).exists()
    assert not Comment.objects.get().is_hidden

    client_as("editor2").post(report, {"reason": "Publicité"})
    lead.post(reverse("comment_hide", args=[first.pk]), {"reason": "Publicité"})
    assert CommentReport.objects.latest("pk").outcome == CommentReport.Outcome.HIDDEN
    assert "Aucun commentaire signalé" in text(lead.get(reverse("comment_moderation")))


# --- htmx -----------------------------------------------------------------------------------------


def test_htmx_posts_and_replies_answer_the_thread_alone(client_as):
    client = client_as("editor")
    response = client.post(post_url(), {"body": "Par htmx.", "sons": "LGC"}, **HX)
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="comments"')
    assert "Par htmx." in html
    assert "Votre commentaire est publié." in html  # the live region, out of band
    first = Comment.objects.get()
    assert f'id="commentaire-{first.pk}"' in html
    assert "autofocus" in html

    # "Répondre" opens the form under the comment, in the thread.
    federation = client_as("federation")
    opened = text(federation.get(reverse("comment_reply", args=[first.pk]), **HX))
    assert "<html" not in opened
    block = opened.split(f'id="commentaire-{first.pk}"')[1].split("</article>")[0]
    assert f'hx-post="{reverse("comment_reply", args=[first.pk])}"' in block
    assert 'hx-disabled-elt="find button[type=submit]"' in block
    # Without JavaScript the same URL is a page with the form open.
    assert "<html" in text(federation.get(reverse("comment_reply", args=[first.pk])))


# --- Personal data ----------------------------------------------------------------------------


def test_comments_are_in_the_authors_data_export(client_as, persona_user):
    client = client_as("editor")
    comment(client, "Mes mots.")
    data = personal_data(persona_user("editor"))
    (entry,) = data["comments"]
    assert entry["subject"] == UX10
    assert entry["text"] == "Mes mots."
    assert entry["sons"] == "LGC"
    assert personal_data(persona_user("editor2"))["comments"] == []
