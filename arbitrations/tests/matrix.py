"""Permission matrix rows of the arbitrations' pages, written from README.md's
"who may" rules: leads decide for the SONS of their task force (lead:
Médecine de ville → LGC; lead2: Hôpital → DPI, PFI), admins for all;
everyone signed in reads published decisions, records and exports."""

from core.testing import REDIRECT, Row, everyone, members, only

DECIDERS = ("admin", "lead", "lead2")
SESSION = {"slug": "temps-de-partage-2023-09-25"}


class DemoArbitrationPk:
    """The primary key of the deck's published decision on SC.DMP/UX.10,
    looked up when the URL is built (inside the test's database)."""

    def __str__(self) -> str:
        from arbitrations.models import Arbitration

        return str(Arbitration.objects.get(requirement__reference="SC.DMP/UX.10").pk)


ROWS = {
    "topic_list": Row(members(200)),
    "topic_detail": Row(members(200), kwargs={"key": "7"}),
    "requirement_list": Row(members(200)),
    "requirement_detail": Row(members(200), kwargs={"reference": "SC.SSI/IE.33"}),
    # Recording decisions: the people who decide, on a subject in their perimeter.
    "decide_requirement": Row(only(DECIDERS), kwargs={"reference": "SC.SSI/IE.33"}),
    "decide_topic": Row(only(DECIDERS), kwargs={"key": "7"}),
    "bulk_decide": Row(only(DECIDERS), kwargs={"key": "7"}),
    # UX.10's decision covers LGC, RIS, DPI, PFI: only an admin may publish it
    # (already published: nothing to do, back to the page).
    "publish_decision": Row(
        only(("admin",), REDIRECT), kwargs={"pk": DemoArbitrationPk()}, method="post"
    ),
    "session_decisions": Row(only(DECIDERS), kwargs=SESSION),
    "session_publish": Row(only(DECIDERS, REDIRECT), kwargs=SESSION, method="post"),
    # The decision record and the presentation: everyone signed in (drafts
    # only for the authority, tested per channel in test_drafts.py).
    "session_record": Row(members(200), kwargs=SESSION),
    "session_record_pdf": Row(members(200), kwargs=SESSION),
    "session_record_xlsx": Row(members(200), kwargs=SESSION),
    "session_presentation": Row(members(200), kwargs=SESSION),
    "topic_record": Row(members(200), kwargs={"key": "7"}),
    "topic_record_pdf": Row(members(200), kwargs={"key": "7"}),
    "topic_record_xlsx": Row(members(200), kwargs={"key": "7"}),
    # "Mes décisions" and its exports: every signed-in person has their own.
    "my_decisions": Row(members(200)),
    "my_decisions_seen": Row(members(REDIRECT), method="post"),
    "my_decisions_xlsx": Row(members(200)),
    "my_decisions_feed_settings": Row(members(200)),
    # The feed is read without login: the secret address is the credential.
    "my_decisions_feed": Row(everyone(404), kwargs={"token": "not-a-token"}),
}

# The requirement catalogue's pages (issue 5).
from .matrix_catalogue import ROWS as CATALOGUE_ROWS  # noqa: E402

ROWS.update(CATALOGUE_ROWS)

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
    from arbitrations.comments import post_comment
    from arbitrations.models import Comment
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

# Argued feedback (issue 8).
from .matrix_feedback import ROWS as FEEDBACK_ROWS  # noqa: E402

ROWS.update(FEEDBACK_ROWS)
