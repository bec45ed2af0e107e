"""No lost update, with real concurrent connections on PostgreSQL.

Each writer is a thread with its own database connection; a barrier makes
all of them read the same version before any of them saves. SQLite has one
writer at a time by construction (and no row locks): these tests need the
PostgreSQL pass of the suite (DATABASE_URL=postgres://…), where they run."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from arbitrations.models import Arbitration, DecisionConflict
from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot
from topics.models import Requirement, Sons

WRITERS = 50
ROUNDS = 3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Concurrent writers need PostgreSQL (row locks, one connection per thread); "
            "SQLite serialises writers itself. Run the suite with DATABASE_URL=postgres://…"
        )


def run_writers(count, work):
    """Run ``work(i)`` in ``count`` threads, each with its own connection;
    return what each returned (or the exception it raised)."""
    results = [None] * count
    barrier = threading.Barrier(count, timeout=60)

    def target(i):
        try:
            results[i] = work(i, barrier)
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return results


def test_fifty_writers_on_the_same_version_one_wins_per_version(
    postgresql, demo_data, persona_user
):
    lead, admin = persona_user("lead"), persona_user("admin")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.33")
    lgc = Sons.objects.get(code="LGC")
    draft = record_decision(
        by=lead,
        subject=requirement,
        sons=[lgc],
        data=DecisionInput(decision="modified", comment="Brouillon initial"),
        base=snapshot(current_by_sons(requirement, lead), [lgc.pk]),
    ).arbitration

    winners = []
    for round_number in range(1, ROUNDS + 1):

        def work(i, barrier, round_number=round_number):
            user = lead if i % 2 else admin
            base = snapshot(current_by_sons(requirement, user), [lgc.pk])  # all read first
            barrier.wait()
            return record_decision(
                by=user,
                subject=requirement,
                sons=[lgc],
                data=DecisionInput(
                    decision="modified", comment=f"Tour {round_number}, rédacteur {i}"
                ),
                base=base,
            ).arbitration

        results = run_writers(WRITERS, work)
        kinds = Counter(type(r).__name__ for r in results)
        assert kinds == {"Arbitration": 1, "DecisionConflict": WRITERS - 1}, kinds
        (winner,) = [r for r in results if isinstance(r, Arbitration)]
        assert winner.pk == draft.pk
        conflicts = [r for r in results if isinstance(r, DecisionConflict)]
        # Every refused writer is told of the winner's change.
        assert all(c.current and c.current[0].comment == winner.comment for c in conflicts)
        winners.append(winner.comment)

    draft.refresh_from_db()
    assert draft.version == 1 + ROUNDS
    assert draft.comment == winners[-1]
    history = list(draft.history.order_by("history_date", "history_id"))
    assert [h.version for h in history] == list(range(1, ROUNDS + 2))
    assert [h.comment for h in history[1:]] == winners


def test_a_double_submit_racing_itself_makes_one_change(postgresql, demo_data, persona_user):
    lead = persona_user("lead")
    requirement = Requirement.objects.get(reference="SC.SSI/IE.30")
    lgc = Sons.objects.get(code="LGC")
    base = snapshot(current_by_sons(requirement, lead), [lgc.pk])

    def work(i, barrier):
        barrier.wait()
        return record_decision(
            by=lead,
            subject=requirement,
            sons=[lgc],
            data=DecisionInput(decision="kept", comment="Double clic"),
            base=base,
            token="one-form-one-change",
        )

    results = run_writers(5, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.arbitration.pk for r in results}) == 1
    assert sorted(r.duplicate for r in results) == [False, True, True, True, True]
    assert requirement.arbitrations.drafts().count() == 1
