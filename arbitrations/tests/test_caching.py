"""Cached pages show a change at once (issue 11): a decision published by a
lead through the portal appears on the readers' dashboard, "Mes décisions",
topics list and topic page at their next request; an event renamed appears
in the calendar and the iCal feeds. And the pages are really read from the
cache (fewer queries the second time), so that these tests can fail."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, User
from accounts.testing import login_with_mfa
from arbitrations.caching import invalidate_decision_pages
from arbitrations.models import Arbitration
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from calendar_app.models import CalendarFeed, Event
from core.testing import count_queries, unescaped
from topics.models import Requirement, Sons

pytestmark = pytest.mark.django_db

SESSION = "temps-de-partage-2023-09-25"
MARK = "Publication-visible-tout-de-suite-93"
REFERENCE = "SC.SSI/IE.33"
SEARCH = "/exigences/?q=IE.33"
READER_PAGES = ("/", "/mes-decisions/", "/sujets/", "/sujets/7/", SEARCH)


def draft(persona_user, decision="removed") -> Arbitration:
    """A lead's draft on SC.SSI/IE.33 for LGC (topic 7), as the decision form saves it."""
    lead = persona_user("lead")
    requirement = Requirement.objects.get(reference=REFERENCE)
    lgc = Sons.objects.get(code="LGC")
    outcome = record_decision(
        by=lead,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(
            decision=decision,
            comment=f"Commentaire {MARK}",
            session=Event.objects.get(slug=SESSION),
        ),
        base=snapshot(current_by_sons(requirement, lead), [lgc.pk]),
    )
    return outcome.arbitration


def test_the_readers_pages_come_from_the_cache(client_as):
    editor = client_as("editor")
    for url in READER_PAGES:
        editor.get(url)  # computes and keeps
        first = count_queries(editor, url)
        cache.clear()
        computed = count_queries(editor, url)
        assert first < computed, f"{url}: {first} queries from the cache, {computed} computed"


def test_a_published_decision_is_on_every_reader_page_at_once(
    client_as, persona_user, django_capture_on_commit_callbacks
):
    editor = client_as("editor")  # sells LGC
    before = {url: unescaped(editor.get(url)) for url in READER_PAGES}
    dashboard_count = int(before["/"].split('id="count-decisions">')[1].split("<")[0])
    pending = draft(persona_user)
    for url in READER_PAGES:
        assert MARK not in unescaped(editor.get(url)), url  # a draft is nobody's news
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("lead").post(
            reverse("publish_decision", kwargs={"pk": pending.pk}),
            {"version": pending.version, "retour": "/sujets/7/"},
        )
    assert response.status_code == 302
    after = {url: unescaped(editor.get(url)) for url in READER_PAGES}
    assert f'id="count-decisions">{dashboard_count + 1}<' in after["/"]
    assert after["/"] != before["/"]
    assert MARK in after["/mes-decisions/"]
    # IE.33 was "conservée" for LGC in the deck: the new decision is "modifié".
    row = after["/mes-decisions/"].split(MARK)[0].rsplit("<tr", 1)[1]
    assert "portal-row--modified" in row
    assert "modifié" in row
    row_id = f'id="decision-row-{pending.requirement_id}"'
    topic_row = after["/sujets/7/"].split(row_id)[1].split("</tr>")[0]
    assert "supprimée" in topic_row
    assert "supprimée" not in before["/sujets/7/"].split(row_id)[1].split("</tr>")[0]
    found_before = before[SEARCH].split('id="results"')[1]
    found_after = after[SEARCH].split('id="results"')[1]
    assert "supprimée" in found_after
    assert "supprimée" not in found_before
    assert after["/sujets/"] != before["/sujets/"] or "Arbitré" in after["/sujets/"]


def test_badges_are_each_readers_own(client_as, persona_user, django_capture_on_commit_callbacks):
    """One rendering of "Mes décisions" per set of SONS, but the badges follow
    each reader's previous visit."""
    pending = draft(persona_user)
    with django_capture_on_commit_callbacks(execute=True):
        client_as("lead").post(
            reverse("publish_decision", kwargs={"pk": pending.pk}), {"version": pending.version}
        )
    first = client_as("editor")
    page = unescaped(first.get("/mes-decisions/"))
    row = page.split(MARK)[0].rsplit("<tr", 1)[1]
    assert "portal-row--" in row  # new since the (first) visit
    first.post(reverse("my_decisions_seen"))
    page = unescaped(first.get("/mes-decisions/"))
    row = page.split(MARK)[0].rsplit("<tr", 1)[1]
    assert "portal-row--" not in row
    assert "fr-badge--new" not in row
    # Another reader of the same SONS, never visited: still new for them.
    other = Client()
    colleague = User.objects.create_user(
        "collegue@example.org",
        given_name="Col",
        family_name="Lègue",
        organisation=Organisation.objects.get(pk=persona_user("editor").organisation_id),
    )
    login_with_mfa(other, colleague)
    page = unescaped(other.get("/mes-decisions/"))
    assert "portal-row--" in page.split(MARK)[0].rsplit("<tr", 1)[1]


def test_invalidate_decision_pages_makes_them_stale(client_as):
    editor = client_as("editor")
    editor.get("/mes-decisions/")
    cached = count_queries(editor, "/mes-decisions/")
    invalidate_decision_pages()
    assert count_queries(editor, "/mes-decisions/") > cached


def test_an_event_changed_is_in_the_calendar_and_the_feeds_at_once(client_as, persona_user):
    editor = client_as("editor")
    feed = CalendarFeed.objects.create(user=persona_user("editor"))
    ical = reverse("calendar_feed", kwargs={"token": feed.token})
    assert "Titre-renomme-71" not in unescaped(editor.get("/calendrier/"))
    assert "Titre-renomme-71" not in editor.get(ical).content.decode()
    event = Event.objects.get(slug=SESSION)
    event.title = "Titre-renomme-71"
    event.save()
    assert "Titre-renomme-71" in unescaped(editor.get("/calendrier/"))
    assert "Titre-renomme-71" in editor.get(ical).content.decode()
