"""An address holding a control character (NUL above all: PostgreSQL
refuses it in any text) is refused in one place with a 400 page that says
why, before any view reads it; numbers in addresses are read safely."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.testing import unescaped
from core.text import whole_number

pytestmark = pytest.mark.django_db

REASON = "Caractère non valide dans l’adresse"


@pytest.mark.parametrize(
    "url",
    [
        # The addresses.
        "/exigences/?q=%00",
        "/exigences/?sons=%00",
        "/calendrier/questions/?q=%00",
        "/sujets/%00/",
        # A NUL anywhere in a value or a key, other control characters.
        "/exigences/?q=dmp%00ins",
        "/exigences/?q%00=dmp",
        "/calendrier/?type=%1b%5B0m",
        "/calendrier/mois/?mois=2023-10%07",
        "/calendrier/temps-de-partage-2023-09-25%0b/",
    ],
)
def test_a_control_character_in_the_address_is_a_400_that_says_why(client_as, url):
    for headers in ({}, {"HX-Request": "true"}):
        response = client_as("lead").get(url, headers=headers)
        assert response.status_code == 400, url
        assert REASON in unescaped(response)


def test_anonymous_visitors_get_the_same_answer(client_as):
    response = client_as("anonymous").get("/exigences/?q=%00")
    assert response.status_code == 400
    assert REASON in unescaped(response)


def test_the_page_speaks_the_reader_s_language(client_as, persona_user):
    user = persona_user("editor")
    user.language = "en"
    user.save()
    response = client_as("editor").get("/exigences/?q=%00")
    assert response.status_code == 400
    assert "Invalid character in the address" in unescaped(response)


@pytest.mark.parametrize("query", ["?q=dossier%09m%C3%A9dical", "?q=ligne%0D%0Asuivante"])
def test_tabs_and_line_breaks_are_not_control_characters_here(client_as, query):
    response = client_as("lead").get(reverse("requirement_list") + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        ("007", 7),
        ("0", 0),
        ("999999999999999999", 999_999_999_999_999_999),
        ("9999999999999999999", None),  # past PostgreSQL's bigint
        ("9" * 10_240, None),  # past int()'s 4300 digits
        ("²", None),  # a digit for str.isdigit(), not for int()
        ("٣", None),  # an Arabic-Indic three: addresses write ASCII digits
        ("-1", None),
        ("1e3", None),
        (" 7", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_numbers_are_ascii_digits_within_bigint(value, expected):
    assert whole_number(value) == expected


def test_django_s_other_bad_requests_get_the_same_page(client_as):
    """templates/400.html is Django's page for any bad request too (here an
    unknown Host), rendered without the request."""
    response = client_as("anonymous").get("/", headers={"host": "ailleurs.example"})
    assert response.status_code == 400
    html = unescaped(response)
    assert "<h1>Requête non valide</h1>" in html
    assert "Erreur 400" in html
