"""Every page costs the same number of SQL queries whatever the size of the
data, for every persona who may read it (issue 11).

The pages are the permission matrix's GET rows that answer 200 (so a new URL
is covered as soon as it has its row); each is measured with an empty cache
(core.testing.assert_queries_constant: the cost of computing the page, not
of reading it back), after the data has grown once and again by the same
amount: more requirements in the measured topic and on every SONS, decisions
published and drafted, versions, events on the agenda with questions, votes
and registrations, organisations and people, notifications, follows, audit
lines. Finer, page-specific growth lives in each app's tests.
"""

from __future__ import annotations

from itertools import count

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Organisation, User
from arbitrations.models import Arbitration
from calendar_app.models import AgendaItem, Event, Question, QuestionVote, Registration
from core.testing import MATRIX_PERSONAS, count_queries_warm
from notifications.models import Follow, Notification
from segur_portal.tests.test_permission_matrix import MATRIX
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons, Topic

# Not ours to count (allauth's account pages), or not a page.
SKIPPED = {"healthz", "set_language"}


def pages_for(persona: str) -> list[str]:
    return sorted(
        name
        for name, row in MATRIX.items()
        if row.method == "get"
        and row.expect.get(persona) == 200
        and name not in SKIPPED
        and not name.startswith("account_")
    )


_serial = count(1)


def grow() -> None:
    """As much data again of every kind the pages list."""
    n = next(_serial)
    now = timezone.now()
    sons = list(Sons.objects.all())
    topic = Topic.objects.get(number=7)
    lead = User.objects.get(email="lead@demo.example")
    session = Event.objects.get(slug="temps-de-partage-2023-09-25")
    federation = User.objects.get(email="federation@demo.example").organisation
    for i in range(2):
        requirement = Requirement.objects.create(
            reference=f"QC.GROW/{n:03d}.{i}", topic=topic, domain="GROW", blocking=True
        )
        for s in sons:
            RequirementSons.objects.create(requirement=requirement, sons=s, statement=f"Énoncé {n}")
            RequirementVersion.objects.create(
                requirement=requirement, sons=s, label=f"v{n}", statement=f"Énoncé {n}"
            )
        for status in (Arbitration.Status.PUBLISHED, Arbitration.Status.DRAFT):
            arbitration = Arbitration.objects.create(
                requirement=requirement,
                decision=Arbitration.Decision.MODIFIED,
                comment=f"Commentaire **{n}**",
                session=session,
                status=status,
                decided_by=lead,
                published_at=now if status == Arbitration.Status.PUBLISHED else None,
                new_statement=f"Nouvel énoncé {n}",
            )
            arbitration.sons.set(sons)
    for reference in ("SC.SSI/IE.33", "SC.DMP/UX.10"):
        arbitration = Arbitration.objects.create(
            requirement=Requirement.objects.get(reference=reference),
            decision=Arbitration.Decision.KEPT,
            comment=f"Encore {n}",
            session=session,
            status=Arbitration.Status.PUBLISHED,
            decided_by=lead,
            published_at=now,
        )
        arbitration.sons.set(sons)
    topic_decision = Arbitration.objects.create(
        topic=topic,
        decision=Arbitration.Decision.UNDER_INSTRUCTION,
        comment=f"Sujet {n}",
        status=Arbitration.Status.PUBLISHED,
        published_at=now,
    )
    topic_decision.sons.set(sons)
    editor = Organisation.objects.create(
        name=f"Éditeur QC {n}", slug=f"editeur-qc-{n}", kind=Organisation.Kind.EDITOR
    )
    editor.federations.add(federation)
    for s in sons:
        s.editors.add(editor)
    people = [
        User.objects.create_user(
            f"qc{n}-{role}@example.org",
            given_name="QC",
            family_name=str(n),
            role=role,
            organisation=editor if role == User.Role.EDITOR else federation,
        )
        for role in (User.Role.EDITOR, User.Role.FEDERATION)
    ]
    for kind in (Event.Kind.SHARING_SESSION, Event.Kind.WORKSHOP):
        event = Event.objects.create(
            kind=kind,
            title=f"QC {kind} {n}",
            slug=f"qc-{kind.replace('_', '-')}-{n}",
            starts_at=now + timezone.timedelta(days=n),
        )
        AgendaItem.objects.create(event=event, topic=topic, order=1)
        Registration.objects.create(event=event, organisation=editor, registered_by=people[0])
    for event in (session, *Event.objects.filter(slug__startswith="qc-")[:1]):
        question = Question.objects.create(
            event=event, author=people[0], organisation=editor, text=f"Question {n} ?"
        )
        QuestionVote.objects.create(question=question, user=people[1])
    subject_type = ContentType.objects.get_for_model(Requirement)
    target_type = ContentType.objects.get_for_model(Arbitration)
    for user in User.objects.filter(email__endswith="@demo.example"):
        Notification.objects.create(
            recipient=user,
            kind=Notification.Kind.DECISION_PUBLISHED,
            subject_type=subject_type,
            subject_id=requirement.pk,
            target_type=target_type,
            target_id=arbitration.pk,
            key=f"qc:{n}",
            data={"subject": {"name": requirement.reference, "url": "/"}},
        )
        Follow.objects.create(user=user, subject_type=subject_type, subject_id=requirement.pk)
        AuditEvent.objects.create(action=AuditEvent.Action.EXPORT, actor=user, subject=user)


@pytest.mark.parametrize("persona", MATRIX_PERSONAS)
def test_every_page_costs_the_same_queries_at_two_sizes(persona, client_as):
    client = client_as(persona)
    urls = []
    for name in pages_for(persona):
        row = MATRIX[name]
        urls.append(reverse(name, kwargs=row.url_kwargs()) + row.query)
    assert urls, persona

    def measure() -> dict[str, int]:
        # Per-session work (visits, session clocks) paid first, at one instant.
        return {url: count_queries_warm(client, url) for url in urls}

    grow()
    before = measure()
    grow()
    after = measure()
    grown = {url: f"{before[url]} → {after[url]}" for url in urls if before[url] != after[url]}
    assert not grown, f"{persona}: pages whose cost grows with the data: {grown}"
