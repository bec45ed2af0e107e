"""The audit log: append-only, no secrets, visible to admins, kept 12 months."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent, AuditLogIsAppendOnly
from accounts.tasks import purge_audit_log

pytestmark = pytest.mark.django_db


def test_events_are_never_changed_or_deleted_through_the_orm(persona_user):
    event = audit.record(audit.Action.EXPORT, actor=persona_user("lead"), details={"rows": 3})
    event.details = {"rows": 0}
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(details={})
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).details == {"rows": 3}


def test_the_admin_site_reads_but_never_changes_the_log(persona_user):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = persona_user("admin")
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_secrets_never_reach_the_log(rf, persona_user):
    request = rf.post("/", REMOTE_ADDR="192.0.2.44")
    request.user = persona_user("lead")
    event = audit.record(
        audit.Action.IMPORT,
        request=request,
        details={
            "file": "REM-LGC.xlsx",
            "password": "hunter2",
            "api_token": "abc",
            "nested": {"totp_code": "123456", "rows": 12},
            "note": "x" * 2000,
        },
    )
    event.refresh_from_db()
    assert event.details["file"] == "REM-LGC.xlsx"
    assert event.details["nested"] == {"rows": 12}
    assert "password" not in event.details
    assert "api_token" not in event.details
    assert len(event.details["note"]) <= 501
    assert (event.actor, event.ip_address) == (persona_user("lead"), "192.0.2.44")


def test_unknown_actions_are_refused():
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.record("decision_deleted_quietly")


def test_the_api_records_what_other_features_call_it_for(persona_user):
    from arbitrations.models import Arbitration

    decision = Arbitration.objects.first()
    lead = persona_user("lead")
    for action in ("import", "export", "decision_changed", "moderation"):
        audit.record(action, actor=lead, target=decision, details={"what": action})
    events = AuditEvent.objects.filter(target_type="arbitrations.arbitration")
    assert sorted(events.values_list("action", flat=True)) == sorted(
        ["import", "export", "decision_changed", "moderation"]
    )
    assert {e.target_id for e in events} == {str(decision.pk)}
    assert {e.organisation_id for e in events} == {lead.organisation_id}


def test_the_purge_keeps_twelve_months(persona_user):
    lead = persona_user("lead")
    with time_machine.travel("2023-01-10 12:00 +0100", tick=False):
        old = audit.record(audit.Action.LOGIN, actor=lead)
    with time_machine.travel("2023-06-10 12:00 +0200", tick=False):
        recent = audit.record(audit.Action.LOGIN, actor=lead)
    with time_machine.travel("2024-01-12 12:00 +0100", tick=False):
        assert purge_audit_log() == 1
        assert purge_audit_log() == 0  # safe to run twice
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert settings.AUDIT_LOG_RETENTION_DAYS == 365


def test_the_purge_runs_daily_on_beat():
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-audit-log"]
    assert schedule["task"] == "accounts.tasks.purge_audit_log"
    assert schedule["schedule"] == 24 * 3600
    from segur_portal.celery import app

    app.loader.import_default_modules()
    assert "accounts.tasks.purge_audit_log" in app.tasks


def test_logins_reach_the_log_with_the_address(client, persona_user):
    from segur_portal.demo.accounts import DEMO_PASSWORD

    client.post(
        reverse("account_login"),
        {"login": "editor@demo.example", "password": DEMO_PASSWORD},
        REMOTE_ADDR="192.0.2.55",
    )
    event = AuditEvent.objects.get(action="login")
    assert (event.actor, event.ip_address) == (persona_user("editor"), "192.0.2.55")


def test_the_audit_page_is_for_admins_and_filters(client_as, persona_user):
    audit.record(audit.Action.EXPORT, actor=persona_user("lead"), details={"format": "xlsx"})
    audit.record(audit.Action.MODERATION, actor=persona_user("lead2"))
    client = client_as("admin")
    html = client.get(reverse("audit_log") + "?action=export").content.decode()
    assert "xlsx" in html
    assert "lead2@demo.example" not in html
    fragment = client.get(
        reverse("audit_log") + "?q=lead2", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    assert "lead2@demo.example" in fragment
    for persona in ("lead", "federation", "editor", "outsider"):
        assert client_as(persona).get(reverse("audit_log")).status_code == 403


def test_the_log_keeps_events_of_the_last_year_only_in_exports(client_as, persona_user):
    editor = persona_user("editor")
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        audit.record(audit.Action.LOGIN, actor=editor)
    import json

    data = json.loads(client_as("editor").get(reverse("my_data")).content)
    assert all(
        entry["at"] >= (timezone.now() - timedelta(days=366)).isoformat()
        for entry in data["audit_log"]
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_purge(demo_data, persona_user):
    from core.testing import celery_worker

    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        old = audit.record(audit.Action.LOGIN, actor=persona_user("editor"))
    recent = audit.record(audit.Action.LOGIN, actor=persona_user("editor"))
    with celery_worker() as queue:
        result = purge_audit_log.apply_async(queue=queue, ignore_result=False)
        assert result.get(timeout=60) >= 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
