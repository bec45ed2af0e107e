"""core.http.safe_next: the one check of the return addresses that forms
and links carry (``next``, ``retour``)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.http import safe_next

DEFAULT = "/sujets/"


@pytest.fixture(autouse=True)
def _portal_host(settings):
    settings.ALLOWED_HOSTS = ["portail.example"]


def request(secure: bool):
    return RequestFactory().get("/", secure=secure, HTTP_HOST="portail.example")


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize(
    "candidate",
    [
        "/exigences/SC.SSI/IE.33",
        "/exigences/?q=dossier&page=2",
        "https://portail.example/sujets/3/",
    ],
)
def test_an_address_of_this_site_is_kept(candidate, secure):
    assert safe_next(request(secure), candidate, DEFAULT) == candidate


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        None,
        "https://ailleurs.example/",
        "//ailleurs.example/sujets/",
        "https:///ailleurs.example",
        "javascript:alert(1)",
        "/\\ailleurs.example",
    ],
)
def test_another_site_or_no_address_gives_the_default(candidate):
    assert safe_next(request(True), candidate, DEFAULT) == DEFAULT


def test_a_secure_page_does_not_send_back_to_plain_http():
    """On HTTPS, http:// of the same host would leave HTTPS; on plain HTTP it is this site."""
    plain = "http://portail.example/sujets/3/"
    assert safe_next(request(True), plain, DEFAULT) == DEFAULT
    assert safe_next(request(False), plain, DEFAULT) == plain
