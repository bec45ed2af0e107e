"""A month or a week the calendar cannot show (``?mois=9999-12``,
``?semaine=9999-12-31``: Python has no day after 31 December 9999) gives the
page around today with a message saying so, never an error; the calendar
keeps to the years 2000–2099."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.testing import unescaped

PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = datetime(2023, 9, 27, 11, 0, tzinfo=PARIS)
MONTH_MESSAGE = "Le mois demandé n’est pas dans le calendrier (AAAA-MM, entre 2000 et 2099)"
WEEK_MESSAGE = "La semaine demandée n’est pas dans le calendrier (une date AAAA-MM-JJ entre 2000"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "month", ["9999-12", "0001-01", "1999-12", "2100-01", "-1", "2023-13", "octobre", "1e400"]
)
def test_a_month_out_of_the_calendar_shows_this_month_and_says_why(client_as, month):
    client = client_as("editor")
    with time_machine.travel(WEDNESDAY, tick=False):
        response = client.get(reverse("calendar_month"), {"mois": month})
        fragment = client.get(reverse("calendar_month"), {"mois": month}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = unescaped(response)
    assert MONTH_MESSAGE in html
    assert '<h2 class="fr-h3 fr-mb-0">Septembre 2023</h2>' in html
    # The fragment that htmx swaps in says it too.
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert MONTH_MESSAGE in unescaped(fragment)


@pytest.mark.parametrize("month", ["2023-10", "2000-01", "2099-12", ""])
def test_a_month_of_the_calendar_has_no_message(client_as, month):
    with time_machine.travel(WEDNESDAY, tick=False):
        response = client_as("editor").get(reverse("calendar_month"), {"mois": month})
    assert response.status_code == 200
    assert MONTH_MESSAGE not in unescaped(response)


@pytest.mark.parametrize(
    "week", ["9999-12-31", "0001-01-01", "2100-01-04", "2023-02-30", "-1", "semaine"]
)
def test_a_week_out_of_the_calendar_shows_the_weeks_around_today_and_says_why(client_as, week):
    client = client_as("lead")
    with time_machine.travel(WEDNESDAY, tick=False):
        response = client.get(reverse("calendar_grid"), {"semaine": week})
        fragment = client.get(reverse("calendar_grid"), {"semaine": week}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = unescaped(response)
    assert WEEK_MESSAGE in html
    assert "aujourd’hui 27/09" in html  # the default window, around today
    assert "Revenir à aujourd’hui" not in html  # no week was taken from the address
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert WEEK_MESSAGE in unescaped(fragment)


def test_a_week_of_the_calendar_has_no_message(client_as):
    with time_machine.travel(WEDNESDAY, tick=False):
        response = client_as("lead").get(reverse("calendar_grid"), {"semaine": "2023-10-04"})
    html = unescaped(response)
    assert WEEK_MESSAGE not in html
    assert "Du 02/10/2023 au" in html
