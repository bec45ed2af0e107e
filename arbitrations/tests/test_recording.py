"""Recording and publishing decisions: the rules of arbitrations/services.py,
with the issue's own scenario (SC.SSI/IE.33 modified for LGC by the lead of
Médecine de ville)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from arbitrations import services
from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration, DecisionConflict
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from calendar_app.models import Event
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons, Topic

pytestmark = pytest.mark.django_db

NEW_IE33 = (
    "Le système DOIT gérer a minima les identifiants et attributs suivants d'un PS : "
    "numéro RPPS (si existant), nom d'exercice, prénom et profession."
)


def sons(*codes):
    return list(Sons.objects.filter(code__in=codes).order_by("order"))


def base_of(subject, user, codes):
    return snapshot(current_by_sons(subject, user), [s.pk for s in sons(*codes)])


def record(user, reference="SC.SSI/IE.33", codes=("LGC",), base=None, **data):
    requirement = Requirement.objects.get(reference=reference)
    if base is None:
        base = base_of(requirement, user, codes)
    data.setdefault("decision", Arbitration.Decision.MODIFIED)
    return record_decision(
        by=user, subject=requirement, sons=sons(*codes), data=DecisionInput(**data), base=base
    ).arbitration


def decision_for(reference, code, user=None):
    requirement = Requirement.objects.get(reference=reference)
    pair = (requirement.pk, Sons.objects.get(code=code).pk)
    return current_decisions([requirement.pk], user).get(pair)


def test_a_lead_records_a_draft_that_only_the_authority_sees(persona_user):
    lead = persona_user("lead")
    draft = record(lead, comment="Simplification", new_statement=NEW_IE33)
    assert draft.status == Arbitration.Status.DRAFT
    assert [s.code for s in draft.sons.all()] == ["LGC"]
    assert draft.decided_by == lead
    # The authority sees the draft as LGC's current decision; editors still
    # see the deck's "Exigence conservée" published on 25/09.
    assert decision_for("SC.SSI/IE.33", "LGC", lead) == draft
    assert decision_for("SC.SSI/IE.33", "LGC", persona_user("editor")).decision == "kept"
    # Nothing of the draft's statement reaches the requirement's versions yet.
    assert not RequirementVersion.objects.filter(statement=NEW_IE33).exists()


def test_publishing_makes_it_current_for_its_sons_only_and_adds_a_version(persona_user):
    lead = persona_user("lead")
    draft = record(lead, comment="Simplification", new_statement=NEW_IE33)
    draft.publish(by=lead)
    editor = persona_user("editor")
    assert decision_for("SC.SSI/IE.33", "LGC", editor) == draft
    assert decision_for("SC.SSI/IE.33", "LGC", editor).decision == "modified"
    assert decision_for("SC.SSI/IE.33", "DPI", editor).decision == "kept"  # lead2's SONS
    draft.refresh_from_db()
    assert draft.published_by == lead
    assert draft.published_at is not None
    # The new statement is LGC's new version, after the RC one: diffable.
    lgc_versions = list(
        RequirementVersion.objects.filter(
            requirement__reference="SC.SSI/IE.33", sons__code="LGC"
        ).order_by("created_at", "pk")
    )
    assert [v.statement for v in lgc_versions][-1] == NEW_IE33
    assert lgc_versions[0].label == "RC juillet 2023"
    assert not RequirementVersion.objects.filter(sons__code="DPI", statement=NEW_IE33).exists()
    assert (
        RequirementSons.objects.get(
            requirement__reference="SC.SSI/IE.33", sons__code="LGC"
        ).statement
        == NEW_IE33
    )


def test_publishing_tells_the_followers_of_the_requirement_topic_and_sons_once(persona_user):
    from notifications.models import Notification
    from notifications.services import follow
    from topics.models import Sons, Topic

    lead, editor, editor2 = (persona_user(p) for p in ("lead", "editor", "editor2"))
    follow(editor, Topic.objects.get(number=7))  # IE.33's topic
    follow(editor2, Sons.objects.get(code="DPI"))  # a SONS the decision does not cover
    first = record(lead, reference="SC.SSI/IE.33", session=None)
    second = record(lead, reference="SC.SSI/IE.30", decision="kept")
    session = Event.objects.get(slug="temps-de-partage-2023-09-25")
    Arbitration.objects.filter(pk__in=[first.pk, second.pk]).update(session=session)
    assert not Notification.objects.exists()  # drafts tell nobody

    published, others = services.publish_session(session, by=lead)
    assert sorted(a.pk for a in published) == sorted([first.pk, second.pk])
    assert others == 0
    told = Notification.objects.filter(kind=Notification.Kind.DECISION_PUBLISHED)
    assert sorted(told.values_list("recipient__email", flat=True)) == [
        "editor@demo.example",
        "editor@demo.example",
    ]  # one per decision, both on topic 7; nothing for DPI's follower, nor the lead

    services.publish_session(session, by=lead)  # nothing left to publish: nobody told twice
    assert told.count() == 2


def test_every_saved_change_is_in_the_audit_log(persona_user):
    from accounts.models import AuditEvent

    lead = persona_user("lead")
    draft = record(lead, reference="SC.SSI/IE.33", session=None)
    services.publish_decisions([draft], by=lead)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.DECISION_CHANGED, actor=lead)
    assert [e.details["status"] for e in events.order_by("pk")] == ["draft", "published"]
    assert events.first().details["sons"] == ["LGC"]


@pytest.mark.parametrize(
    ("persona", "codes", "allowed"),
    [
        ("lead", ("LGC",), True),
        ("lead", ("DPI",), False),  # Hôpital's SONS
        ("lead", ("LGC", "DPI"), False),
        ("lead2", ("DPI", "PFI"), True),
        ("lead2", ("LGC",), False),
        ("admin", ("LGC", "DPI", "PFI", "RIS"), True),
        ("editor", ("LGC",), False),
        ("federation", ("LGC",), False),
    ],
)
def test_who_may_record_for_which_sons(persona_user, persona, codes, allowed):
    user = persona_user(persona)
    if allowed:
        assert record(user, codes=codes).pk
    else:
        with pytest.raises(PermissionDenied):
            record(user, codes=codes)


def test_sgl_has_no_task_force_so_only_admins_decide_for_it(persona_user):
    requirement = Requirement.objects.create(reference="SGL.TEST.01")
    sgl = Sons.objects.get(code="SGL")
    RequirementSons.objects.create(requirement=requirement, sons=sgl, statement="Le système DOIT…")
    for persona in ("lead", "lead2"):
        with pytest.raises(PermissionDenied):
            record(persona_user(persona), reference="SGL.TEST.01", codes=("SGL",))
    assert record(persona_user("admin"), reference="SGL.TEST.01", codes=("SGL",), decision="kept")


def test_editing_a_draft_on_an_old_version_is_refused_and_nothing_is_saved(persona_user):
    lead, admin = persona_user("lead"), persona_user("admin")
    draft = record(lead, comment="Première rédaction")
    stale = base_of(draft.requirement, admin, ("LGC",))  # both read version 1
    record(lead, comment="Deuxième rédaction", base=stale)
    with pytest.raises(DecisionConflict) as refused:
        record(admin, comment="Rédaction de l'admin", base=stale)
    assert [a.comment for a in refused.value.current] == ["Deuxième rédaction"]
    draft.refresh_from_db()
    assert draft.comment == "Deuxième rédaction"
    assert draft.version == 2


def test_a_published_decision_changed_meanwhile_is_refused(persona_user):
    """Two people change the published decision of IE.33 for LGC from the
    same page: the second is told of the first's draft."""
    lead, admin = persona_user("lead"), persona_user("admin")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    seen = base_of(requirement, lead, ("LGC",))
    first = record(lead, base=seen, comment="Par le lead")
    with pytest.raises(DecisionConflict) as refused:
        record(admin, base=seen, decision="removed", comment="Par l'admin")
    assert refused.value.current == [first]


