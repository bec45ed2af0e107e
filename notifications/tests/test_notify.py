"""Who is told what: notify() finds the followers of a subject and of what it
belongs to, tells each once, and writes the outbox rows in the same
transaction. Subjects are the deck's, from the demo data."""

from __future__ import annotations

import pytest
import time_machine
from django.db import transaction

from notifications import services
from notifications.models import Delivery, EmailPreference, Follow, Notification
from notifications.tests.helpers import publish_decision
from topics.models import Requirement, RequirementVersion, Sons, Topic

pytestmark = pytest.mark.django_db

# The deck: SC.SSI/IE.33 belongs to topic 7 and its slide's perimeter is
# LGC, RIS, DPI, PFI.
IE33 = "SC.SSI/IE.33"


@pytest.fixture
def frozen():
    with time_machine.travel("2023-09-25 15:30 +0200", tick=False) as traveller:
        yield traveller


def test_followers_of_the_requirement_its_topic_and_its_sons_are_told(persona_user, frozen):
    editor, editor2, federation = (persona_user(p) for p in ("editor", "editor2", "federation"))
    requirement = Requirement.objects.get(reference=IE33)
    services.follow(editor, Topic.objects.get(number=7))
    services.follow(editor2, Sons.objects.get(code="DPI"))
    services.follow(federation, requirement)

    publish_decision(IE33, by=persona_user("lead"))

    told = Notification.objects.filter(kind=Notification.Kind.DECISION_PUBLISHED)
    assert sorted(n.recipient.email for n in told) == sorted(
        u.email for u in (editor, editor2, federation)
    )
    notification = told.get(recipient=editor)
    assert notification.subject == requirement
    assert notification.data["subject"]["name"] == IE33
    assert notification.data["topic"]["url"] == "/sujets/7/"
    assert notification.data["sons"] == ["DPI", "PFI", "RIS", "LGC"]
    assert notification.title == "Arbitrage publié sur SC.SSI/IE.33 : Exigence conservée"


def test_someone_who_follows_several_ways_is_told_once(persona_user, frozen):
    editor = persona_user("editor")
    requirement = Requirement.objects.get(reference=IE33)
    for subject in (requirement, requirement.topic, Sons.objects.get(code="LGC")):
        services.follow(editor, subject)

    publish_decision(IE33, by=persona_user("lead"))

    assert Notification.objects.filter(recipient=editor).count() == 1
    assert Delivery.objects.filter(recipient=editor).count() == 1


def test_notifying_twice_tells_nobody_twice(persona_user, frozen):
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    arbitration = publish_decision(IE33, by=persona_user("lead"))

    again = services.notify(
        subjects=[arbitration.requirement, *arbitration.sons.all()],
        kind=Notification.Kind.DECISION_PUBLISHED,
        target=arbitration,
    )

    assert again == 0
    assert Notification.objects.filter(recipient=editor).count() == 1


def test_a_decision_for_other_sons_is_no_news_for_a_sons_follower(persona_user, frozen):
    """Following LGC: a decision on IE.33 for DPI only does not concern LGC."""
    editor = persona_user("editor")
    services.follow(editor, Sons.objects.get(code="LGC"))

    publish_decision(IE33, by=persona_user("lead2"), sons=Sons.objects.filter(code="DPI"))
    assert not Notification.objects.filter(recipient=editor).exists()

    publish_decision(IE33, by=persona_user("lead"), sons=Sons.objects.filter(code="LGC"))
    assert Notification.objects.filter(recipient=editor).count() == 1


def test_the_author_is_not_told_of_their_own_decision(persona_user, frozen):
    lead = persona_user("lead")
    services.follow(lead, Topic.objects.get(number=7))
    publish_decision(IE33, by=lead)
    assert not Notification.objects.filter(recipient=lead).exists()


def test_an_inactive_account_is_not_told(persona_user, frozen):
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    editor.is_active = False
    editor.save()
    publish_decision(IE33, by=persona_user("lead"))
    assert not Notification.objects.exists()


def test_a_rolled_back_decision_tells_nobody(persona_user, frozen):
    """Notifications and outbox rows are written in the publishing transaction."""
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))

    def publish_then_fail():
        with transaction.atomic():
            publish_decision(IE33, by=persona_user("lead"))
            raise RuntimeError("the publication fails after notify")

    with pytest.raises(RuntimeError):
        publish_then_fail()

    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_outbox_rows_follow_each_persons_rhythm(persona_user, frozen):
    """Monday 25/09/2023 15:30 in Paris: immediate → the next minute; daily →
    Tuesday 7:00; weekly → Monday 2/10 7:00; none → no row."""
    lead = persona_user("lead")
    people = {
        "editor": EmailPreference.Frequency.IMMEDIATE,
        "editor2": EmailPreference.Frequency.DAILY,
        "federation": EmailPreference.Frequency.WEEKLY,
        "federation2": EmailPreference.Frequency.NONE,
    }
    for persona, frequency in people.items():
        services.follow(persona_user(persona), Topic.objects.get(number=7))
        services.set_email_frequency(persona_user(persona), frequency)

    publish_decision(IE33, by=lead)

    def due(persona):
        notification = Notification.objects.get(recipient=persona_user(persona))
        return notification.delivery and notification.delivery.due_at.isoformat()

    assert due("editor") == "2023-09-25T13:31:00+00:00"
    assert due("editor2") == "2023-09-26T05:00:00+00:00"
    assert due("federation") == "2023-10-02T05:00:00+00:00"
    assert due("federation2") is None
    assert Notification.objects.get(recipient=persona_user("federation2")).read_at is None


