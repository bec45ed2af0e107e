"""The e-mails: HTML and text in the recipient's language, digests grouped by
topic that never repeat an item and are never sent empty, a Message-ID that
names what is delivered, and RFC 8058 one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications import services
from notifications.emails import unsubscribe_token
from notifications.models import Delivery, EmailPreference, Notification
from notifications.tests.helpers import publish_decision
from topics.models import Requirement, Topic

pytestmark = pytest.mark.django_db

MONDAY = "2023-09-25 15:30 +0200"  # the deck's sharing session, in Paris
NEXT_DAILY = "2023-09-26 07:00:30 +0200"


def deliver_due(now=None) -> list[str]:
    """What the sweep and its tasks do, in-process: claim, then deliver each."""
    lease, ids = services.claim_due(now=now)
    return [services.deliver(pk, lease, now=now) for pk in ids]


@pytest.fixture
def editor_on_daily_digest(persona_user):
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    services.follow(editor, Topic.objects.get(number=9))
    services.set_email_frequency(editor, EmailPreference.Frequency.DAILY)
    return editor


def test_daily_digest_groups_by_topic_and_lists_each_item_once(
    editor_on_daily_digest, persona_user
):
    lead = persona_user("lead")
    with time_machine.travel(MONDAY, tick=False) as clock:
        publish_decision("SC.SSI/IE.33", by=lead, comment="Exigence conservée telle quelle.")
        clock.shift(600)
        publish_decision("SC.DMP/UX.10", by=lead, decision="modified")
        clock.shift(600)
        publish_decision("SC.SSI/IE.34", by=lead, decision="under_instruction")
        # The same decision notified again (a retried publication) is no new item.
        ie34 = Requirement.objects.get(reference="SC.SSI/IE.34").arbitrations.latest("pk")
        services.notify(
            subjects=[ie34.requirement], kind=Notification.Kind.DECISION_PUBLISHED, target=ie34
        )

    with time_machine.travel("2023-09-26 06:59 +0200", tick=False):
        assert deliver_due() == []  # not before 7:00
    with time_machine.travel(NEXT_DAILY, tick=False):
        assert deliver_due() == ["sent"]
        assert deliver_due() == []

    (message,) = mail.outbox
    assert message.to == ["editor@demo.example"]
    assert message.subject == "[Concertation Ségur] Résumé du jour : 3 nouveautés"
    text = message.body
    topic7 = text.index("== #7 (SSI/IE) Exigences gestions des comptes et des utilisateurs ==")
    topic9 = text.index("== #9 ")
    ie33 = text.index("Arbitrage publié sur SC.SSI/IE.33 : Exigence conservée")
    ie34 = text.index("Arbitrage publié sur SC.SSI/IE.34 : Instruction en cours")
    ux10 = text.index("Arbitrage publié sur SC.DMP/UX.10 : Exigence modifiée")
    assert topic7 < ie33 < ie34 < topic9 < ux10
    assert text.count("Arbitrage publié sur SC.SSI/IE.34") == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="fr">' in html
    assert html.count("Arbitrage publié sur SC.SSI/IE.34") == 1
    assert "<p>Exigence conservée telle quelle.</p>" in html


def test_the_next_digest_does_not_repeat_what_the_last_one_said(
    editor_on_daily_digest, persona_user
):
    lead = persona_user("lead")
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=lead)
    with time_machine.travel(NEXT_DAILY, tick=False):
        deliver_due()
        publish_decision("SC.SSI/IE.34", by=lead)
    with time_machine.travel("2023-09-27 07:00:30 +0200", tick=False):
        assert deliver_due() == ["sent"]

    first, second = mail.outbox
    assert "SC.SSI/IE.33" in first.body
    assert "SC.SSI/IE.34" not in first.body
    assert "SC.SSI/IE.34" in second.body
    assert "SC.SSI/IE.33" not in second.body


def test_a_digest_with_nothing_new_is_not_sent(editor_on_daily_digest, persona_user, client_as):
    """Everything it would list was read in the portal meanwhile."""
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
        client_as("editor").post(reverse("notification_mark_all_read"))
    with time_machine.travel(NEXT_DAILY, tick=False):
        assert deliver_due() == ["skipped"]
    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_no_follow_no_row_no_email(persona_user):
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
    with time_machine.travel("2023-10-30 08:00 +0100", tick=False):
        assert deliver_due() == []
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_weekly_digest_is_due_on_monday(persona_user):
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    services.set_email_frequency(editor, EmailPreference.Frequency.WEEKLY)
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
    with time_machine.travel("2023-10-01 23:00 +0200", tick=False):
        assert deliver_due() == []
    with time_machine.travel("2023-10-02 07:00:30 +0200", tick=False):
        assert deliver_due() == ["sent"]
    assert mail.outbox[0].subject == "[Concertation Ségur] Résumé de la semaine : 1 nouveauté"


def test_immediate_email_gathers_what_happens_within_the_minute(persona_user):
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    services.set_email_frequency(editor, EmailPreference.Frequency.IMMEDIATE)
    with time_machine.travel("2023-09-25 15:30:10 +0200", tick=False) as clock:
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
        clock.shift(20)
        publish_decision("SC.SSI/IE.31", by=persona_user("lead"))
        clock.shift(35)  # 15:31:05
        assert deliver_due() == ["sent"]
        publish_decision("SC.SSI/IE.32", by=persona_user("lead"))
        clock.shift(60)
        assert deliver_due() == ["sent"]
    first, second = mail.outbox
    assert first.subject == "[Concertation Ségur] 2 nouveautés sur ce que vous suivez"
    assert second.subject == (
        "[Concertation Ségur] Arbitrage publié sur SC.SSI/IE.32 : Exigence conservée"
    )


def test_email_in_the_recipients_language(persona_user):
    editor = persona_user("editor")
    editor.language = "en"
    editor.save()
    services.follow(editor, Topic.objects.get(number=7))
    services.set_email_frequency(editor, EmailPreference.Frequency.DAILY)
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
    with time_machine.travel(NEXT_DAILY, tick=False):
        deliver_due()
    (message,) = mail.outbox
    assert message.subject == "[Concertation Ségur] Daily digest: 1 update"
    assert "Decision published on SC.SSI/IE.33: Requirement kept" in message.body
    assert "Hello Émile," in message.body
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html
    assert "Stop receiving e-mails" in html


def test_message_id_and_one_click_unsubscribe_headers(persona_user):
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
    with time_machine.travel(NEXT_DAILY, tick=False):
        deliver_due()
    message = mail.outbox[0].message()
    assert re.fullmatch(r"<outbox\.\d+\.[0-9a-f]{24}@127\.0\.0\.1>", message["Message-ID"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)
    assert link.startswith("http://127.0.0.1:8000/notifications/desabonnement/")
    assert message["Auto-Submitted"] == "auto-generated"
    assert link in mail.outbox[0].body

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", with no
    # cookie and no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        link.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert EmailPreference.objects.get(user=editor).frequency == EmailPreference.Frequency.NONE


def test_unsubscribe_link_asks_before_acting_on_get(persona_user, client):
    editor = persona_user("editor")
    url = reverse("unsubscribe", args=[unsubscribe_token(editor)])
    page = client.get(url).content.decode()
    assert "Ne plus envoyer de courriels de notification à editor@demo.example ?" in page
    assert services.email_frequency(editor) == EmailPreference.DEFAULT
    page = client.post(url).content.decode()
    assert "C’est fait" in page
    assert services.email_frequency(editor) == EmailPreference.Frequency.NONE


def test_a_forged_or_damaged_token_is_refused(persona_user, client):
    token = unsubscribe_token(persona_user("editor"))
    for bad in (token[:-2] + "xx", "eyJ1Ijo1fQ:1xWLf0:forged", "nothing"):
        response = client.post(reverse("unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "Ce lien de désabonnement n’est pas valide" in response.content.decode()
    assert services.email_frequency(persona_user("editor")) == EmailPreference.DEFAULT


def test_unsubscribing_cancels_what_was_scheduled(persona_user):
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
        Client().post(reverse("unsubscribe", args=[unsubscribe_token(editor)]))
    with time_machine.travel(NEXT_DAILY, tick=False):
        assert deliver_due() == []
    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED
    # In the portal, the notification is still there.
    assert Notification.objects.get(recipient=editor).delivery is None


def test_changing_rhythm_moves_what_waits(persona_user):
    """Daily → immediate: what waited for tomorrow's digest goes out within
    the minute, once."""
    editor = persona_user("editor")
    services.follow(editor, Topic.objects.get(number=7))
    with time_machine.travel(MONDAY, tick=False) as clock:
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
        services.set_email_frequency(editor, EmailPreference.Frequency.IMMEDIATE)
        clock.shift(60)
        assert deliver_due() == ["sent"]
    with time_machine.travel(NEXT_DAILY, tick=False):
        assert deliver_due() == []
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(status=Delivery.Status.SKIPPED).count() == 1


def test_preferences_page_saves_the_rhythm(client_as, persona_user):
    client = client_as("editor")
    page = client.get(reverse("email_preferences")).content.decode()
    assert "Résumé quotidien" in page
    assert re.search(r'<input type="radio"[^>]*value="daily"[^>]* checked', page)
    response = client.post(reverse("email_preferences"), {"frequency": "weekly"})
    assert response.status_code == 302
    assert services.email_frequency(persona_user("editor")) == "weekly"


def test_preferences_page_refuses_an_unknown_rhythm(client_as, persona_user):
    response = client_as("editor").post(reverse("email_preferences"), {"frequency": "hourly"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "fr-fieldset--error" in html
    assert 'aria-labelledby="frequency-legend frequency-errors"' in html
    assert services.email_frequency(persona_user("editor")) == EmailPreference.DEFAULT


def test_preferences_page_in_english(client_as):
    client = client_as("editor")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("email_preferences")).content.decode()
    assert "Daily digest" in html
    assert "<h1>E-mails</h1>" in html


def test_sweep_skips_nothing_due_in_the_future(editor_on_daily_digest, persona_user):
    with time_machine.travel(MONDAY, tick=False):
        publish_decision("SC.SSI/IE.33", by=persona_user("lead"))
        row = Delivery.objects.get()
        assert services.claim_due(now=row.due_at - timedelta(microseconds=1))[1] == []
