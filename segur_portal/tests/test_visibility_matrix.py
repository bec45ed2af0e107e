"""What each persona may read, through every channel: the permission matrix
of contents.

The permission matrix (test_permission_matrix.py) says who may open each
URL. This one says who may read each kind of restricted content, wherever it
could show: every GET URL of the matrix as a page and as an htmx fragment,
each with a search that would find the content, and the exports (CSV, XLSX,
JSON, PDF), feeds (Atom, iCalendar) and data downloads of those pages read
as the person's program would read them. Expected readers are written by
hand from README.md's rules — never from what the code returns — and every
expected reader must find the content somewhere, so that the test fails when
a channel leaks and when the test looks in the wrong place.
"""

from __future__ import annotations

import html
import json
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import User
from arbitrations.models import Arbitration, DecisionFeedToken
from calendar_app.models import CalendarFeed
from concertation.models import Comment, CommentReport, Feedback, InternalNote
from core.testing import MATRIX_PERSONAS
from topics.models import Iteration, IterationEntry, Requirement, RequirementSons, Sons

from .test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

AUTHORITY = {"admin", "lead", "lead2"}
REFERENCE = "SC.SSI/IE.33"
SESSION = "temps-de-partage-2023-09-25"

# Who may read each content (README.md, "Roles", "Comments", "Argued feedback",
# "The requirement catalogue"). Each marker is a word no page writes otherwise.
EXPECTED_READERS = {
    # A draft decision: the authority's until published.
    "DECISIONBROUILLON7Q": AUTHORITY,
    # A SONS remark of the authority's spreadsheet ("Remarques (proposition de
    # reformulation…)"): the requirement page shows it to the authority only.
    "REMARQUESONS7Q": AUTHORITY,
    # A lead's internal note: never to participants.
    "NOTEINTERNE7Q": AUTHORITY,
    # federation@'s draft feedback: its federation and its member editor
    # (editor@); the leads only once it is filed.
    "RETOURBROUILLON7Q": {"federation", "editor"},
    # A comment written on that draft, and reported: those who see the draft
    # only — not the leads, even on the moderation page.
    "COMMENTAIREBROUILLON7Q": {"federation", "editor"},
    # federation2@'s filed feedback: its federation, its member editor
    # (editor2@), and the leads; nobody else until its answer is published.
    "RETOURDEPOSE7Q": {"federation2", "editor2"} | AUTHORITY,
    # A row of an iteration the authority did not publish ("HIDEME"): the
    # authority's only, on every channel (issue 17).
    "MASQUEE7Q": AUTHORITY,
    # The authority's internal note on an iteration's row ("VERIF: Note
    # interne", vendors' names in it), even on a published row.
    "NOTEVERIF7Q": AUTHORITY,
    # A vendor's comment imported from the authority's tool: every reader of
    # the requirement, anonymised; its named version (the vendor's name) is
    # an internal note, the authority's only.
    "AVISEDITEUR7Q": set(MATRIX_PERSONAS) - {"anonymous"},
    "NOMEDITEUR7Q": AUTHORITY,
}


@pytest.fixture
def contents(persona_user):
    lead = persona_user("lead")
    requirement = Requirement.objects.get(reference=REFERENCE)
    lgc = Sons.objects.get(code="LGC")
    draft = Arbitration.objects.create(
        requirement=requirement,
        decision=Arbitration.Decision.REMOVED,
        comment="Suppression envisagée DECISIONBROUILLON7Q",
        status=Arbitration.Status.DRAFT,
        decided_by=lead,
    )
    draft.sons.set([lgc])
    RequirementSons.objects.filter(requirement=requirement, sons=lgc).update(
        remark="Reformuler REMARQUESONS7Q"
    )
    InternalNote.objects.create(
        requirement=requirement, author=lead, body="NOTEINTERNE7Q", html="<p>NOTEINTERNE7Q</p>"
    )
    federation = persona_user("federation")
    draft_feedback = Feedback.objects.create(
        organisation=federation.organisation,
        author=federation,
        topic=requirement.topic,
        kind=Feedback.Kind.OBJECTION,
        argument="Argument RETOURBROUILLON7Q",
    )
    draft_feedback.requirements.set([requirement])
    draft_feedback.sons.set([lgc])
    editor = persona_user("editor")
    comment = Comment.objects.create(
        feedback=draft_feedback,
        author=editor,
        organisation=editor.organisation,
        body="Avis COMMENTAIREBROUILLON7Q",
        html="<p>Avis COMMENTAIREBROUILLON7Q</p>",
    )
    CommentReport.objects.create(comment=comment, reporter=federation, reason="Hors sujet")
    federation2 = persona_user("federation2")
    filed = Feedback.objects.create(
        organisation=federation2.organisation,
        author=federation2,
        topic=requirement.topic,
        kind=Feedback.Kind.QUESTION,
        argument="Question RETOURDEPOSE7Q",
        status=Feedback.Status.SUBMITTED,
        filed_at=timezone.now(),
        filed_by=federation2,
    )
    filed.requirements.set([requirement])
    filed.sons.set([Sons.objects.get(code="DPI")])
    # Two iterations of IE.33 (catalogue.tests.matrix names them in its URLs).
    it1, _ = Iteration.objects.get_or_create(code="IT1", defaults={"label": "Itération #1"})
    it2, _ = Iteration.objects.get_or_create(code="IT2", defaults={"label": "Itération #2"})
    dpi = Sons.objects.get(code="DPI")
    for sons in (lgc, dpi):
        IterationEntry.objects.create(
            iteration=it1, requirement=requirement, sons=sons, statement="Ancien énoncé."
        )
    IterationEntry.objects.create(
        iteration=it2,
        requirement=requirement,
        sons=lgc,
        statement="Énoncé revu.",
        internal_note="Relu avec NOTEVERIF7Q",
    )
    IterationEntry.objects.create(
        iteration=it2, requirement=requirement, sons=dpi, statement="MASQUEE7Q", hidden=True
    )
    imported = Comment.objects.create(
        requirement=requirement,
        sons=lgc,
        iteration=it2,
        body="AVISEDITEUR7Q",
        html="<p>AVISEDITEUR7Q</p>",
        source="squash:1:IT2 LGC 28/11/2022:1",
    )
    InternalNote.objects.create(
        requirement=requirement,
        author=lead,
        comment=imported,
        body="[ IT2 LGC NOMEDITEUR7Q 28/11/2022 ] AVISEDITEUR7Q",
        html="<p>[ IT2 LGC NOMEDITEUR7Q 28/11/2022 ] AVISEDITEUR7Q</p>",
        source="squash:1:IT2 LGC 28/11/2022:1",
    )
    return {"draft_feedback": draft_feedback, "filed_feedback": filed, "requirement": requirement}


