"""In-app notifications: the header badge, the list, marking read, the link
to the subject — through real HTTP requests."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from core.testing import assert_queries_constant
from notifications import services
from notifications.models import Notification
from notifications.tests.helpers import publish_decision
from topics.models import Topic

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'id="portal-unread-count" aria-hidden="true">(\d+)</span>')


def badge(client, url="/") -> int | None:
    match = BADGE.search(client.get(url).content.decode())
    return int(match.group(1)) if match else None


@pytest.fixture
def told(persona_user):
    """editor@ follows topic 7; a lead publishes two decisions in it."""
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    with time_machine.travel("2023-09-25 15:30 +0200", tick=False) as clock:
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
        clock.shift(60)
        publish_decision("SC.SSI/IE.31", by=persona_user("lead"))
    return list(Notification.objects.filter(recipient=editor).order_by("created_at"))


def test_the_badge_counts_unread_notifications_on_every_page(told, client_as):
    editor = client_as("editor")
    for url in ("/", reverse("topic_list"), reverse("calendar"), reverse("follow_list")):
        assert badge(editor, url) == 2, url
    assert badge(client_as("editor2")) is None  # nothing for them
    html = editor.get("/").content.decode()
    assert '<span class="fr-sr-only"> (2 non lues)</span>' in html


def test_the_list_shows_newest_first_and_links_through_the_notification(told, client_as):
    editor = client_as("editor")
    html = editor.get(reverse("notification_list")).content.decode()
    assert html.index("SC.SSI/IE.31") < html.index("SC.SSI/IE.33")
    first = told[0]
    assert f'href="{reverse("notification_open", args=[first.pk])}"' in html
    assert "<h1>Notifications</h1>" in html

    response = editor.get(reverse("notification_open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/exigences/SC.SSI/IE.33"
    assert Notification.objects.get(pk=first.pk).is_read
    assert badge(editor) == 1


def test_mark_one_read_without_javascript(told, client_as):
    editor = client_as("editor")
    url = reverse("notification_mark_read", args=[told[0].pk])
    response = editor.post(url, {"next": reverse("notification_list") + "?filtre=non-lues"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?filtre=non-lues"
    unread = editor.get(response["Location"]).content.decode()
    assert "SC.SSI/IE.31" in unread
    assert "Arbitrage publié sur SC.SSI/IE.33" not in unread


def test_mark_one_read_with_htmx_updates_the_item_and_the_badge(told, client_as):
    editor = client_as("editor")
    response = editor.post(
        reverse("notification_mark_read", args=[told[0].pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="notification-{told[0].pk}"' in html
    assert "Marquer comme lue" not in html.split('id="portal-notifications-link"')[0]
    assert 'id="portal-notifications-link"' in html
    assert 'hx-swap-oob="true"' in html
    assert BADGE.search(html).group(1) == "1"
    assert "Notification marquée comme lue." in html


def test_an_unsafe_next_is_ignored(told, client_as):
    response = client_as("editor").post(
        reverse("notification_mark_read", args=[told[0].pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notification_list")


def test_mark_all_read(told, client_as):
    editor = client_as("editor")
    response = editor.post(reverse("notification_mark_all_read"), follow=True)
    assert "Toutes vos notifications sont marquées comme lues." in response.content.decode()
    assert badge(editor) is None
    html = editor.get(reverse("notification_list") + "?filtre=non-lues").content.decode()
    assert "Aucune notification non lue." in html


def test_nobody_reads_or_opens_someone_elses_notification(told, client_as):
    other = client_as("editor2")
    pk = told[0].pk
    assert other.get(reverse("notification_open", args=[pk])).status_code == 404
    assert other.post(reverse("notification_mark_read", args=[pk])).status_code == 404
    other.post(reverse("notification_mark_all_read"))
    assert not Notification.objects.get(pk=pk).is_read
    assert "SC.SSI/IE.33" not in other.get(reverse("notification_list")).content.decode()


def test_wrong_methods(told, client_as):
    editor = client_as("editor")
    assert editor.get(reverse("notification_mark_read", args=[told[0].pk])).status_code == 405
    assert editor.get(reverse("notification_mark_all_read")).status_code == 405
    assert editor.post(reverse("notification_list")).status_code == 405


def test_the_filter_is_an_htmx_fragment_of_the_same_page(told, client_as):
    response = client_as("editor").get(
        reverse("notification_list") + "?filtre=non-lues", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="results"' in html
    assert "SC.SSI/IE.31" in html


def test_the_list_in_english(told, client_as):
    editor = client_as("editor")
    editor.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = editor.get(reverse("notification_list")).content.decode()
    assert "Decision published on SC.SSI/IE.33: Requirement kept" in html
    assert "Mark all as read" in html


def test_query_counts_do_not_grow(persona_user, client_as):
    """The list (and the header badge on it) cost the same at two sizes."""
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    lead = persona_user("lead")
    references = iter(["SC.SSI/IE.30", "SC.SSI/IE.31", "SC.SSI/IE.32", "SC.SSI/IE.33"] * 20)

    def grow():
        for _ in range(3):
            publish_decision(next(references), by=lead)

    client = client_as("editor")
    for url in (reverse("notification_list"), reverse("notification_list") + "?filtre=non-lues"):
        assert_queries_constant(client, url, grow)
    assert_queries_constant(client, "/", grow)  # the badge on any page
