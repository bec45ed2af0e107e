"""Following and unfollowing in one click, from the pages of what is
followed, and the page that lists what I follow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from calendar_app.models import Event
from core.testing import assert_queries_constant
from notifications import services
from notifications.models import Follow
from topics.models import Requirement, Sons, Topic

pytestmark = pytest.mark.django_db

SESSION = "temps-de-partage-2023-09-25"  # the deck's sharing session


def ref(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


@pytest.mark.parametrize(
    ("url", "subject"),
    [
        ("/sujets/7/", lambda: Topic.objects.get(number=7)),
        ("/exigences/SC.SSI/IE.33", lambda: Requirement.objects.get(reference="SC.SSI/IE.33")),
        (f"/calendrier/{SESSION}/", lambda: Event.objects.get(slug=SESSION)),
    ],
)
def test_follow_and_unfollow_from_the_subjects_page(client_as, persona_user, url, subject):
    editor = client_as("editor")
    subject = subject()
    html = editor.get(url).content.decode()
    assert f'name="subject" value="{ref(subject)}"' in html
    assert 'action="/suivis/suivre/"' in html

    response = editor.post(reverse("follow"), {"subject": ref(subject), "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert services.is_following(persona_user("editor"), subject)
    page = editor.get(url).content.decode()
    assert 'action="/suivis/ne-plus-suivre/"' in page
    assert "Vous suivez désormais" in page  # the message after the redirect

    editor.post(reverse("unfollow"), {"subject": ref(subject), "next": url})
    assert not services.is_following(persona_user("editor"), subject)


def test_follow_with_htmx_swaps_the_button_and_announces_it(client_as):
    topic = Topic.objects.get(number=7)
    response = client_as("editor").post(
        reverse("follow"),
        {"subject": ref(topic), "next": "/sujets/7/"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'action="/suivis/ne-plus-suivre/"' in html
    assert "Ne plus suivre" in html
    assert 'id="portal-live-region" hx-swap-oob="innerHTML"' in html
    assert "Vous suivez désormais #7 (SSI/IE) Exigences gestions des comptes" in html


def test_following_twice_is_following_once(client_as, persona_user):
    topic = Topic.objects.get(number=7)
    editor = client_as("editor")
    editor.post(reverse("follow"), {"subject": ref(topic)})
    editor.post(reverse("follow"), {"subject": ref(topic)})
    assert Follow.objects.filter(user=persona_user("editor")).count() == 1


@pytest.mark.parametrize(
    "bad", ["", "topics.topic", "topics.topic:x", "topics.topic:999999", "accounts.user:1"]
)
def test_only_existing_subjects_of_a_known_kind_can_be_followed(client_as, bad):
    response = client_as("editor").post(reverse("follow"), {"subject": bad})
    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_follow_needs_a_post_and_a_login(client_as, client):
    topic = Topic.objects.get(number=7)
    assert client_as("editor").get(reverse("follow")).status_code == 405
    response = client.post(reverse("follow"), {"subject": ref(topic)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Follow.objects.exists()


def test_what_i_follow_lists_each_kind_and_unfollows_in_one_click(client_as, persona_user):
    editor_user = persona_user("editor")
    topic = Topic.objects.get(number=7)
    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    services.follow(editor_user, topic)
    services.follow(editor_user, requirement, reason=Follow.Reason.COMMENTED)
    services.follow(editor_user, Event.objects.get(slug=SESSION))
    services.follow(editor_user, Sons.objects.get(code="LGC"))

    editor = client_as("editor")
    html = editor.get(reverse("follow_list")).content.decode()
    assert "<h1>Ce que je suis</h1>" in html
    for heading in (
        "<h2>SONS</h2>",
        "<h2>Sujets</h2>",
        "<h2>Exigences</h2>",
        "<h2>Événements</h2>",
    ):
        assert heading in html
    assert '<a href="/sujets/7/">#7 (SSI/IE) Exigences gestions des comptes' in html
    assert '<a href="/exigences/SC.DMP/UX.10">SC.DMP/UX.10</a>' in html
    assert "Vous avez commenté" in html  # an automatic follow says why
    # Every SONS of the concertation can be followed from here; LGC is.
    assert html.count('name="subject" value="topics.sons:') == Sons.objects.count()
    lgc = Sons.objects.get(code="LGC")
    form = html.split(f'value="{ref(lgc)}"')[0].rsplit("<form", 1)[1]
    assert 'action="/suivis/ne-plus-suivre/"' in form

    editor.post(reverse("unfollow"), {"subject": ref(requirement), "next": reverse("follow_list")})
    html = editor.get(reverse("follow_list")).content.decode()
    assert 'href="/exigences/SC.DMP/UX.10"' not in html
    assert "Vous ne suivez plus SC.DMP/UX.10." in html
    assert "Résumé quotidien" in html  # the current e-mail rhythm, with a link to change it


def test_what_i_follow_when_nothing_is_followed(client_as):
    html = client_as("federation").get(reverse("follow_list")).content.decode()
    assert "Vous ne suivez encore aucun sujet, exigence ou événement." in html


def test_what_i_follow_in_english(client_as):
    editor = client_as("editor")
    editor.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = editor.get(reverse("follow_list")).content.decode()
    assert "<h1>What I follow</h1>" in html


def test_follow_pages_query_counts_do_not_grow(client_as, persona_user):
    editor = persona_user("editor")
    counter = iter(range(1000))

    def grow():
        for _ in range(5):
            n = next(counter)
            topic = Topic.objects.create(slug=f"essai-{n}", title=f"Essai {n}", kind="technical")
            requirement = Requirement.objects.create(reference=f"SC.ESSAI/{n:03}", topic=topic)
            event = Event.objects.create(kind="workshop", title=f"Atelier {n}", slug=f"at-{n}")
            for subject in (topic, requirement, event):
                services.follow(editor, subject)

    client = client_as("editor")
    assert_queries_constant(client, reverse("follow_list"), grow)
    for url in ("/sujets/7/", "/exigences/SC.SSI/IE.33", f"/calendrier/{SESSION}/"):
        assert_queries_constant(client, url, grow)
