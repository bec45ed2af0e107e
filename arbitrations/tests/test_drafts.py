"""A draft never reaches editors or federations: through no page, fragment,
search, export or feed. Each channel is read as an editor and a federation
(and the lead, who must see it, so that the test can fail)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from arbitrations.models import Arbitration, DecisionFeedToken
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from calendar_app.models import Event
from core.testing import unescaped
from topics.models import Requirement, Sons, Topic

pytestmark = pytest.mark.django_db

SECRET = "SECRET-BROUILLON-7Q"
SESSION = "temps-de-partage-2023-09-25"
READERS = ("editor", "federation", "editor2", "federation2")


@pytest.fixture
def drafts(persona_user):
    lead = persona_user("lead")
    session = Event.objects.get(slug=SESSION)
    lgc = Sons.objects.get(code="LGC")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    record_decision(
        by=lead,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(
            decision="removed",
            comment=f"Commentaire {SECRET}",
            session=session,
            new_statement=f"Énoncé {SECRET}",
        ),
        base=snapshot(current_by_sons(requirement, lead), [lgc.pk]),
    )
    topic = Topic.objects.get(number=7)
    record_decision(
        by=lead,
        subject=topic,
        sons=[lgc],
        data=DecisionInput(decision="kept", comment=f"Sujet {SECRET}", session=session),
        base=snapshot(current_by_sons(topic, lead), [lgc.pk]),
    )
    assert Arbitration.objects.drafts().count() == 2


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def xlsx_text(response) -> str:
    sheet = load_workbook(BytesIO(response.content)).active
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)


def feed_text(client, user) -> str:
    token = DecisionFeedToken.objects.create(user=user)
    from django.test import Client

    response = Client().get(reverse("my_decisions_feed", kwargs={"token": token.token}))
    assert response.status_code == 200
    return response.content.decode()


def channels(client, user):
    """(channel name, text a person receives through it)."""
    record = {"slug": SESSION}
    topic = {"key": "7"}
    yield "requirement page", unescaped(client.get("/exigences/SC.SSI/IE.33"))
    yield "requirement list", unescaped(client.get("/exigences/?sujet=7"))
    # The search's results (the fragment: the page echoes the query in its form).
    found = unescaped(client.get("/exigences/", {"q": SECRET}, headers={"hx-request": "true"}))
    assert "0 exigence" in found
    yield "requirement search", found
    yield (
        "requirement list filtered on removed, fragment",
        unescaped(
            client.get("/exigences/?arbitrage=removed&sons=LGC", headers={"hx-request": "true"})
        ),
    )
    yield "topic page", unescaped(client.get("/sujets/7/"))
    yield "topic fragment", unescaped(client.get("/sujets/7/", headers={"hx-request": "true"}))
    yield "event page", unescaped(client.get(reverse("event_detail", kwargs=record)))
    yield "session record", unescaped(client.get(reverse("session_record", kwargs=record)))
    yield "session record PDF", pdf_text(client.get(reverse("session_record_pdf", kwargs=record)))
    yield (
        "session record XLSX",
        xlsx_text(client.get(reverse("session_record_xlsx", kwargs=record))),
    )
    yield "topic record", unescaped(client.get(reverse("topic_record", kwargs=topic)))
    yield "topic record PDF", pdf_text(client.get(reverse("topic_record_pdf", kwargs=topic)))
    yield "topic record XLSX", xlsx_text(client.get(reverse("topic_record_xlsx", kwargs=topic)))
    presentation = reverse("session_presentation", kwargs=record)
    yield (
        "presentation slides",
        "\n".join(unescaped(client.get(presentation, {"n": n})) for n in range(1, 13)),
    )
    yield "my decisions", unescaped(client.get(reverse("my_decisions")))
    yield "my decisions XLSX", xlsx_text(client.get(reverse("my_decisions_xlsx")))
    yield "my decisions feed", feed_text(client, user)


@pytest.mark.parametrize("persona", READERS)
def test_no_channel_shows_a_draft_to_editors_and_federations(
    drafts, client_as, persona_user, persona
):
    client = client_as(persona)
    for name, text in channels(client, persona_user(persona)):
        assert SECRET not in text, f"a draft reached {persona} through the {name}"


def test_the_authority_does_see_its_drafts_where_it_works(drafts, client_as):
    client = client_as("lead")
    for url in (
        "/exigences/SC.SSI/IE.33",
        "/sujets/7/",
        reverse("session_record", kwargs={"slug": SESSION}),
        reverse("session_decisions", kwargs={"slug": SESSION}),
    ):
        assert SECRET in unescaped(client.get(url)), url
    pdf = pdf_text(client.get(reverse("session_record_pdf", kwargs={"slug": SESSION})))
    assert "brouillons" in pdf


def test_mes_decisions_is_published_decisions_only_even_for_leads(drafts, client_as):
    assert SECRET not in unescaped(client_as("lead").get(reverse("my_decisions")))


def test_dashboard_counts_published_decisions_only(client_as, persona_user):
    def table(persona):
        page = unescaped(client_as(persona).get("/"))
        return page.split('id="decisions-by-sons"')[1].split("</table>")[0]

    before = table("editor")
    assert "<td>2</td>" in before  # IE.30 and GEN.08 removed for LGC
    lead = persona_user("lead")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    lgc = Sons.objects.get(code="LGC")
    record_decision(
        by=lead,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(decision="removed"),
        base=snapshot(current_by_sons(requirement, lead), [lgc.pk]),
    )
    for persona in ("editor", "lead"):
        assert table(persona) == before
