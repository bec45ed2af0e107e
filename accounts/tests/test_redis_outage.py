"""Signing in with Redis down (issue 16, "Availability"): allauth keeps its
rate limits and the TOTP codes already used in a cache; on Redis, with Redis
down, it refused every sign-in (429) and every code. They are in the database
("security" cache); pages degrade to cache misses; only delivery waits."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityCacheEntry, User
from accounts.testing import totp_code
from concertation.models import Comment
from conftest import PERSONAS
from core.testing import celery_process, private_redis
from notifications import services as notifications
from notifications.models import Delivery, EmailPreference
from notifications.tests.helpers import read_mailbox
from segur_portal.demo.accounts import DEMO_PASSWORD
from segur_portal.settings import redis_cache

UX10 = "SC.DMP/UX.10"


def sign_in(email: str, ip: str) -> Client:
    """Through the login form, then the code of the authenticator app for
    those who must pass a second factor."""
    client = Client(REMOTE_ADDR=ip)
    assert client.get(reverse("account_login")).status_code == 200
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{email}: {response.status_code}"
    if User.objects.get(email=email).requires_mfa:
        assert response["Location"] == reverse("mfa_authenticate"), email
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302, f"{email}'s code: {response.status_code}"
    assert response["Location"] == reverse("dashboard"), email
    assert client.get(reverse("dashboard")).status_code == 200, email
    return client


@pytest.mark.django_db
def test_allauths_counters_and_used_codes_are_in_the_database():
    sign_in(PERSONAS["lead"], "192.0.2.1")
    keys = list(SecurityCacheEntry.objects.values_list("cache_key", flat=True))
    assert any("allauth:rl:" in key for key in keys), keys
    assert any("allauth.mfa.totp.used" in key for key in keys), keys
    # The same code, a second time, is refused.
    client = Client()
    client.post(reverse("account_login"), {"login": PERSONAS["lead"], "password": DEMO_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302


@contextmanager
def portal_broker(url: str):
    """The portal's own Celery app on ``url``, with the fail-fast options
    settings.py gives a Redis broker."""
    from segur_portal.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options, app._pool)
    saved_producers = app.amqp._producer_pool
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"socket_connect_timeout": 2, "max_retries": 0}
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app._pool = saved
        app.amqp._producer_pool = saved_producers


def wait_until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"Gave up after {timeout:.0f}s waiting for {what}")


@pytest.mark.services
@pytest.mark.worker
@pytest.mark.timeout(300)
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_everyone_signs_in_and_comments_and_the_mail_follows(
    demo_data, settings, tmp_path
):
    """The issue's check: with the Redis of the cache and the broker stopped,
    the demo personas sign in (leads and the admin with their code) and post
    a comment — each replies to the one before, whose author is notified —
    and the e-mails go out once Redis is back."""
    mailbox = tmp_path / "mailbox"
    settings.NOTIFICATIONS_IMMEDIATE_SECONDS = 1
    people = list(PERSONAS.values())
    for email in people:
        notifications.set_email_frequency(
            User.objects.get(email=email), EmailPreference.Frequency.IMMEDIATE
        )

    with private_redis() as redis:
        settings.CACHES = {**settings.CACHES, "default": redis_cache(redis.url(0))}
        env = {
            "REDIS_URL": "",  # the workers' cache: not the shared Redis
            "CELERY_BROKER_URL": redis.url(1),
            "CELERY_RESULT_BACKEND": redis.url(2),
            "EMAIL_URL": f"filemail:///{mailbox}",
            "NOTIFICATIONS_SWEEP_SECONDS": "1",
        }
        with (
            celery_process("beat", extra_env=env) as beat,
            celery_process("worker", queue=beat.queue, extra_env=env, ready="log"),
        ):
            cache.set("probe", "up")
            assert cache.get("probe") == "up"
            redis.stop()
            cache.set("probe", "down")
            assert cache.get("probe") is None, "the portal's cache is not the stopped Redis"

            with portal_broker(redis.url(1)):
                started = time.monotonic()
                parent = None
                for n, email in enumerate(people):
                    client = sign_in(email, ip=f"198.51.100.{n + 1}")
                    body = f"Avec Redis arrêté, {email} commente."
                    if parent is None:
                        url = reverse("comment_post", args=["exigence", UX10])
                        response = client.post(url, {"body": body, "sons": "LGC"})
                    else:
                        url = reverse("comment_reply", args=[parent.pk])
                        response = client.post(url, {"body": body})
                    assert response.status_code == 302, f"{email}'s comment"
                    assert client.get(response["Location"]).status_code == 200, email
                    parent = Comment.objects.get(body=body)
                    assert parent.author.email == email
                took = time.monotonic() - started
            assert Comment.objects.count() == len(people)
            # Each reply's parent author is due an e-mail; nothing can go yet.
            due = Delivery.objects.filter(status=Delivery.Status.PENDING)
            assert sorted(due.values_list("recipient__email", flat=True)) == sorted(people[:-1])
            time.sleep(3)
            assert read_mailbox(mailbox) == []

            redis.start()
            wait_until(
                lambda: len(read_mailbox(mailbox)) >= len(people) - 1,
                timeout=120,
                what="the e-mails after Redis returns",
            )
            time.sleep(3)  # and a few more sweeps, that must find nothing to send

    messages = read_mailbox(mailbox)
    assert sorted(message["To"] for message in messages) == sorted(people[:-1])
    for message, replier in zip(
        sorted(messages, key=lambda m: people.index(m["To"])), people[1:], strict=True
    ):
        text = message.get_body(("plain",)).get_content()
        assert f"Avec Redis arrêté, {replier} commente." in text
    print(f"\n{len(people)} sign-ins and comments with Redis stopped: {took:.1f}s")
