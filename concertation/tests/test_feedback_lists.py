"""Feedback in lists (issue 11): the topic and requirement pages keep their
feedback section in the cache, shared by the people who see the same
feedback, and show any change of it — filing, an invitation to co-sign, a
published answer — at the next request; "Mes retours" and the leads' inbox
come in pages whose length does not grow with the concertation."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils import timezone

from accounts.models import User
from concertation.models import Feedback
from core.templatetags.portal_tags import page_links
from core.testing import count_queries, unescaped
from topics.models import Requirement

from .matrix import make_feedback

pytestmark = pytest.mark.django_db

REFERENCE = "SC.DMP/UX.10"


def shown(response, feedback: Feedback) -> bool:
    return f'href="/retours/{feedback.pk}/"' in response.content.decode()


def pages_of(feedback: Feedback) -> list[str]:
    topic = feedback.topic
    return [f"/sujets/{topic.number or topic.slug}/", f"/exigences/{REFERENCE}"]


def test_the_feedback_section_is_shared_from_the_cache(client_as):
    make_feedback("filed")
    reader = client_as("federation2")
    for url in pages_of(Feedback.objects.get()):
        reader.get(url)
        cached = count_queries(reader, url)
        cache.clear()
        assert cached < count_queries(reader, url), url


def test_who_sees_a_feedback_on_the_pages_follows_each_change_at_once(client_as, persona_user):
    feedback = make_feedback("draft")
    owner, member, other, outsider, lead = (
        client_as(p) for p in ("federation", "editor", "federation2", "outsider", "lead")
    )
    for url in pages_of(feedback):
        # Everyone's section is computed and kept before each change.
        assert shown(owner.get(url), feedback), url
        assert shown(member.get(url), feedback), url  # a member editor reads the draft
        assert not shown(other.get(url), feedback), url
        assert not shown(lead.get(url), feedback), url  # a draft is not the leads' yet
    feedback.status = Feedback.Status.SUBMITTED
    feedback.filed_at = timezone.now()
    feedback.save()
    for url in pages_of(feedback):
        assert shown(lead.get(url), feedback), url
        assert not shown(other.get(url), feedback), url
    feedback.invited_organisations.add(persona_user("federation2").organisation)
    for url in pages_of(feedback):
        assert shown(other.get(url), feedback), url
        assert not shown(outsider.get(url), feedback), url
    feedback.status = Feedback.Status.ANSWERED
    feedback.disposition = Feedback.Disposition.values[0]
    feedback.answer_text = "Réponse-publiée-58"
    feedback.answer_published_at = timezone.now()
    feedback.save()
    for url in pages_of(feedback):
        page = unescaped(outsider.get(url))
        assert f'href="/retours/{feedback.pk}/"' in page, url
        assert "Réponse-publiée-58" in page, url


def many_feedback(author: User, count: int, **fields) -> list[Feedback]:
    requirement = Requirement.objects.get(reference=REFERENCE)
    return Feedback.objects.bulk_create(
        Feedback(
            organisation=author.organisation,
            author=author,
            topic=requirement.topic,
            kind=Feedback.Kind.CHANGE_REQUEST,
            argument=f"Argument {n}",
            **fields,
        )
        for n in range(count)
    )


def feedback_links(response, table: str) -> set[int]:
    html = response.content.decode().split(f'id="table-{table}"')[1].split("</table>")[0]
    return {int(pk) for pk in re.findall(r'href="/retours/(\d+)/"', html)}


def test_mes_retours_shows_each_list_in_pages_of_its_own(client_as, persona_user):
    made = many_feedback(persona_user("federation"), 23)
    federation = client_as("federation")
    first = federation.get("/mes-retours/")
    # The newest first, twenty to a page; the other lists keep their own page.
    newest = {f.pk for f in sorted(made, key=lambda f: -f.pk)[:20]}
    assert feedback_links(first, "own") == newest
    assert 'href="?own=2"' in first.content.decode()
    second = federation.get("/mes-retours/?own=2")
    assert feedback_links(second, "own") == {f.pk for f in made} - newest
    assert 'aria-current="page"' in second.content.decode().split('id="table-own"')[1]
    assert "Pagination — Retours de mon organisation" in unescaped(second)
    assert feedback_links(second, "signed") == feedback_links(first, "signed")


def test_the_inbox_has_25_answer_forms_a_page(client_as, persona_user):
    many_feedback(
        persona_user("federation"), 30, status=Feedback.Status.SUBMITTED, filed_at=timezone.now()
    )
    filed = Feedback.objects.filed().count()
    lead = client_as("lead")
    first = lead.get("/retours/").content.decode()
    assert first.count('name="choisis"') == 25
    last = lead.get(f"/retours/?page={(filed + 24) // 25}").content.decode()
    assert last.count('name="choisis"') == filed - 25 * ((filed - 1) // 25)


def test_page_links_stay_few_however_many_pages():
    """Django's elided page range: the ends, two either side of the current
    page, a gap (None) between."""
    paginator = Paginator(range(40 * 25), 25)
    assert page_links(paginator.page(20)) == [1, None, 18, 19, 20, 21, 22, None, 40]
    assert page_links(paginator.page(1)) == [1, 2, 3, None, 40]
    assert page_links(Paginator(range(100), 25).page(2)) == [1, 2, 3, 4]


def test_the_leads_dashboard_counts_a_feedback_filed_at_once(client_as, persona_user):
    lead = client_as("lead")

    def waiting() -> int:
        page = unescaped(lead.get("/"))
        return int(page.split('id="feedback-waiting"><strong>')[1].split("<")[0])

    before = waiting()  # computed and kept
    feedback = make_feedback("filed")
    assert waiting() == before + 1
    feedback.assignee = persona_user("lead")
    feedback.save()
    assert "dont 1 qui vous est attribué" in unescaped(lead.get("/"))


def inbox_count(client, query: str = "") -> int:
    return int(re.search(r"<p>(\d+) retours?</p>", unescaped(client.get(f"/retours/{query}")))[1])


def test_the_inbox_s_kept_count_and_filters_follow_each_change(client_as, persona_user):
    """The inbox's count and its filters' form are kept from one request to
    the next (issue 11); a feedback filed or taken up, a new lead, a new
    topic show at once."""
    from topics.models import Topic

    lead = client_as("lead")
    filed_before = inbox_count(lead)
    submitted_before = inbox_count(lead, "?statut=submitted")
    feedback = make_feedback("filed")
    assert feedback.status == Feedback.Status.SUBMITTED
    assert inbox_count(lead) == filed_before + 1
    assert inbox_count(lead, "?statut=submitted") == submitted_before + 1
    feedback.status = Feedback.Status.UNDER_REVIEW  # taken up by a lead
    feedback.save()
    assert inbox_count(lead, "?statut=submitted") == submitted_before
    assert inbox_count(lead) == filed_before + 1
    # The filters' form.
    page = unescaped(lead.get("/retours/"))
    assert "Nouvelle Responsable" not in page
    assert "Sujet tout neuf" not in page
    User.objects.create_user(
        email="nouvelle-lead@ans.example",
        password="x",
        role=User.Role.LEAD,
        given_name="Nouvelle",
        family_name="Responsable",
    )
    page = unescaped(lead.get("/retours/"))
    assert "Nouvelle Responsable" in page.split('name="attribue"')[1].split("</select>")[0]
    Topic.objects.create(number=97, slug="tout-neuf", title="Sujet tout neuf", order=97)
    page = unescaped(lead.get("/retours/"))
    assert "Sujet tout neuf" in page.split('name="sujet"')[1].split("</select>")[0]
