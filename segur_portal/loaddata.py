"""A realistic data set at the size of the real concertation, or N times it
(``manage.py generate_load_data --scale N``), for the benchmark (bench/).

It builds on the demo (``create_demo_accounts`` and ``load_demo``, run first
when missing), so that the deck's SONS and the demo personas keep working,
and adds synthetic rows around them: organisations, people, topics,
requirements and their statements, events, decisions and their history,
comments, argued feedback, follows and notifications. Every step is one
method writing with ``bulk_create`` in batches, from one seeded random
generator: the same scale gives the same data. People share ONE password
hash, computed once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation, TaskForce, TaskForceLead, User
from arbitrations.models import Arbitration, DecisionsSeen
from calendar_app.models import AgendaItem, Audience, CalendarFeed, Event, Question, Registration
from concertation.models import Comment, Feedback, FeedbackSignature
from core.text import render_user_markdown
from notifications.models import EmailPreference, Follow, Notification
from topics.models import Requirement, RequirementSons, RequirementVersion, Sons, Topic

from .demo.accounts import create_demo_accounts
from .demo.load import load_demo

BATCH = 2000
# Everything this generator creates is named with this mark, so that a
# second run can tell (and refuse) and nobody mistakes it for real data.
MARK = "Charge"
EMAIL_DOMAIN = "charge.example"
# The password of every generated person (one hash for all). Local benchmarks only.
LOAD_PASSWORD = "charge-bench-2023"  # noqa: S105 - documented, for benchmarks only

# Volumes at scale 1 (the issue's), multiplied by the scale.
VOLUMES = {
    "organisations": 300,
    "users": 2000,
    "topics": 25,
    "references": 400,
    "requirement_rows": 1100,
    "events": 200,
    "comments": 20_000,
    "feedback": 2000,
    "history": 50_000,
    "notifications": 100_000,
}
# The share of the people per role (the rest are editors).
ADMINS, LEADS, FEDERATION_REPS = 0.005, 0.02, 0.10
FEDERATIONS = 0.07  # of the organisations; one authority; the rest are editors

DOMAINS = ["SSI/IE", "DMP", "MSS", "INS", "PRO", "ALI", "IMG", "ORD", "BIO", "INT"]
WORDS = (
    "le",
    "système",
    "doit",
    "permettre",
    "à",
    "l'utilisateur",
    "de",
    "consulter",
    "enregistrer",
    "transmettre",
    "le",
    "document",
    "la",
    "donnée",
    "de",
    "santé",
    "patient",
    "professionnel",
    "identifiant",
    "national",
    "messagerie",
    "sécurisée",
    "dossier",
    "médical",
    "partagé",
    "trace",
    "journal",
    "accès",
    "authentification",
    "interopérabilité",
    "format",
    "structuré",
    "CDA",
    "FHIR",
    "volet",
    "échange",
    "alimentation",
    "réception",
    "notification",
    "consentement",
    "habilitation",
    "certificat",
    "antivirus",
    "sauvegarde",
)


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


@dataclass
class Step:
    name: str
    seconds: float
    rows: int
    missing: bool = False


@dataclass
class Generator:
    scale: int = 1
    seed: int = 2023
    log: Callable[[str], object] = print
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.now = timezone.now()

    def volume(self, name: str) -> int:
        return VOLUMES[name] * self.scale

    # --- Running --------------------------------------------------------------------------

    STEPS = (
        "demo",
        "organisations",
        "users",
        "topics",
        "requirements",
        "events",
        "decisions",
        "comments",
        "feedback",
        "history",
        "follows",
        "notifications",
    )

    def run(self) -> list[Step]:
        if Organisation.objects.filter(slug__startswith=slugify(MARK)).exists():
            raise RuntimeError(
                "Load data is already there: generate it on a fresh database "
                "(make bench migrates a new one)."
            )
        with transaction.atomic():  # all or nothing
            for name in self.STEPS:
                self.run_step(name)
        self.analyze()
        return self.steps

    def analyze(self) -> None:
        """Up-to-date planner statistics, as autovacuum would keep them on a
        production database that grew to this size: bulk inserts in one
        transaction leave PostgreSQL planning with the empty tables' guesses
        (sequential scans where an index fits)."""
        if connection.vendor != "postgresql":
            return
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.log(f"  {'analyze':<14} {'':>14}  {time.perf_counter() - started:6.1f} s")

    def run_step(self, name: str) -> None:
        started = time.perf_counter()
        result = getattr(self, f"step_{name}")()
        missing = result is None
        rows = 0 if missing else result
        step = Step(name, time.perf_counter() - started, rows, missing)
        self.steps.append(step)
        note = "MISSING (not built on this branch yet)" if missing else f"{rows:>9,} rows"
        self.log(f"  {name:<14} {note}  {step.seconds:6.1f} s")

    def bulk(self, model, objects, **options) -> list:
        created = []
        for start in range(0, len(objects), BATCH):
            created += model.objects.bulk_create(objects[start : start + BATCH], **options)
        return created

    # --- Steps ----------------------------------------------------------------------------

    def step_demo(self) -> int:
        """The deck (SONS, task forces, topics, requirements, decisions) and the personas."""
        create_demo_accounts()
        load_demo()
        self.sons = list(Sons.objects.order_by("order"))
        self.concertation_sons = [s for s in self.sons if s.in_concertation]
        self.task_forces = list(TaskForce.objects.all())
        self.authority = Organisation.objects.filter(kind=Organisation.Kind.AUTHORITY).first()
        return Sons.objects.count()

    def step_organisations(self) -> int:
        rng, total = self.rng, self.volume("organisations")
        federations = max(2, int(total * FEDERATIONS))
        rows = [
            Organisation(
                name=f"{MARK} fédération {i:04d}",
                slug=f"{slugify(MARK)}-federation-{i:04d}",
                kind=Organisation.Kind.FEDERATION,
            )
            for i in range(federations)
        ] + [
            Organisation(
                name=f"{MARK} éditeur {i:04d}",
                slug=f"{slugify(MARK)}-editeur-{i:04d}",
                kind=Organisation.Kind.EDITOR,
            )
            for i in range(total - federations - 1)
        ]
        created = self.bulk(Organisation, rows)
        self.federations = [o for o in created if o.kind == Organisation.Kind.FEDERATION]
        self.editors = [o for o in created if o.kind == Organisation.Kind.EDITOR]
        membership = Organisation.federations.through
        links = [
            membership(from_organisation_id=editor.pk, to_organisation_id=federation.pk)
            for editor in self.editors
            for federation in rng.sample(self.federations, rng.choice((1, 1, 2)))
        ]
        self.bulk(membership, links)
        # Each editor sells one or two SONS (SGL too: the lab editors).
        selling = Sons.editors.through
        self.editor_sons: dict[int, list[Sons]] = {}
        sales = []
        for editor in self.editors:
            sold = rng.sample(self.sons, rng.choice((1, 1, 2)))
            self.editor_sons[editor.pk] = sold
            sales += [selling(sons_id=s.pk, organisation_id=editor.pk) for s in sold]
        self.bulk(selling, sales)
        return len(created) + len(links) + len(sales)

    def step_users(self) -> int:
        rng, total = self.rng, self.volume("users")
        password = make_password(LOAD_PASSWORD)  # once: every generated person shares it
        roles = (
            [User.Role.ADMIN] * max(1, int(total * ADMINS))
            + [User.Role.LEAD] * max(4, int(total * LEADS))
            + [User.Role.FEDERATION] * int(total * FEDERATION_REPS)
        )
        roles += [User.Role.EDITOR] * (total - len(roles))
        people = []
        for i, role in enumerate(roles):
            if role in (User.Role.ADMIN, User.Role.LEAD):
                organisation = self.authority
            elif role == User.Role.FEDERATION:
                organisation = self.federations[i % len(self.federations)]
            else:
                organisation = self.editors[i % len(self.editors)]
            people.append(
                User(
                    email=f"{role}-{i:05d}@{EMAIL_DOMAIN}",
                    given_name=rng.choice(["Anne", "Paul", "Inès", "Hugo", "Léa", "Marc"]),
                    family_name=f"{MARK} {i:05d}",
                    role=role,
                    organisation=organisation,
                    password=password,
                    is_staff=role == User.Role.ADMIN,
                    is_superuser=role == User.Role.ADMIN,
                    date_joined=self.now - timedelta(days=rng.randint(1, 200)),
                )
            )
        self.users = self.bulk(User, people)
        self.bulk(
            EmailAddress,
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in self.users],
        )
        leads = [u for u in self.users if u.role == User.Role.LEAD]
        self.bulk(
            TaskForceLead,
            [
                TaskForceLead(
                    task_force=self.task_forces[i % len(self.task_forces)],
                    user=lead,
                    is_public_contact=False,
                    order=100 + i,
                )
                for i, lead in enumerate(leads)
            ],
        )
        # Leads and admins must pass TOTP: each gets a device (a random secret,
        # encrypted as allauth stores it). The bench signs their sessions in
        # as having passed it (bench/sessions.py).
        authority = [u for u in self.users if u.requires_mfa]
        for user in authority:
            TOTP.activate(user, generate_totp_secret())
        frequencies = [choice for choice, _label in EmailPreference.Frequency.choices]
        self.bulk(
            EmailPreference,
            [EmailPreference(user=u, frequency=rng.choice(frequencies)) for u in self.users],
        )
        self.bulk(CalendarFeed, [CalendarFeed(user=u) for u in self.users])
        return len(self.users) * 4 + len(leads) + len(authority)

    def step_topics(self) -> int:
        rng = self.rng
        existing = Topic.objects.count()
        start = Topic.objects.aggregate(last=Max("number"))["last"] or 0
        wanted = max(0, self.volume("topics") - existing)
        kinds = [Topic.Kind.TECHNICAL] * 6 + [Topic.Kind.LGC_SPECIFIC, Topic.Kind.ADMINISTRATIVE]
        rows = [
            Topic(
                number=start + 1 + i,
                slug=f"{slugify(MARK)}-sujet-{i:04d}",
                domain_code=rng.choice(DOMAINS),
                title=f"{MARK} {sentence(rng, 4)[:-1]}",
                kind=rng.choice(kinds),
                order=100 + i,
            )
            for i in range(wanted)
        ]
        created = self.bulk(Topic, rows)
        scope = Topic.scope.through
        links = [
            scope(topic_id=t.pk, sons_id=s.pk)
            for t in created
            for s in rng.sample(self.concertation_sons, rng.randint(1, len(self.concertation_sons)))
        ]
        self.bulk(scope, links)
        self.topics = list(Topic.objects.all())
        self.topic_sons = {t.pk: [] for t in self.topics}
        for topic_id, sons_id in scope.objects.values_list("topic_id", "sons_id"):
            self.topic_sons[topic_id].append(sons_id)
        return len(created) + len(links)

    def step_requirements(self) -> int:
        rng = self.rng
        references = self.volume("references") - Requirement.objects.count()
        rows_wanted = self.volume("requirement_rows") - RequirementSons.objects.count()
        technical = [t for t in self.topics if t.kind != Topic.Kind.ADMINISTRATIVE]
        requirements = self.bulk(
            Requirement,
            [
                Requirement(
                    reference=f"CH.{rng.choice(DOMAINS)}/{i:05d}",
                    domain=rng.choice(DOMAINS),
                    block=sentence(rng, 2)[:-1],
                    function=sentence(rng, 3)[:-1],
                    nature=rng.choice(list(Requirement.Nature.values)),
                    blocking=rng.random() < 0.3,
                    prerequisites=sentence(rng, 12),
                    steps=sentence(rng, 25),
                    proof=sentence(rng, 10),
                    topic=rng.choice(technical) if rng.random() < 0.9 else None,
                )
                for i in range(references)
            ],
        )
        # Spread the rows over the references: every reference in at least one
        # SONS, the rest of the rows on random other SONS.
        pairs: set[tuple[int, int]] = set()
        sons_ids = [s.pk for s in self.sons]
        for requirement in requirements:
            pairs.add((requirement.pk, rng.choice(sons_ids)))
        while len(pairs) < rows_wanted and len(pairs) < len(requirements) * len(sons_ids):
            pairs.add((rng.choice(requirements).pk, rng.choice(sons_ids)))
        statements = {}
        rows, versions = [], []
        for requirement_id, sons_id in sorted(pairs):
            statement = statements.setdefault(
                requirement_id, f"Le système DOIT {sentence(rng, 30)}"
            )
            obsolete = rng.random() < 0.03
            rows.append(
                RequirementSons(
                    requirement_id=requirement_id,
                    sons_id=sons_id,
                    statement=statement,
                    state=RequirementSons.State.OBSOLETE
                    if obsolete
                    else RequirementSons.State.IN_FORCE,
                )
            )
            versions.append(
                RequirementVersion(
                    requirement_id=requirement_id,
                    sons_id=sons_id,
                    label="RC juillet 2023",
                    statement=statement,
                )
            )
            if rng.random() < 0.2:
                versions.append(
                    RequirementVersion(
                        requirement_id=requirement_id,
                        sons_id=sons_id,
                        label="Itération 2",
                        statement=f"{statement} {sentence(rng, 8)}",
                    )
                )
        self.bulk(RequirementSons, rows)
        self.bulk(RequirementVersion, versions)
        self.requirements = requirements
        self.pairs = sorted(pairs)
        return len(requirements) + len(rows) + len(versions)

    def step_events(self) -> int:
        rng, wanted = self.rng, self.volume("events")
        kinds = (
            [Event.Kind.WORKSHOP] * 5
            + [Event.Kind.SHARING_SESSION] * 2
            + [Event.Kind.STEERING_COMMITTEE, Event.Kind.MILESTONE]
        )
        rows = []
        for i in range(wanted):
            kind = rng.choice(kinds)
            day = self.now + timedelta(days=rng.randint(-120, 180))
            all_day = kind == Event.Kind.WORKSHOP and rng.random() < 0.6
            starts = day.replace(hour=9 if all_day else rng.choice((9, 10, 14)), minute=0)
            rows.append(
                Event(
                    kind=kind,
                    title=f"{MARK} {Event.Kind(kind).label} {i:04d}",
                    slug=f"{slugify(MARK)}-{i:05d}",
                    description=sentence(rng, 30),
                    starts_at=starts,
                    ends_at=None if all_day else starts + timedelta(hours=2),
                    all_day=all_day,
                    place="Visioconférence",
                    created_at=starts - timedelta(days=30),
                )
            )
        events = self.bulk(Event, rows)
        audiences = list(Audience.objects.all())
        through = Event.audiences.through
        links = [
            through(event_id=e.pk, audience_id=a.pk)
            for e in events
            if e.kind == Event.Kind.WORKSHOP
            for a in rng.sample(audiences, rng.randint(0, min(2, len(audiences))))
        ]
        self.bulk(through, links)
        items = [
            AgendaItem(event=e, topic=topic, order=order)
            for e in events
            if e.kind in (Event.Kind.SHARING_SESSION, Event.Kind.WORKSHOP)
            for order, topic in enumerate(rng.sample(self.topics, rng.randint(1, 4)), 1)
        ]
        self.bulk(AgendaItem, items)
        workshops = [e for e in events if e.kind == Event.Kind.WORKSHOP]
        registrations = [
            Registration(event=e, organisation=o)
            for e in workshops
            for o in rng.sample(self.editors, min(len(self.editors), rng.randint(0, 10)))
        ]
        self.bulk(Registration, registrations)
        people = [u for u in self.users if not u.requires_mfa]
        questions = [
            Question(
                event=e,
                author=author,
                organisation_id=author.organisation_id,
                text=f"{sentence(rng, 15)[:-1]} ?",
                answer=sentence(rng, 20) if rng.random() < 0.5 else "",
            )
            for e in events
            if e.kind == Event.Kind.SHARING_SESSION
            for author in rng.sample(people, rng.randint(0, 5))
        ]
        self.bulk(Question, questions)
        self.events = list(Event.objects.all())
        self.sessions = [e for e in self.events if e.kind == Event.Kind.SHARING_SESSION]
        return len(events) + len(links) + len(items) + len(registrations) + len(questions)

    def step_decisions(self) -> int:
        """Decisions on about three references in four, for some of their SONS;
        one in five decided twice (the earlier one is what "modifié" compares
        with); a few drafts."""
        rng = self.rng
        decisions = list(Arbitration.Decision.values)
        leads = [u for u in self.users if u.role == User.Role.LEAD]
        by_requirement: dict[int, list[int]] = {}
        for requirement_id, sons_id in self.pairs:
            by_requirement.setdefault(requirement_id, []).append(sons_id)
        rows, covers = [], []
        for requirement_id, sons_ids in by_requirement.items():
            if rng.random() > 0.75:
                continue
            rounds = 2 if rng.random() < 0.2 else 1
            published = self.now - timedelta(days=rng.randint(30, 90))
            for _round in range(rounds):
                session = rng.choice(self.sessions)
                draft = rng.random() < 0.04
                rows.append(
                    Arbitration(
                        requirement_id=requirement_id,
                        decision=rng.choice(decisions),
                        comment=sentence(rng, 25),
                        session=session,
                        status=Arbitration.Status.DRAFT if draft else Arbitration.Status.PUBLISHED,
                        decided_by=rng.choice(leads),
                        published_at=None if draft else published,
                        published_by=None if draft else rng.choice(leads),
                    )
                )
                covers.append(rng.sample(sons_ids, rng.randint(1, len(sons_ids))))
                published += timedelta(days=rng.randint(1, 25))
        created = self.bulk(Arbitration, rows)
        through = Arbitration.sons.through
        links = [
            through(arbitration_id=a.pk, sons_id=s)
            for a, sons_ids in zip(created, covers, strict=True)
            for s in sons_ids
        ]
        self.bulk(through, links)
        self.arbitrations = created
        return len(created) + len(links)

    def step_comments(self) -> int:
        """Comments by participants on requirements (with the SONS and its
        statement version of the time) and topics, one in four a reply."""
        rng, wanted = self.rng, self.volume("comments")
        # A pool of texts, each rendered once (the model keeps its HTML).
        bodies = [f"{sentence(rng, rng.randint(8, 40))} **{i}**" for i in range(200)]
        html = {body: render_user_markdown(body) for body in bodies}
        versions = {
            (r, s): pk
            for pk, r, s in RequirementVersion.objects.filter(
                requirement__in=self.requirements
            ).values_list("pk", "requirement_id", "sons_id")
        }
        people = [u for u in self.users if not u.requires_mfa] or self.users
        rows = []
        for i in range(wanted):
            author = people[i % len(people)]
            body = rng.choice(bodies)
            when = self.now - timedelta(minutes=rng.randint(1, 90 * 24 * 60))
            if rng.random() < 0.8:
                requirement_id, sons_id = rng.choice(self.pairs)
                subject = {
                    "requirement_id": requirement_id,
                    "sons_id": sons_id,
                    "version_id": versions.get((requirement_id, sons_id)),
                }
            else:
                subject = {"topic_id": rng.choice(self.topics).pk}
            rows.append(
                Comment(
                    author=author,
                    organisation_id=author.organisation_id,
                    body=body,
                    html=html[body],
                    created_at=when,
                    **subject,
                )
            )
        created = self.bulk(Comment, rows)
        # One in four answers an earlier comment on the same subject.
        by_subject: dict[tuple, list[Comment]] = {}
        for comment in created:
            by_subject.setdefault((comment.requirement_id, comment.topic_id), []).append(comment)
        replies = []
        for thread in by_subject.values():
            for comment in thread[1:]:
                if rng.random() < 0.25:
                    comment.parent_id = thread[0].pk
                    replies.append(comment)
        Comment.objects.bulk_update(replies, ["parent"], batch_size=BATCH)
        return len(created)

    def step_feedback(self) -> int:
        """Argued feedback of federations and editors, filed, four in five
        with their published answer; co-signed by member editors."""
        rng, wanted = self.rng, self.volume("feedback")
        leads = [u for u in self.users if u.role == User.Role.LEAD]
        filers = [u for u in self.users if u.role in (User.Role.FEDERATION, User.Role.EDITOR)]
        by_topic: dict[int, list[int]] = {}
        for requirement in self.requirements:
            if requirement.topic_id:
                by_topic.setdefault(requirement.topic_id, []).append(requirement.pk)
        topics = [t for t in self.topics if t.pk in by_topic] or self.topics
        kinds = list(Feedback.Kind.values)
        dispositions = list(Feedback.Disposition.values)
        rows, links = [], []
        for i in range(wanted):
            author = filers[i % len(filers)]
            topic = rng.choice(topics)
            filed = self.now - timedelta(days=rng.randint(5, 80))
            answered = rng.random() < 0.8
            lead = rng.choice(leads)
            rows.append(
                Feedback(
                    organisation_id=author.organisation_id,
                    author=author,
                    topic=topic,
                    kind=rng.choice(kinds),
                    current_wording=sentence(rng, 20),
                    proposed_wording=sentence(rng, 25),
                    argument=sentence(rng, 60),
                    impact_effort=sentence(rng, 8),
                    impact_cost=sentence(rng, 6),
                    impact_deadline=sentence(rng, 5),
                    status=Feedback.Status.ANSWERED
                    if answered
                    else rng.choice([Feedback.Status.SUBMITTED, Feedback.Status.UNDER_REVIEW]),
                    filed_at=filed,
                    filed_by=author,
                    assignee=lead,
                    disposition=rng.choice(dispositions) if answered else "",
                    answer_text=sentence(rng, 40) if answered else "",
                    answered_by=lead if answered else None,
                    answered_at=filed + timedelta(days=3) if answered else None,
                    answer_published_at=filed + timedelta(days=4) if answered else None,
                    answer_published_by=lead if answered else None,
                    created_at=filed - timedelta(days=1),
                )
            )
            links.append(
                (
                    rng.sample(by_topic.get(topic.pk, []), min(2, len(by_topic.get(topic.pk, [])))),
                    rng.sample(self.topic_sons.get(topic.pk) or [self.sons[0].pk], 1),
                )
            )
        created = self.bulk(Feedback, rows)
        requirements = Feedback.requirements.through
        sons = Feedback.sons.through
        self.bulk(
            requirements,
            [
                requirements(feedback_id=f.pk, requirement_id=r)
                for f, (reqs, _sons) in zip(created, links, strict=True)
                for r in reqs
            ],
        )
        self.bulk(
            sons,
            [
                sons(feedback_id=f.pk, sons_id=s)
                for f, (_reqs, sons_ids) in zip(created, links, strict=True)
                for s in sons_ids
            ],
        )
        signatures = [
            FeedbackSignature(feedback=f, organisation=rng.choice(self.editors))
            for f in created
            if rng.random() < 0.3
        ]
        self.bulk(FeedbackSignature, signatures, ignore_conflicts=True)
        return len(created) + len(signatures)

    def step_history(self) -> int:
        """simple_history records, as the services leave them: a creation and a
        publication per decision, then changes of events until the volume."""
        rng, wanted = self.rng, self.volume("history")
        Historical = Arbitration.history.model
        leads = [u for u in self.users if u.role == User.Role.LEAD]
        records = []
        for a in self.arbitrations:
            for history_type, status in (("+", Arbitration.Status.DRAFT), ("~", a.status)):
                records.append(
                    Historical(
                        id=a.pk,
                        requirement_id=a.requirement_id,
                        topic_id=a.topic_id,
                        decision=a.decision,
                        comment=a.comment,
                        session_id=a.session_id,
                        status=status,
                        decided_by_id=a.decided_by_id,
                        published_at=a.published_at if status == a.status else None,
                        published_by_id=a.published_by_id if status == a.status else None,
                        new_statement="",
                        version=1 if history_type == "+" else 2,
                        created_at=a.created_at,
                        history_date=(a.published_at or self.now)
                        - timedelta(days=1 if history_type == "+" else 0),
                        history_type=history_type,
                        history_user_id=a.decided_by_id,
                    )
                )
        self.bulk(Historical, records)
        EventHistory = Event.history.model
        remaining = max(0, wanted - len(records))
        event_records = []
        for i in range(remaining):
            e = self.events[i % len(self.events)]
            event_records.append(
                EventHistory(
                    id=e.pk,
                    kind=e.kind,
                    title=e.title,
                    slug=e.slug,
                    description=e.description,
                    status=e.status,
                    starts_at=e.starts_at,
                    ends_at=e.ends_at,
                    all_day=e.all_day,
                    target_week=e.target_week,
                    place=e.place,
                    visio_url=e.visio_url,
                    capacity=e.capacity,
                    uid=e.uid,
                    sequence=i // len(self.events),
                    cancelled_at=None,
                    cancellation_reason="",
                    created_at=e.created_at,
                    history_date=e.created_at + timedelta(minutes=i),
                    history_type="+" if i < len(self.events) else "~",
                    history_user_id=rng.choice(leads).pk,
                )
            )
        self.bulk(EventHistory, event_records)
        return len(records) + len(event_records)

    def step_follows(self) -> int:
        """Each person follows a few topics, requirements and events (about ten)."""
        rng = self.rng
        types = {
            model: ContentType.objects.get_for_model(model) for model in (Topic, Requirement, Event)
        }
        pools = {Topic: self.topics, Requirement: self.requirements, Event: self.events}
        rows = []
        for user in self.users:
            for model, count in ((Topic, 3), (Requirement, 6), (Event, 2)):
                for subject in rng.sample(pools[model], min(count, len(pools[model]))):
                    rows.append(Follow(user=user, subject_type=types[model], subject_id=subject.pk))
        self.bulk(Follow, rows, ignore_conflicts=True)
        # Half of the people have visited "Mes décisions" once.
        seen = [
            DecisionsSeen(user=u, seen_until=self.now - timedelta(days=rng.randint(1, 60)))
            for u in self.users
            if rng.random() < 0.5
        ]
        self.bulk(DecisionsSeen, seen)
        return len(rows) + len(seen)

    def step_notifications(self) -> int:
        """Decisions published, as notify() writes them: one per person and
        decision, some read."""
        rng, wanted = self.rng, self.volume("notifications")
        requirement_type = ContentType.objects.get_for_model(Requirement)
        arbitration_type = ContentType.objects.get_for_model(Arbitration)
        published = [a for a in self.arbitrations if a.status == Arbitration.Status.PUBLISHED]
        references = {r.pk: r.reference for r in self.requirements}
        labels = dict(Arbitration.Decision.choices)
        per_user = max(1, wanted // len(self.users))
        rows = []
        for user in self.users:
            for a in rng.sample(published, min(per_user, len(published))):
                if len(rows) >= wanted:
                    break
                created = a.published_at + timedelta(minutes=rng.randint(1, 600))
                rows.append(
                    Notification(
                        recipient=user,
                        kind=Notification.Kind.DECISION_PUBLISHED,
                        subject_type=requirement_type,
                        subject_id=a.requirement_id,
                        target_type=arbitration_type,
                        target_id=a.pk,
                        key=f"arbitrations.arbitration:{a.pk}",
                        actor_id=a.published_by_id,
                        data={
                            "decision": a.decision,
                            "decision_label": str(labels[a.decision]),
                            "sons": [],
                            "comment": a.comment,
                            "session": "",
                            "subject": {
                                "ref": f"topics.requirement:{a.requirement_id}",
                                "name": references[a.requirement_id],
                                "url": f"/exigences/{references[a.requirement_id]}",
                            },
                            "topic": None,
                        },
                        created_at=created,
                        read_at=created + timedelta(days=1) if rng.random() < 0.6 else None,
                    )
                )
        self.bulk(Notification, rows, ignore_conflicts=True)
        return len(rows)
