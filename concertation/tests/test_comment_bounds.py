"""A subject's page shows its latest discussions only, so that its cost does
not grow with the comments (issue 11); the thread's own page shows them all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concertation.comments.views import SUBJECT_PAGE_DISCUSSIONS
from concertation.models import Comment
from core.testing import unescaped
from topics.models import Topic

pytestmark = pytest.mark.django_db


def test_the_topic_page_shows_the_latest_discussions_and_links_to_all(client_as, persona_user):
    topic = Topic.objects.get(number=7)
    author = persona_user("federation")
    start = timezone.now() - timedelta(days=10)
    older = 5
    firsts = []
    for i in range(SUBJECT_PAGE_DISCUSSIONS + older):
        first = Comment.objects.create(
            topic=topic,
            author=author,
            organisation=author.organisation,
            body=f"Discussion-{i:03d}",
            html=f"<p>Discussion-{i:03d}</p>",
            created_at=start + timedelta(minutes=i),
        )
        firsts.append(first)
    # A reply to the oldest discussion, written last: it stays with its discussion.
    Comment.objects.create(
        topic=topic,
        author=author,
        parent=firsts[0],
        body="Réponse-tardive",
        html="<p>Réponse-tardive</p>",
        created_at=timezone.now(),
    )
    page = unescaped(client_as("editor").get("/sujets/7/"))
    total = SUBJECT_PAGE_DISCUSSIONS + older + 1
    assert f"{total} commentaires" in page
    assert f"Discussion-{SUBJECT_PAGE_DISCUSSIONS + older - 1:03d}" in page
    assert f"Discussion-{older:03d}" in page
    for i in range(older):
        assert f"Discussion-{i:03d}" not in page
    assert "Réponse-tardive" not in page
    thread_url = reverse("comment_thread", args=["sujet", "7"])
    assert thread_url in page
    assert f"les {older} discussions plus anciennes" in page
    everything = unescaped(client_as("editor").get(thread_url))
    for i in range(SUBJECT_PAGE_DISCUSSIONS + older):
        assert f"Discussion-{i:03d}" in everything
    assert "Réponse-tardive" in everything
