"""The demo data is the deck, exactly.

Every expected value below is typed from the slide deck
(seed/arbitrages-vague2-session1-2023-09-25.txt), independently of the
loader's own data structures: a test that compared the loader's constants
with themselves would prove nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from arbitrations.models import Arbitration
from calendar_app.models import Event
from topics.models import ReferenceDocument, Requirement, RequirementVersion, Sons, Topic

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
EVERY = {"DPI", "PFI", "RIS", "DB", "LGC"}  # "Tous"

# The deck's table "Les sujets à aborder…" (1. Le périmètre technique vague 2).
DECK_TOPICS = {
    1: ("(DOCS) Gestion des versions N1 et N3 d'un même document", EVERY),
    2: ("(MES/DMP) Circuit d'alimentation MES dans les cas d'annonce", {"PFI", "RIS", "LGC"}),
    3: ("(MSS) Workflow MSS gestion des KO d'intégration automatique", {"DPI", "RIS"}),
    4: ("(SSI) Antivirus", EVERY),
    5: ("(SSI) Test d'intrusion", EVERY),
    6: ("(SSI/IE) API PSConnectées", EVERY),
    7: ("(SSI/IE) Exigences gestions des comptes et des utilisateurs", EVERY),
    8: (
        "(MES/DMP) Informations sur la présence d'un nouveau document dans le DMP / MES",
        {"DPI", "RIS", "LGC"},
    ),
    9: ("(UX) Non blocage de l'interface graphique de l'utilisateur", EVERY),
    10: ("(INS) Indicateurs INSq", {"RIS", "LGC"}),
    11: ("Amélioration / reformulation / précisions d'exigences et/ou scénarios", EVERY),
    12: ("(MES) Alimentation systématique LGC", {"LGC"}),
    13: ("Appel contextuel DB pour LGC en CDS/MSP avec activité imagerie", {"LGC"}),
    14: ("Autres thématiques potentielles périmètre LGC", {"LGC"}),
}
DECK_DOMAINS = {1: "DOCS", 2: "MES/DMP", 3: "MSS", 4: "SSI", 5: "SSI", 6: "SSI/IE", 7: "SSI/IE"}

# The second table (2. Les conditions administratives et financières et le parcours éditeurs).
DECK_ADMINISTRATIVE = {
    "Calendrier vague 2",
    "Dispositif \"Bonus\" en cas d'atteinte d'un certain niveau d'usage",
    "Conditions de paiement du solde",
    "Prix définitifs et barèmes de chaque SONS",
    'Conditions d\'éligibilité aux prestations "Vague 2" et "Vague 1 + Vague 2"',
}
DECK_JOURNEY = {
    "Parcours éditeurs pour le référencement des solutions",
    "Parcours éditeurs pour le financement des prestations",
    "Mesures de sécurisation de la qualité des logiciels déployés",
}

SLIDE_PERIMETER = {"LGC", "RIS", "DPI", "PFI"}
# reference → (topic number, decision label, first words of the comment, perimeter)
DECK_DECISIONS = {
    "SC.SSI/GEN.08": (
        4,
        "Exigence supprimée",
        "Équipement de MES + opérateurs MSSanté",
        SLIDE_PERIMETER,
    ),
    "SC.SSI/IE.30": (
        7,
        "Exigence supprimée",
        "La recherche ne peut être bloquante",
        SLIDE_PERIMETER,
    ),
    "SC.SSI/IE.31": (
        7,
        "Exigence conservée",
        "La politique de sécurité s'appliquant",
        SLIDE_PERIMETER,
    ),
    "SC.SSI/IE.32": (
        7,
        "Exigence conservée",
        "La politique de sécurité s'appliquant",
        SLIDE_PERIMETER,
    ),
    "SC.SSI/IE.33": (
        7,
        "Exigence conservée",
        "L'enregistrement des professionnels de santé",
        SLIDE_PERIMETER,
    ),
    "SC.SSI/IE.34": (
        7,
        "Instruction en cours",
        "Instruction en vue de la simplification",
        SLIDE_PERIMETER,
    ),
    "SC.SSI/IE.35": (
        7,
        "Instruction en cours",
        "Instruction en vue de la simplification",
        SLIDE_PERIMETER,
    ),
    "SC.DMP/UX.10": (
        9,
        "Exigence modifiée",
        "Extension de l'exigence à l'ensemble",
        SLIDE_PERIMETER,
    ),
    "SC.DMP/ALI/PROG.02": (
        12,
        "Exigence modifiée",
        "Mise à jour de l'exigence pour traiter",
        {"LGC"},
    ),
}

# "Les prochains rendez-vous" and the calendar slide.
DECK_SESSIONS = {
    datetime(2023, 9, 25).date(): (
        None,
        [
            "(SSI) Antivirus",
            "(SSI/IE) Exigences gestions des comptes et des utilisateurs",
            "(UX) Non blocage de l'interface graphique de l'utilisateur",
            "(MES) Alimentation systématique LGC",
        ],
    ),
    datetime(2023, 10, 12).date(): (
        (14, 0),
        [
            "(DOCS) Gestion des versions N1 et N3 d'un même document",
            "(MES/DMP) Circuit d'alimentation MES dans les cas d'annonce",
            "(MSS) Workflow MSS gestion des KO d'intégration automatique",
            "(INS) Indicateurs INSq",
        ],
    ),
    datetime(2023, 10, 26).date(): (
        (14, 0),
        [
            "(SSI/IE) API PSConnectées",
            "(SSI) Test d'intrusion",
            "(MES/DMP) Informations sur la présence d'un nouveau document dans le DMP / MES",
            "Présentation parcours éditeurs",
        ],
    ),
}
# (date or None, status, audiences, topic of its row)
DECK_WORKSHOPS = [
    (date(2023, 9, 22), "fixed", set(), "(SSI/IE) API PSConnectées"),
    (date(2023, 10, 3), "fixed", set(), "(DOCS) Gestion des versions N1 et N3 d'un même document"),
    (date(2023, 10, 13), "fixed", set(), "(SSI/IE) API PSConnectées"),
    (date(2023, 10, 18), "to_confirm", {"Hôpital", "Radio"}, "(SSI) Test d'intrusion"),
    (date(2023, 10, 20), "fixed", set(), "(SSI/IE) API PSConnectées"),
    (None, "to_schedule", {"Ville"}, "(SSI) Test d'intrusion"),
    (None, "to_schedule", {"Ville"}, "Autres thématiques potentielles périmètre LGC"),
    (None, "to_schedule", set(), "Parcours éditeurs pour le référencement des solutions"),
]


def local_day(value: datetime) -> date:
    return value.astimezone(PARIS).date()


def test_the_fourteen_numbered_topics_with_their_scope():
    for number, (label, scope) in DECK_TOPICS.items():
        topic = Topic.objects.get(number=number)
        assert topic.label == label
        assert {s.code for s in topic.scope.all()} == scope, label
    for number, domain in DECK_DOMAINS.items():
        assert Topic.objects.get(number=number).domain_code == domain
    assert Topic.objects.exclude(number=None).count() == 14


def test_the_three_lgc_topics_are_marked_as_such():
    assert set(
        Topic.objects.filter(kind=Topic.Kind.LGC_SPECIFIC).values_list("number", flat=True)
    ) == {12, 13, 14}


def test_administrative_and_editor_journey_subjects():
    assert (
        set(Topic.objects.filter(kind=Topic.Kind.ADMINISTRATIVE).values_list("title", flat=True))
        == DECK_ADMINISTRATIVE
    )
    assert (
        set(Topic.objects.filter(kind=Topic.Kind.EDITOR_JOURNEY).values_list("title", flat=True))
        == DECK_JOURNEY
    )
    for topic in Topic.objects.filter(number=None):
        assert {s.code for s in topic.scope.all()} == EVERY


def test_the_six_sons_and_their_task_forces():
    expected = {
        "DPI": "Hôpital",
        "PFI": "Hôpital",
        "LGC": "Médecine de ville",
        "RIS": "Imagerie RIS",
        "DB": "Imagerie DB",
        "SGL": None,
    }
    got = {s.code: s.task_force.name if s.task_force else None for s in Sons.objects.all()}
    assert got == expected
    # SGL follows its own scheme: in no topic's scope.
    assert not Topic.objects.filter(scope__code="SGL").exists()


def test_task_force_contacts_are_fictitious():
    from accounts.models import TaskForceLead

    contacts = TaskForceLead.objects.filter(is_public_contact=True).select_related("user")
    # Hôpital 2, Médecine de ville 2, Imagerie RIS 1, Imagerie DB 2: one person is in both imaging.
    assert contacts.count() == 7
    assert len({m.user_id for m in contacts}) == 6
    for membership in contacts:
        assert membership.user.email.endswith("@example.org")
        assert not membership.user.has_usable_password()


def test_every_requirement_of_the_deck_with_its_decision_and_comment():
    session = Event.objects.get(kind=Event.Kind.SHARING_SESSION, starts_at__date=date(2023, 9, 25))
    for reference, (number, label, comment, perimeter) in DECK_DECISIONS.items():
        requirement = Requirement.objects.get(reference=reference)
        assert requirement.topic.number == number, reference
        assert {row.sons.code for row in requirement.applicabilities.all()} == perimeter
        arbitration = Arbitration.objects.get(requirement=requirement)
        assert arbitration.get_decision_display() == label, reference
        assert arbitration.comment.startswith(comment), reference
        assert {s.code for s in arbitration.sons.all()} == perimeter
        assert arbitration.status == Arbitration.Status.PUBLISHED
        assert arbitration.session == session
    assert Requirement.objects.count() == 9


def test_statements_are_the_deck_s():
    def statement(reference):
        return Requirement.objects.get(reference=reference).applicabilities.first().statement

    assert statement("SC.SSI/GEN.08").startswith(
        "Dans le cas où le système permet l'import d'un fichier par un utilisateur"
    )
    assert statement("SC.SSI/GEN.08").endswith("l'absence d'un contrôle antivirus est tolérée.")
    assert "- Identifiant privé (si existant), dont l'unicité doit être assurée" in statement(
        "SC.SSI/IE.33"
    )
    assert "Cette vérification peut se faire par l'envoi d'un code" in statement("SC.SSI/IE.31")
    assert statement("SC.SSI/IE.32").startswith("Si le professionnel peut modifier")
    assert "désactivation du dispositif" in statement("SC.SSI/IE.35")
    assert "renouvellement ou la mise à jour de ce dispositif" in statement("SC.SSI/IE.34")


def test_compliance_scenarios():
    ux10 = Requirement.objects.get(reference="SC.DMP/UX.10")
    assert "Interface réseau bridée avec une latence de 3 secondes" in ux10.prerequisites
    assert "Patient test disposant d'un DMP" in ux10.prerequisites
    assert "ne doit pas être bloquée par la requête en cours" in ux10.steps
    prog02 = Requirement.objects.get(reference="SC.DMP/ALI/PROG.02")
    assert '1 poste "maître" avec CPS et 1 poste "esclave" sans CPS' in prog02.prerequisites
    assert "2. Valider le document sur le poste esclave" in prog02.steps
    assert prog02.proof == "idem SC.DMP/ALI/PROG.02.01.01"


def test_updated_requirements_have_their_former_and_updated_statements():
    for reference, former_words, updated_words in [
        ("SC.DMP/UX.10", "requêtes au DMP", "Services numériques en santé on entend ici"),
        ("SC.DMP/ALI/PROG.02", "sans nécessiter une action complémentaire", 'poste "maître"'),
    ]:
        requirement = Requirement.objects.get(reference=reference)
        for row in requirement.applicabilities.all():
            versions = list(
                RequirementVersion.objects.filter(requirement=requirement, sons=row.sons).order_by(
                    "created_at", "pk"
                )
            )
            assert len(versions) == 2, reference
            former, updated = versions
            assert former_words in former.statement
            assert updated_words not in former.statement
            assert updated_words in updated.statement
            assert updated.statement == row.statement  # the current statement is the update


def test_the_eligibility_decision_of_the_sons_framework_section():
    topic = Topic.objects.get(title__startswith="Conditions d'éligibilité")
    arbitration = Arbitration.objects.get(topic=topic)
    assert arbitration.requirement is None
    assert arbitration.decision == Arbitration.Decision.REMOVED
    assert arbitration.comment.startswith(
        "Suppression de la condition envisagée dans la version RC"
    )
    assert "seuil d'alimentation MES" in arbitration.comment
    assert arbitration.status == Arbitration.Status.PUBLISHED


def test_the_three_sharing_sessions_and_their_agendas():
    sessions = Event.objects.filter(kind=Event.Kind.SHARING_SESSION)
    assert sessions.count() == 3
    for session in sessions:
        day = local_day(session.starts_at)
        hour, agenda = DECK_SESSIONS[day]
        if hour is None:
            assert session.all_day
        else:
            local = session.starts_at.astimezone(PARIS)
            assert (local.hour, local.minute) == hour
        labels = [
            item.topic.label if item.topic else item.label for item in session.agenda_items.all()
        ]
        assert len(labels) == len(agenda)
        for label, expected in zip(labels, agenda, strict=True):
            assert label.startswith(expected)


def test_every_workshop_with_its_date_status_and_audiences():
    workshops = list(Event.objects.filter(kind=Event.Kind.WORKSHOP).prefetch_related("audiences"))
    got = [
        (
            local_day(w.starts_at) if w.starts_at else date.max,
            w.status,
            frozenset(a.label for a in w.audiences.all()),
            w.agenda_items.first().topic.label,
        )
        for w in workshops
    ]
    expected = [(d or date.max, s, frozenset(a), t) for d, s, a, t in DECK_WORKSHOPS]
    assert sorted(g[:3] for g in got) == sorted(e[:3] for e in expected)
    assert {g[3] for g in got} == {e[3] for e in expected}
    for workshop in workshops:
        if workshop.status == Event.Status.TO_SCHEDULE:
            assert workshop.starts_at is None
            assert workshop.target_week is not None
            assert workshop.target_week.weekday() == 0  # a Monday


def test_federation_steering_committees_and_publication_target():
    committees = Event.objects.filter(kind=Event.Kind.STEERING_COMMITTEE)
    assert sorted(local_day(e.starts_at) for e in committees) == [
        date(2023, 10, 6),
        date(2023, 10, 20),
    ]
    target = Event.objects.get(kind=Event.Kind.MILESTONE)
    assert target.title == "Objectif de publication des premiers dispositifs vague 2"
    assert local_day(target.starts_at) == date(2023, 11, 30)  # "à horizon fin novembre"


def test_the_five_release_candidates():
    assert set(ReferenceDocument.objects.values_list("name", "sons__code")) == {
        ("MDV-LGC-Va2-RC-Juillet 2023", "LGC"),
        ("IMG-RIS-Va2-RC-Juillet 2023", "RIS"),
        ("IMG-DB-RC-Juillet 2023", "DB"),
        ("HOP-PFI-Va2-RC-Juillet 2023", "PFI"),
        ("HOP-DPI-Va2-RC-Juillet 2023", "DPI"),
    }
    assert {d.published_on for d in ReferenceDocument.objects.all()} == {date(2023, 7, 21)}


def snapshot():
    return {
        "topics": sorted(Topic.objects.values_list("slug", "number", "title", "kind")),
        "scopes": sorted(Topic.scope.through.objects.values_list("topic__slug", "sons__code")),
        "requirements": sorted(Requirement.objects.values_list("reference", "topic__slug")),
        "statements": sorted(
            Requirement.sons.through.objects.values_list(
                "requirement__reference", "sons__code", "statement"
            )
        ),
        "versions": sorted(
            RequirementVersion.objects.values_list("requirement__reference", "sons__code", "label")
        ),
        "events": sorted(
            Event.objects.values_list("slug", "starts_at", "target_week", "status", "kind")
        ),
        "agenda": sorted(
            Event.agenda_items.rel.related_model.objects.values_list(
                "event__slug", "order", "topic__slug", "label"
            )
        ),
        "decisions": sorted(
            Arbitration.objects.values_list(
                "requirement__reference", "topic__slug", "decision", "comment", "published_at"
            ),
            key=str,
        ),
        "decision_sons": sorted(
            Arbitration.sons.through.objects.values_list("arbitration_id", "sons_id")
        ),
        "documents": sorted(ReferenceDocument.objects.values_list("name", "published_on")),
    }


def test_load_demo_twice_changes_nothing():
    before = snapshot()
    out = StringIO()
    call_command("load_demo", "--original-dates", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert snapshot() == before


def test_refresh_puts_back_the_deck_s_values():
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    Arbitration.objects.filter(requirement=requirement).update(comment="changé par un test")
    call_command("load_demo", "--original-dates", stdout=StringIO())
    assert Arbitration.objects.get(requirement=requirement).comment == "changé par un test"
    call_command("load_demo", "--original-dates", "--refresh", stdout=StringIO())
    assert Arbitration.objects.get(requirement=requirement).comment.startswith(
        "L'enregistrement des professionnels de santé"
    )


def test_default_load_moves_the_story_to_the_current_week_keeping_weekdays():
    original = {
        e.slug: (e.starts_at and e.starts_at.astimezone(PARIS), e.target_week, e.all_day)
        for e in Event.objects.all()
    }
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=PARIS), tick=False):
        call_command("load_demo", "--refresh", stdout=StringIO())
    shifted = {e.slug: e for e in Event.objects.all()}
    session = shifted["temps-de-partage-2023-09-25"]
    # 25/09/2023 was a Monday: the session is on the Monday of the week of 25/11/2026.
    assert local_day(session.starts_at) == date(2026, 11, 23)
    delta = local_day(session.starts_at) - date(2023, 9, 25)
    assert delta.days % 7 == 0
    for slug, (starts_at, target_week, all_day) in original.items():
        event = shifted[slug]
        if starts_at is not None:
            moved = event.starts_at.astimezone(PARIS)
            assert moved.date() - starts_at.date() == delta, slug
            assert moved.weekday() == starts_at.weekday(), slug
            assert (moved.hour, moved.minute) == (starts_at.hour, starts_at.minute), slug
        if target_week is not None:
            assert event.target_week - target_week == delta
        assert event.all_day == all_day
    # Decisions are published at the (moved) session.
    assert {a.published_at for a in Arbitration.objects.all()} == {session.starts_at}


def test_original_dates_keep_2023():
    call_command("load_demo", "--original-dates", "--refresh", stdout=StringIO())
    session = Event.objects.get(slug="temps-de-partage-2023-09-25")
    assert local_day(session.starts_at) == date(2023, 9, 25)
    second = Event.objects.get(slug="temps-de-partage-2023-10-12")
    assert second.starts_at == datetime(2023, 10, 12, 14, 0, tzinfo=PARIS)
