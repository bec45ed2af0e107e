"""Leads create and edit events, their agenda, and cancel them; every change
is kept in the history with its author, and raises the event's SEQUENCE."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from calendar_app.models import AgendaItem, Event
from core.testing import unescaped
from topics.models import Topic

PARIS = ZoneInfo("Europe/Paris")


def workshop_data(**changes) -> dict:
    data = {
        "kind": "workshop",
        "title": "Atelier INS qualifiée",
        "description": "Indicateurs **INSq**",
        "status": "fixed",
        "day": "2023-11-08",
        "start_time": "10:00",
        "end_time": "12:30",
        "audiences": [],
        "place": "",
        "visio_url": "https://visio.example.org/ins",
        "capacity": "12",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_a_lead_creates_a_workshop_in_paris_time(client_as):
    from calendar_app.models import Audience

    hopital, radio = Audience.objects.get(code="hopital"), Audience.objects.get(code="radio")
    response = client_as("lead2").post(
        reverse("event_create"), workshop_data(audiences=[hopital.pk, radio.pk])
    )
    event = Event.objects.get(title="Atelier INS qualifiée")
    assert response.status_code == 302
    assert response["Location"] == reverse("event_edit", kwargs={"slug": event.slug})
    # 8 November 2023, 10:00 in Paris is 09:00 UTC (winter time).
    assert event.starts_at == datetime(2023, 11, 8, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert event.ends_at == datetime(2023, 11, 8, 12, 30, tzinfo=PARIS)
    assert not event.all_day
    assert set(event.audiences.values_list("code", flat=True)) == {"hopital", "radio"}
    assert event.capacity == 12
    assert event.slug == "atelier-ins-qualifiee-2023-11-08"
    record = event.history.get()
    assert record.history_user.email == "lead2@demo.example"
    assert record.history_change_reason == "Création"
    assert event.sequence == 0


@pytest.mark.django_db
def test_the_form_works_with_htmx_and_answers_a_fragment(client_as):
    client = client_as("lead")
    response = client.post(reverse("event_create"), workshop_data(title=""), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'id="event-form"' in response.content.decode()
    response = client.post(reverse("event_create"), workshop_data(), HTTP_HX_REQUEST="true")
    event = Event.objects.get(title="Atelier INS qualifiée")
    assert response["HX-Redirect"] == reverse("event_edit", kwargs={"slug": event.slug})


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # The issue: a to-schedule workshop has a target week, no date.
        ({"status": "to_schedule"}, "day", "Un événement à planifier n’a pas encore de date"),
        (
            {"status": "to_schedule", "day": "", "start_time": "", "end_time": ""},
            "target_week",
            "Indiquez la semaine visée",
        ),
        ({"day": ""}, "day", "Indiquez la date"),
        ({"start_time": ""}, "start_time", "Indiquez l’heure de début"),
        ({"end_time": "09:00"}, "end_time", "La fin doit suivre le début"),
        ({"all_day": "on"}, "start_time", "n’a pas d’heure"),
        # 26 March 2023: clocks go from 02:00 to 03:00 in Paris.
        (
            {"day": "2023-03-26", "start_time": "02:30", "end_time": ""},
            "start_time",
            "n’existe pas",
        ),
        ({"visio_url": "pas une adresse"}, "visio_url", "Saisissez une URL valide"),
        # Dates the calendar cannot show (9999-12-31 has no next week).
        ({"day": "9999-12-31"}, "day", "Choisissez une date entre 2000 et 2099."),
        ({"day": "0001-01-01"}, "day", "Choisissez une date entre 2000 et 2099."),
        ({"end_day": "9999-12-31"}, "end_day", "Choisissez une date entre 2000 et 2099."),
        (
            {
                "status": "to_schedule",
                "day": "",
                "start_time": "",
                "end_time": "",
                "target_week": "9999-12-31",
            },
            "target_week",
            "Choisissez une date entre 2000 et 2099.",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_clearly_and_kept(client_as, changes, field, message):
    response = client_as("lead").post(reverse("event_create"), workshop_data(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = unescaped(response)
    assert message in html
    assert 'value="Atelier INS qualifiée"' in html  # what was typed is still there
    assert not Event.objects.filter(title="Atelier INS qualifiée").exists()


@pytest.mark.django_db
def test_a_workshop_to_schedule_has_a_target_week_and_no_date(client_as):
    data = workshop_data(
        status="to_schedule", day="", start_time="", end_time="", target_week="2023-11-16"
    )
    response = client_as("lead").post(reverse("event_create"), data)
    assert response.status_code == 302
    event = Event.objects.get(title="Atelier INS qualifiée")
    assert event.starts_at is None
    assert event.target_week.isoformat() == "2023-11-13"  # the Monday of that week


@pytest.mark.django_db
def test_editing_keeps_history_and_refuses_a_stale_form(client_as):
    event = Event.objects.get(slug="temps-de-partage-2023-10-26")
    url = reverse("event_edit", kwargs={"slug": event.slug})
    lead, lead2 = client_as("lead"), client_as("lead2")
    initial = {
        "kind": "sharing_session",
        "title": event.title,
        "description": event.description,
        "status": "fixed",
        "day": "2023-10-26",
        "start_time": "14:00",
        "version": "0",
    }
    first = lead.post(url, {**initial, "place": "Salle Laroque"})
    assert first.status_code == 302
    # lead2 loaded the form at revision 0 too: their save would lose lead's place.
    second = lead2.post(url, {**initial, "end_time": "16:00"})
    assert second.status_code == 200
    assert "modifié par quelqu’un d’autre" in unescaped(second)
    assert 'value="16:00"' in unescaped(second)
    event.refresh_from_db()
    assert event.place == "Salle Laroque"
    assert event.ends_at is None
    assert event.sequence == 1
    history = client_as("editor").get(reverse("event_history", kwargs={"slug": event.slug}))
    html = unescaped(history)
    assert "Modification" in html
    assert "Louise Ville" in html
    assert "Salle Laroque" in html


@pytest.mark.django_db
def test_the_agenda_is_ordered_and_reorderable_without_javascript(client_as):
    event = Event.objects.get(slug="temps-de-partage-2023-10-12")
    url = reverse("event_agenda", kwargs={"slug": event.slug})
    client = client_as("lead")

    def agenda():
        return [str(item) for item in event.agenda_items.order_by("order")]

    before = agenda()
    assert before[0].startswith("(DOCS)")
    insq = event.agenda_items.get(topic__number=10)
    response = client.post(url, {"action": "up", "item": insq.pk})
    assert response.status_code == 302
    assert response["Location"].endswith("/modifier/#ordre-du-jour")
    assert agenda() == [before[0], before[1], before[3], before[2]]
    client.post(url, {"action": "add", "label": "Questions-réponses"})
    client.post(url, {"action": "add", "topic": Topic.objects.get(number=4).pk})
    first = event.agenda_items.order_by("order").first()
    client.post(url, {"action": "remove", "item": first.pk})
    assert agenda() == [before[1], before[3], before[2], "Questions-réponses", "(SSI) Antivirus"]
    assert list(event.agenda_items.order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    event.refresh_from_db()
    assert event.sequence == 4
    # With htmx: the agenda's fragment only.
    response = client.post(url, {"action": "down", "item": first.pk + 1000}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    response = client.post(url, {"action": "add"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "Choisissez un sujet ou écrivez un libellé" in unescaped(response)
    assert AgendaItem.objects.filter(event=event).count() == 5


@pytest.mark.django_db
def test_cancelling_keeps_the_event_shown_as_cancelled(client_as):
    event = Event.objects.get(slug="copil-federations-2023-10-20")
    lead = client_as("lead")
    page = lead.get(reverse("event_cancel", kwargs={"slug": event.slug}))
    assert page.status_code == 200
    response = lead.post(
        reverse("event_cancel", kwargs={"slug": event.slug}), {"reason": "Reporté en novembre"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert event.sequence == 1
    html = unescaped(client_as("federation").get(reverse("event_detail", args=[event.slug])))
    assert "Événement annulé" in html
    assert "Reporté en novembre" in html
    listing = unescaped(client_as("federation").get(reverse("calendar")))
    assert "portal-cancelled" in listing.split("COPIL fédérations d'éditeurs")[-2][-300:]
    # Reinstated: a new revision again.
    lead.post(reverse("event_reinstate", kwargs={"slug": event.slug}))
    event.refresh_from_db()
    assert not event.is_cancelled
    assert event.sequence == 2
    reasons = list(event.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == ["Rétablissement", "Annulation"]


@pytest.mark.django_db
def test_editors_and_federations_only_read(client_as):
    event = Event.objects.get(slug="temps-de-partage-2023-10-12")
    for persona in ("editor", "federation"):
        client = client_as(persona)
        assert client.post(reverse("event_create"), workshop_data()).status_code == 403
        edit = reverse("event_edit", kwargs={"slug": event.slug})
        assert client.post(edit, workshop_data()).status_code == 403
        page = unescaped(client.get(reverse("event_detail", args=[event.slug])))
        assert "Modifier" not in page
        assert edit not in page
    assert not Event.objects.filter(title="Atelier INS qualifiée").exists()


@pytest.mark.django_db
def test_capacity_cannot_go_below_registrations(client_as, persona_user):
    from calendar_app import services

    event = Event.objects.get(slug="atelier-architecture-2023-10-13")
    with time_machine.travel(datetime(2023, 10, 2, 9, 0, tzinfo=PARIS), tick=False):
        for persona in ("editor", "editor2"):
            user = persona_user(persona)
            services.register(event, organisation=user.organisation, by=user)
    data = workshop_data(title=event.title, day="2023-10-13", capacity="1", version="0")
    data.update(all_day="on", start_time="", end_time="")
    response = client_as("lead").post(reverse("event_edit", args=[event.slug]), data)
    assert response.status_code == 200
    assert "2 organisations sont déjà inscrites" in unescaped(response)


@pytest.mark.django_db
def test_moves_and_cancellations_go_through_the_hooks_reminders_will_use(
    client_as, persona_user, monkeypatch
):
    """The reminders (issue 7, later) move or cancel pending reminders from
    services._event_moved / _event_cancelled: a move through the form calls
    the first, with the old date; a change of title alone does not."""
    from calendar_app import services

    calls = []
    monkeypatch.setattr(
        services, "_event_moved", lambda event, before, by: calls.append(("moved", before))
    )
    monkeypatch.setattr(
        services, "_event_cancelled", lambda event, by: calls.append(("cancelled",))
    )
    event = Event.objects.get(slug="atelier-architecture-2023-10-20")
    url = reverse("event_edit", args=[event.slug])
    data = workshop_data(title="Atelier architecture (API PSC)", description="", capacity="")
    data.update(all_day="on", start_time="", end_time="", day="2023-10-20", version="0")
    assert client_as("lead").post(url, data).status_code == 302
    assert calls == []
    data.update(day="2023-10-19", version="1")
    assert client_as("lead").post(url, data).status_code == 302
    assert calls == [("moved", services.When(event.starts_at, None, True, "fixed", None))]
    services.cancel_event(event, by=persona_user("lead"))
    assert calls[-1] == ("cancelled",)
