from __future__ import annotations

import pytest
from django.urls import reverse

from core.testing import assert_queries_constant
from topics.models import ReferenceDocument, Sons

pytestmark = pytest.mark.django_db


def test_contacts_page_shows_each_task_force_with_fictitious_contacts(client_as):
    html = client_as("editor").get(reverse("contacts")).content.decode()
    for name in ("Hôpital", "Médecine de ville", "Imagerie RIS", "Imagerie DB"):
        assert f'<h2 class="fr-card__title">{name}</h2>' in html
    assert "@example.org" in html
    assert "sante.gouv.fr" not in html  # never the deck's real addresses
    assert "lead@demo.example" not in html  # demo accounts are not public contacts
    assert "SGL" in html  # the SONS without task force is explained


def test_documents_page_lists_the_release_candidates(client_as):
    html = client_as("federation").get(reverse("documents")).content.decode()
    for name in ("MDV-LGC-Va2-RC-Juillet 2023", "HOP-DPI-Va2-RC-Juillet 2023"):
        assert name in html
    assert "21 juillet 2023" in html


@pytest.mark.parametrize("url", ["/documents/", "/contacts/"])
def test_queries_do_not_grow(client_as, url):
    counter = iter(range(1000))

    def grow():
        for sons in Sons.objects.all():
            n = next(counter)
            ReferenceDocument.objects.create(name=f"DOC-{n}", sons=sons)

    assert_queries_constant(client_as("editor"), url, grow)