def test_a_digest_row_gathers_the_days_items(persona_user, frozen):
    editor = persona_user("editor")
    services.set_email_frequency(editor, EmailPreference.Frequency.DAILY)
    services.follow(editor, Topic.objects.get(number=7))
    publish_decision(IE33, by=persona_user("lead"))
    frozen.shift(3 * 3600)
    publish_decision("SC.SSI/IE.34", by=persona_user("lead"), decision="kept")

    rows = Delivery.objects.filter(recipient=editor)
    assert rows.count() == 1
    assert rows.get().notifications.count() == 2


def test_without_a_preference_the_default_is_the_daily_digest(persona_user, frozen):
    editor = persona_user("editor")
    assert not EmailPreference.objects.filter(user=editor).exists()
    services.follow(editor, Topic.objects.get(number=7))
    publish_decision(IE33, by=persona_user("lead"))
    assert Delivery.objects.get(recipient=editor).kind == Delivery.Kind.DAILY_DIGEST


def test_a_claimed_row_takes_no_more_items(persona_user, frozen):
    """A sweep has claimed the row of this slot (it is being sent): a new item
    goes to the next slot, never into an e-mail already on its way."""
    editor = persona_user("editor")
    services.set_email_frequency(editor, EmailPreference.Frequency.IMMEDIATE)
    services.follow(editor, Topic.objects.get(number=7))
    publish_decision(IE33, by=persona_user("lead"))
    first = Delivery.objects.get(recipient=editor)
    Delivery.objects.filter(pk=first.pk).update(lease_token="00000000-0000-0000-0000-000000000001")

    later = publish_decision("SC.SSI/IE.34", by=persona_user("lead"))

    second = Notification.objects.get(recipient=editor, target_id=later.pk)
    assert second.delivery.due_at.isoformat() == "2023-09-25T13:32:00+00:00"
    assert first.notifications.count() == 1


def test_a_new_statement_tells_the_followers(persona_user, frozen):
    """Recording a new version of a statement (an import, a decision that
    rewrites it) is a "statement changed" notification; the same version
    recorded for four SONS is one piece of news."""
    editor, editor2 = persona_user("editor"), persona_user("editor2")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.31")
    services.follow(editor, requirement)
    services.follow(editor2, Sons.objects.get(code="DPI"))

    for sons in requirement.sons.all():
        RequirementVersion.objects.create(
            requirement=requirement,
            sons=sons,
            label="Itération 2",
            statement="Le système DOIT permettre une nouvelle chose.",
        )

    mine = Notification.objects.get(recipient=editor)
    assert mine.kind == Notification.Kind.STATEMENT_CHANGED
    assert mine.subject == requirement
    assert mine.title == "Énoncé modifié : SC.SSI/IE.31"
    assert mine.detail == "Le système DOIT permettre une nouvelle chose."
    theirs = Notification.objects.get(recipient=editor2)
    assert theirs.data["sons"] == ["DPI"]


def test_the_first_statement_of_a_sons_is_not_a_change(persona_user, frozen):
    editor = persona_user("editor")
    requirement = Requirement.objects.get(reference=IE33)
    services.follow(editor, requirement)
    sgl = Sons.objects.get(code="SGL")
    RequirementVersion.objects.create(
        requirement=requirement, sons=sgl, label="RC", statement="Premier énoncé."
    )
    assert not Notification.objects.exists()


def test_follow_is_idempotent_and_keeps_its_first_reason(persona_user):
    editor = persona_user("editor")
    requirement = Requirement.objects.get(reference=IE33)
    services.follow(editor, requirement, reason=Follow.Reason.COMMENTED)
    services.follow(editor, requirement)
    follow = Follow.objects.get(user=editor)
    assert follow.reason == Follow.Reason.COMMENTED
    assert services.is_following(editor, requirement)
    assert services.unfollow(editor, requirement)
    assert not services.is_following(editor, requirement)


def test_only_known_subjects_can_be_followed(persona_user):
    with pytest.raises(ValueError, match="not a subject"):
        services.follow(persona_user("editor"), persona_user("editor2"))


def test_named_recipients_replace_the_followers(persona_user, frozen):
    """notify(recipients=...): exactly those active people, never the actor,
    whoever follows the subject; the link may point inside the page."""
    editor, editor2, federation = (persona_user(p) for p in ("editor", "editor2", "federation"))
    requirement = Requirement.objects.get(reference=IE33)
    services.follow(editor2, requirement)  # a follower, not named: not told
    federation.is_active = False
    federation.save(update_fields=["is_active"])

    told = services.notify(
        subjects=[requirement],
        kind=Notification.Kind.COMMENT_REPLY,
        actor=editor2,
        key="comment:1",
        recipients=[editor, federation.pk, editor2],
        data={"anchor": "#commentaire-1"},
    )

    assert told == 1
    (notification,) = Notification.objects.filter(kind=Notification.Kind.COMMENT_REPLY)
    assert notification.recipient == editor
    assert notification.subject_url == "/exigences/SC.SSI/IE.33#commentaire-1"
    assert notification.title == "Réponse à votre commentaire sur SC.SSI/IE.33"
    # Its e-mail goes out with the person's rhythm, like any notification.
    assert notification.delivery.kind == Delivery.Kind.DAILY_DIGEST
