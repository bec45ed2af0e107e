"""Vendors' comments from the authority's test-management tool (issue 17):
the workbook ``export_update_coms_editeurs`` (348 rows; a hidden copy
beside it; REQ_ID written twice) imported through the catalogue's import
page, dry run first, as dated comments on the requirement for their SONS and
iteration — anonymised for everyone, the vendor's name an internal note for
the leads — idempotent."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from catalogue.models import CatalogueImport
from catalogue.samples import (
    VENDORS,
    it2_rows,
    it2_workbook,
    it3_plan,
    it3_workbook,
    vendor_comments,
    vendor_comments_workbook,
)
from catalogue.tests.catalogue_helpers import confirm, dry_run
from concertation.models import Comment, InternalNote
from topics.models import Requirement

pytestmark = pytest.mark.django_db

ROWS = 348


@pytest.fixture
def catalogue(client_as, settings):
    """IT2 then IT3 (its matches confirmed), as the authority published them."""
    settings.CATALOGUE_IMPORT_ASYNC_ROWS = 5000
    settings.CATALOGUE_IMPORT_ASYNC_BYTES = 10 * 1024 * 1024
    admin = client_as("admin")
    rows = it2_rows()
    confirm(admin, dry_run(admin, it2_workbook(rows), "IT2.xlsx"), publish=True)
    plan = it3_plan(rows)
    checked = dry_run(admin, it3_workbook(plan), "IT3.xlsx", publish="on")
    admin.post(
        reverse("catalogue_import_matches", args=[checked.pk]),
        {"accepted": [p["reference"] for p in checked.report["proposals"]]},
    )
    done = confirm(admin, CatalogueImport.objects.latest("pk"), publish=True)
    assert done.status == CatalogueImport.Status.DONE, done.message
    return {"client": admin, "plan": plan}


def published_pairs(plan) -> list[tuple[str, str]]:
    """(reference as the tool writes it, portal SONS) of published IT3 rows."""
    codes = {"HOP-DPI": "DPI", "HOP-PFI": "PFI", "BIO": "SGL"}
    seen = []
    for row in plan.rows:
        pair = (row.reference, codes.get(row.sons, row.sons))
        if row.evolution != "HIDEME" and row.statement and pair not in seen:
            seen.append(pair)
    return seen


def test_vendor_comments_are_imported_anonymised_with_named_internal_notes(catalogue, client_as):
    admin, plan = catalogue["client"], catalogue["plan"]
    pairs = published_pairs(plan)[:120]
    rows = vendor_comments(pairs, count=ROWS)
    content = vendor_comments_workbook(rows)
    before = Comment.objects.count()

    checked = dry_run(admin, content, "coms_editeurs.xlsx")
    assert checked.status == CatalogueImport.Status.CHECKED, checked.message
    assert (checked.kind, checked.sheet) == ("vendor_comments", "export_update_coms_editeurs")
    assert (checked.rows, checked.errors) == (ROWS, 0)
    assert checked.created == ROWS
    # REQ_ID written twice: the first is read, the other reported.
    assert any(c.startswith("REQ_ID (en double") for c in checked.report["ignored_columns"])
    assert "REQ_VERSION_STATUS_OLD" in checked.report["ignored_columns"]
    assert Comment.objects.count() == before  # a dry run writes nothing
    page = admin.get(reverse("catalogue_import_detail", args=[checked.pk])).content.decode()
    assert "Confirmer l’import" in page
    assert "Publier les arbitrages" not in page  # comments have no decisions

    done = confirm(admin, CatalogueImport.objects.get(pk=checked.pk))
    assert done.status == CatalogueImport.Status.DONE, done.message
    imported = Comment.objects.exclude(source="")
    # One comment per tagged paragraph: every fifth cell holds two.
    paragraphs = sum(len(row.paragraphs) for row in rows)
    assert paragraphs == ROWS + len(range(0, ROWS, 5))
    assert imported.count() == paragraphs
    assert InternalNote.objects.exclude(source="").count() == paragraphs
    assert not Comment.objects.filter(source__contains="CACHE").exists()  # the hidden sheet

    # The first row's comments: on its requirement, for its SONS and IT3, dated by their tags.
    first = rows[0]
    requirement = Requirement.objects.get(reference__endswith=first.reference)
    comments = Comment.objects.filter(requirement=requirement, sons__code=first.sons).exclude(
        source=""
    )
    dates = sorted({c.created_at.date() for c in comments})
    assert date(2022, 11, 28) in dates
    assert date(2022, 12, 2) in dates
    assert {c.iteration.code for c in comments} == {"IT3"}
    assert all(c.author_id is None for c in comments)
    assert "Nous demandons un délai (0) & une précision." in [c.body for c in comments]

    # Editors read them without the vendors' names; leads read the names too.
    url = reverse("requirement_detail", args=[requirement.reference])
    thread = reverse("comment_thread", kwargs={"kind": "exigence", "key": requirement.reference})
    for persona, sees_names in (("editor", False), ("federation", False), ("lead", True)):
        client = client_as(persona)
        text = client.get(url).content.decode() + client.get(thread).content.decode()
        assert "Nous demandons un délai (0)" in text.replace("&amp;", "&"), persona
        assert "Commentaire d’éditeur (IT3)" in text.replace("&rsquo;", "’"), persona
        named = [vendor for vendor in VENDORS if re.search(rf"\b{vendor}\b", text)]
        assert bool(named) is sees_names, (persona, named)

    # The same file again changes nothing.
    again = confirm(admin, dry_run(admin, content, "coms_editeurs.xlsx"))
    assert (again.unchanged, again.created, again.updated) == (ROWS, 0, 0)
    assert Comment.objects.exclude(source="").count() == paragraphs


def test_rows_that_cannot_be_placed_are_skipped_with_their_reason(catalogue):
    admin, plan = catalogue["client"], catalogue["plan"]
    hidden = next(row for row in plan.rows if row.evolution == "HIDEME")
    codes = {"HOP-DPI": "DPI", "HOP-PFI": "PFI", "BIO": "SGL"}
    rows = vendor_comments(
        [("INCONNUE.99", "LGC"), (hidden.reference, codes.get(hidden.sons, hidden.sons))], count=2
    )
    entry = confirm(admin, dry_run(admin, vendor_comments_workbook(rows), "coms.xlsx"))
    report = {row["reference"]: row for row in entry.report["rows"]}
    assert report["INCONNUE.99"]["status"] == "skipped"
    assert "inconnue du catalogue" in report["INCONNUE.99"]["messages"][0]
    # Not published for that SONS: its comment stays an internal note.
    requirement = Requirement.objects.get(reference__endswith=hidden.reference)
    assert not Comment.objects.filter(requirement=requirement).exclude(source="").exists()
    assert InternalNote.objects.filter(requirement=requirement).exclude(source="").exists()
