"""The answer's e-mail goes through the real outbox: Celery beat runs the
sweep, a worker delivers, on a redis-server of the test's own and the test
database, with Django's file e-mail backend."""

from __future__ import annotations

import time

import pytest

from concertation.feedback import services
from core.testing import celery_process, private_redis
from notifications.models import EmailPreference
from notifications.services import set_email_frequency
from notifications.tests.helpers import read_mailbox
from topics.models import Topic

pytestmark = [pytest.mark.worker, pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.mark.timeout(300)
def test_the_federation_gets_the_answer_by_e_mail(demo_data, tmp_path, settings, persona_user):
    settings.NOTIFICATIONS_IMMEDIATE_SECONDS = 1
    federation = persona_user("federation")
    set_email_frequency(federation, EmailPreference.Frequency.IMMEDIATE)
    feedback = services.save_feedback(
        by=federation,
        data=services.FeedbackInput(
            topic=Topic.objects.get(number=9),
            kind="question",
            argument="Le refus du patient est-il tracé ?",
            new_element="Nouveau",
        ),
        file=True,
    )
    services.answer(
        feedback,
        by=persona_user("lead"),
        data=services.AnswerInput("accepted_with_changes", "Oui, dans la V2."),
        expected_version=feedback.version,
    )
    mailbox = tmp_path / "mailbox"
    with private_redis() as redis:
        env = {
            "CELERY_BROKER_URL": redis.url(0),
            "CELERY_RESULT_BACKEND": redis.url(1),
            "REDIS_URL": "",
            "EMAIL_URL": f"filemail:///{mailbox}",
            "NOTIFICATIONS_SWEEP_SECONDS": "1",
        }
        with (
            celery_process("beat", extra_env=env) as beat,
            celery_process("worker", queue=beat.queue, extra_env=env, ready="log"),
        ):
            deadline = time.monotonic() + 90
            while not read_mailbox(mailbox) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2)
    messages = [m for m in read_mailbox(mailbox) if m["To"] == federation.email]
    assert len(messages) == 1
    assert messages[0]["Subject"].strip() == (
        f"[Concertation Ségur] Réponse à Retour n°{feedback.pk} — "
        f"{feedback.topic.label} : Acceptée avec modifications"
    )
    assert "Oui, dans la V2." in messages[0].get_body(preferencelist=("plain",)).get_content()
