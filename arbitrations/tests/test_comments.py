"""Comments on requirements and topics (issue 8, "Comments")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arbitrations.models import Comment
from core.testing import unescaped

pytestmark = pytest.mark.django_db

UX10 = "SC.DMP/UX.10"


def post_url(kind="exigence", key=UX10):
    return reverse("comment_post", args=[kind, key])


def test_editor_comments_on_a_requirement_and_sees_it(client_as):
    client = client_as("editor")
    response = client.post(
        post_url(), {"body": "Le délai de **2 s** est-il mesuré ?", "sons": "LGC"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (
        response["Location"]
        == reverse("requirement_detail", args=[UX10]) + f"#commentaire-{comment.pk}"
    )
    html = unescaped(client.get(reverse("requirement_detail", args=[UX10])))
    assert "Le délai de <strong>2 s</strong> est-il mesuré ?" in html