def test_deciding_other_sons_of_the_same_requirement_is_no_conflict(persona_user):
    lead, lead2 = persona_user("lead"), persona_user("lead2")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    seen = base_of(requirement, lead, ("LGC", "DPI", "PFI", "RIS"))
    record(lead, base=seen, codes=("LGC",))
    assert record(lead2, base=seen, codes=("DPI", "PFI")).pk


def test_the_same_form_submitted_twice_makes_one_change(persona_user):
    lead = persona_user("lead")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    base = base_of(requirement, lead, ("LGC",))
    outcomes = [
        record_decision(
            by=lead,
            subject=requirement,
            sons=sons("LGC"),
            data=DecisionInput(decision="modified", comment="Une fois"),
            base=base,
            token="same-form",
        )
        for _ in range(2)
    ]
    assert outcomes[0].arbitration == outcomes[1].arbitration
    assert [o.duplicate for o in outcomes] == [False, True]
    assert requirement.arbitrations.drafts().count() == 1


def test_old_form_tokens_are_forgotten_by_the_daily_task(persona_user, settings):
    """The double-submit guard keeps its tokens SUBMISSION_TOKEN_DAYS, then
    the beat task forgets them; a recent one stays."""
    from datetime import timedelta

    from django.utils import timezone

    from arbitrations.models import SubmissionToken
    from arbitrations.tasks import purge_submission_tokens

    settings.SUBMISSION_TOKEN_DAYS = 2
    lead = persona_user("lead")
    now = timezone.now()
    SubmissionToken.objects.create(token="old", user=lead, created_at=now - timedelta(days=3))
    SubmissionToken.objects.create(token="recent", user=lead, created_at=now - timedelta(days=1))
    assert purge_submission_tokens.apply().get() == 1
    assert list(SubmissionToken.objects.values_list("token", flat=True)) == ["recent"]