def readable(response) -> str:
    """A response as the person's program reads it."""
    body = b"".join(response) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        reader = PdfReader(BytesIO(body))
        return "\n".join(page.extract_text() for page in reader.pages)
    if "spreadsheetml" in kind:
        workbook = load_workbook(BytesIO(body))
        return "\n".join(
            str(cell.value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    text = body.decode("utf-8", errors="replace")
    if kind.startswith("application/json"):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def matrix_urls() -> list[str]:
    urls = []
    for name, row in sorted(MATRIX.items()):
        if row.method != "get":
            continue
        urls.append(reverse(name, kwargs=row.url_kwargs()) + row.query)
    return urls


def channels(client: Client, user: User, contents) -> list[tuple[str, str]]:
    """(where, what the person reads there)."""
    found = []

    def read(label: str, url: str, **headers) -> None:
        found.append((label, readable(client.get(url, headers=headers))))

    for url in matrix_urls():
        separator = "&" if "?" in url else "?"
        read(url, url)
        read(f"{url} (fragment)", url, HX_REQUEST="true")
        # A search that finds the requirement, its feedback and decisions.
        read(f"{url} (search)", f"{url}{separator}q=IE.33&sons=LGC", HX_REQUEST="true")
    for fmt in ("csv", "xlsx", "json"):
        read(f"export {fmt}", reverse("requirement_export", kwargs={"fmt": fmt}) + "?q=IE.33")
    feedback_pages = ("feedback_detail",)
    for key in ("draft_feedback", "filed_feedback"):
        pk = contents[key].pk
        for name in feedback_pages:
            read(f"{name} {key}", reverse(name, kwargs={"pk": pk}))
        read(f"thread {key}", reverse("comment_thread", kwargs={"kind": "retour", "key": pk}))
    read(
        "requirement thread",
        reverse("comment_thread", kwargs={"kind": "exigence", "key": REFERENCE}),
    )
    read("internal notes", reverse("internal_notes", kwargs={"reference": REFERENCE}))
    topic = {"key": str(contents["requirement"].topic.number)}
    for name in ("topic_record", "topic_record_pdf", "topic_record_xlsx", "topic_detail"):
        read(name, reverse(name, kwargs=topic))
    # Feeds, read without a session: the secret address is the key.
    anonymous = Client()
    token = DecisionFeedToken.objects.create(user=user).token
    feed = anonymous.get(reverse("my_decisions_feed", kwargs={"token": token}))
    found.append(("decisions feed", readable(feed)))
    calendar = CalendarFeed.objects.create(user=user)
    for url in (
        reverse("calendar_feed", kwargs={"token": calendar.token}),
        reverse("calendar_topic_feed", kwargs={"token": calendar.token, **topic}),
    ):
        found.append((url, readable(anonymous.get(url))))
    return found


@pytest.mark.parametrize("persona", [p for p in MATRIX_PERSONAS if p != "anonymous"])
def test_each_content_reaches_its_readers_only(contents, client_as, persona_user, persona):
    client = client_as(persona)
    seen: dict[str, list[str]] = {marker: [] for marker in EXPECTED_READERS}
    for where, text in channels(client, persona_user(persona), contents):
        for marker in EXPECTED_READERS:
            if marker in text:
                seen[marker].append(where)
    leaks = {
        marker: places[:5]
        for marker, places in seen.items()
        if places and persona not in EXPECTED_READERS[marker]
    }
    assert not leaks, f"{persona} reads what is not theirs: {leaks}"
    missing = [
        marker
        for marker, places in seen.items()
        if not places and persona in EXPECTED_READERS[marker]
    ]
    assert not missing, (
        f"{persona} should read {missing} somewhere: the test looks in the wrong place"
    )


def test_every_persona_of_the_expectations_exists():
    personas = set(MATRIX_PERSONAS)
    for marker, readers in EXPECTED_READERS.items():
        assert readers <= personas, marker
