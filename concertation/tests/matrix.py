"""Permission matrix rows of argued feedback (issue 8), written from the
rules: a draft is its organisation's (and, for a federation, its member
editors', who read it but do not change it); a filed feedback is also the
leads'; nobody else knows it exists (404) until its answer is published.
Leads (and admins) answer; federation representatives and editors draft,
file and co-sign.

The feedback a row names is made by the row (inside the test's database):
federation@'s feedback on SC.DMP/UX.10 for LGC, with a DOCX."""

from __future__ import annotations

from core.testing import LOGIN, REDIRECT, Row, members, only

LEADS = ("admin", "lead", "lead2")
PARTICIPANTS = ("federation", "federation2", "editor", "editor2", "outsider")
# Who sees federation@'s unpublished feedback: its federation, its member
# editor (editor@, Éditeur démo LGC), and once filed, the leads: the rows
# spell it out for each persona.


def make_feedback(state: str):
    """A feedback in ``state`` ("draft" or "filed"), made once per test."""
    from django.core.files.base import ContentFile

    from accounts.models import User
    from concertation.models import Feedback, FeedbackAttachment
    from topics.models import Requirement, Sons

    from .feedback_helpers import DOCX_TYPE, docx_bytes

    marker = f"Matrice : {state}"
    found = Feedback.objects.filter(argument=marker).first()
    if found:
        return found
    author = User.objects.get(email="federation@demo.example")
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    feedback = Feedback.objects.create(
        organisation=author.organisation,
        author=author,
        topic=requirement.topic,
        kind=Feedback.Kind.CHANGE_REQUEST,
        current_wording="Actuel",
        proposed_wording="Proposé",
        argument=marker,
        new_element="Élément nouveau",
    )
    feedback.requirements.set([requirement])
    feedback.sons.set([Sons.objects.get(code="LGC")])
    if state == "filed":
        from django.utils import timezone

        feedback.status = Feedback.Status.SUBMITTED
        feedback.filed_at = timezone.now()
        feedback.filed_by = author
        feedback.on_decided_subject = True
        feedback.save()
    attachment = FeedbackAttachment(
        feedback=feedback,
        filename="proposition.docx",
        content_type=DOCX_TYPE,
        size=len(docx_bytes()),
        uploaded_by=author,
    )
    attachment.file.save("proposition.docx", ContentFile(docx_bytes()), save=True)
    return feedback


def draft():
    return {"pk": make_feedback("draft").pk}


def filed():
    return {"pk": make_feedback("filed").pk}


def filed_attachment():
    feedback = make_feedback("filed")
    return {"pk": feedback.pk, "attachment": feedback.attachments.get().pk}


def draft_attachment():
    feedback = make_feedback("draft")
    return {"pk": feedback.pk, "attachment": feedback.attachments.get().pk}


def expect(**answers):
    """Every persona's answer, spelled out: the table reads as the rule."""
    return {"anonymous": LOGIN, **answers}


HIDDEN = 404