def test_a_new_decision_takes_its_sons_out_of_an_older_draft(persona_user):
    admin = persona_user("admin")
    wide = record(admin, codes=("LGC", "DPI"), decision="kept")
    narrow = record(admin, codes=("LGC",), decision="removed")
    wide.refresh_from_db()
    assert [s.code for s in wide.sons.all()] == ["DPI"]
    assert decision_for("SC.SSI/IE.33", "LGC", admin) == narrow
    assert decision_for("SC.SSI/IE.33", "DPI", admin) == wide


def test_publishing_a_draft_changed_meanwhile_is_refused(persona_user):
    lead = persona_user("lead")
    draft = record(lead, comment="v1")
    seen_version = draft.version
    record(lead, comment="v2")
    with pytest.raises(DecisionConflict):
        draft.publish(by=lead, expected_version=seen_version)
    draft.refresh_from_db()
    assert draft.status == Arbitration.Status.DRAFT


def test_a_published_decision_changed_again_keeps_both_in_the_history(persona_user):
    lead = persona_user("lead")
    first = record(lead, comment="Modifiée une première fois")
    first.publish(by=lead)
    second = record(lead, decision="kept", comment="Finalement conservée")
    second.publish(by=lead)
    first.refresh_from_db()
    assert first.is_published
    assert first.comment == "Modifiée une première fois"
    # Creation and publication of each: every save has its history row.
    assert [h.status for h in first.history.order_by("history_date")] == ["draft", "published"]
    assert [h.status for h in second.history.order_by("history_date")] == ["draft", "published"]
    assert first.history.earliest("history_date").history_user == lead


def test_a_topic_decision_for_administrative_subjects(persona_user):
    admin = persona_user("admin")
    topic = Topic.objects.get(slug="calendrier-vague-2")
    decision = record_decision(
        by=admin,
        subject=topic,
        sons=sons("DPI", "LGC"),
        data=DecisionInput(decision="kept", comment="Calendrier confirmé"),
        base=base_of(topic, admin, ("DPI", "LGC")),
    ).arbitration
    assert decision.topic == topic
    assert decision.requirement is None
    decision.publish(by=admin)
    assert topic.arbitrations.published().get() == decision


def test_a_statement_modified_for_several_sons_is_a_new_version_for_each(persona_user):
    admin = persona_user("admin")
    draft = record(admin, codes=("DPI", "LGC"), new_statement=NEW_IE33)
    draft.publish(by=admin)
    for code in ("DPI", "LGC"):
        latest = RequirementVersion.objects.filter(
            requirement__reference="SC.SSI/IE.33", sons__code=code
        ).latest("created_at", "pk")
        assert latest.statement == NEW_IE33, code
    for code in ("PFI", "RIS"):  # not covered: unchanged
        assert not RequirementVersion.objects.filter(
            requirement__reference="SC.SSI/IE.33", sons__code=code, statement=NEW_IE33
        ).exists()