ROWS = {
    # Drafting: federation representatives and editors, in their organisation's name.
    "feedback_new": Row(only(PARTICIPANTS), query="?sujet=9"),
    "feedback_detail": Row(
        expect(
            admin=200,
            lead=200,
            lead2=200,
            federation=200,
            editor=200,
            federation2=HIDDEN,
            editor2=HIDDEN,
            outsider=HIDDEN,
        ),
        kwargs=filed,
    ),
    "feedback_attachment": Row(
        expect(
            admin=HIDDEN,
            lead=HIDDEN,
            lead2=HIDDEN,
            federation=200,
            editor=200,
            federation2=HIDDEN,
            editor2=HIDDEN,
            outsider=HIDDEN,
        ),
        kwargs=draft_attachment,
    ),
    # A draft is changed by its organisation; its member editor reads it only.
    "feedback_edit": Row(
        expect(
            admin=HIDDEN,
            lead=HIDDEN,
            lead2=HIDDEN,
            federation=200,
            editor=403,
            federation2=HIDDEN,
            editor2=HIDDEN,
            outsider=HIDDEN,
        ),
        kwargs=draft,
    ),
    "feedback_file": Row(
        expect(
            admin=HIDDEN,
            lead=HIDDEN,
            lead2=HIDDEN,
            federation=REDIRECT,
            editor=403,
            federation2=HIDDEN,
            editor2=HIDDEN,
            outsider=HIDDEN,
        ),
        kwargs=draft,
        method="post",
    ),
    # Co-signing: another organisation that sees it (the member editor).
    "feedback_cosign": Row(
        expect(
            admin=403,
            lead=403,
            lead2=403,
            federation=403,
            editor=REDIRECT,
            federation2=HIDDEN,
            editor2=HIDDEN,
            outsider=HIDDEN,
        ),
        kwargs=filed,
        method="post",
    ),
    # Inviting other federations to co-sign: the filing organisation only (an
    # empty form is a 400 with its errors); nobody else may, the member
    # editor included.
    "feedback_invite": Row(
        expect(
            admin=403,
            lead=403,
            lead2=403,
            federation=400,
            editor=403,
            federation2=HIDDEN,
            editor2=HIDDEN,
            outsider=HIDDEN,
        ),
        kwargs=filed,
        method="post",
    ),
    # Answering: leads only (an empty form is a 400 with its errors).
    "feedback_assign": Row(only(LEADS, 400), kwargs=filed, method="post"),
    "feedback_answer": Row(only(LEADS, 400), kwargs=filed, method="post"),
    # Nothing to publish (no answer kept for review): back to the page, with a message.
    "feedback_publish_answer": Row(only(LEADS, REDIRECT), kwargs=filed, method="post"),
    # The admin reopens the decision on UX.10 for LGC; then it is reopened already.
    "feedback_reopen": Row(only(LEADS, REDIRECT), kwargs=filed, method="post"),
    "feedback_inbox": Row(only(LEADS)),
    "feedback_inbox_answer": Row(only(LEADS, 400), method="post"),
    "feedback_export": Row(only(LEADS)),
    "my_feedback": Row(only(PARTICIPANTS)),
    "topic_feedback_window": Row(only(LEADS), kwargs={"key": "9"}),
}


# Comments (issue 8): every signed-in participant reads and comments on the
# subjects they can see; the author alone edits (within 15 minutes) or
# corrects; others report it (not the leads, who hide it directly); leads and
# admins moderate and keep internal notes.
AUTHORITY = ("admin", "lead", "lead2")
MATRIX_COMMENT = "Commentaire de la matrice des droits."


def demo_comment() -> dict:
    """A fresh comment of editor@demo.example on SC.DMP/UX.10 (created in the
    test's database when the URL is built)."""
    from accounts.models import User
    from concertation.comments.services import post_comment
    from concertation.models import Comment
    from topics.models import Requirement

    found = Comment.objects.filter(body=MATRIX_COMMENT).first()
    if found is None:
        found = post_comment(
            author=User.objects.get(email="editor@demo.example"),
            subject=Requirement.objects.get(reference="SC.DMP/UX.10"),
            body=MATRIX_COMMENT,
        )
    return {"pk": found.pk}


COMMENT_ROWS = {
    "comment_thread": Row(members(200), kwargs={"kind": "exigence", "key": "SC.SSI/IE.33"}),
    # An empty form: refused (422) for whoever may comment.
    "comment_post": Row(
        members(422), kwargs={"kind": "exigence", "key": "SC.SSI/IE.33"}, method="post"
    ),
    "comment_reply": Row(members(200), kwargs=demo_comment),
    "comment_edit": Row(only(("editor",)), kwargs=demo_comment),
    "comment_correct": Row(only(("editor",)), kwargs=demo_comment),
    "comment_report": Row(
        only(("federation", "federation2", "editor2", "outsider")), kwargs=demo_comment
    ),
    "comment_hide": Row(only(AUTHORITY), kwargs=demo_comment),
    "comment_dismiss_reports": Row(only(AUTHORITY, REDIRECT), kwargs=demo_comment, method="post"),
    "comment_moderation": Row(only(AUTHORITY)),
    "internal_notes": Row(only(AUTHORITY), kwargs={"reference": "SC.SSI/IE.33"}),
}
ROWS.update(COMMENT_ROWS)
