"""Permission matrix rows of the catalogue's pages (issue 5), from the rules:
everyone signed in searches, compares versions and exports (drafts only for
the authority: test_catalogue_search.py and the security harness); leads and
admins import and attach requirements to topics; an import is confirmed by
the person who checked it only (its decisions are recorded in their name)."""

from core.testing import REDIRECT, Row, members, only

DECIDERS = ("admin", "lead", "lead2")


def lead_import() -> dict:
    from accounts.models import User
    from catalogue.models import CatalogueImport

    entry = CatalogueImport.objects.create(
        created_by=User.objects.get(email="lead@demo.example"), file_name="exigences.xlsx"
    )
    return {"pk": entry.pk}


ROWS = {
    "requirement_export": Row(members(200), kwargs={"fmt": "csv"}),
    "requirement_diff": Row(members(200), kwargs={"reference": "SC.DMP/UX.10"}),
    "requirement_assign_topic": Row(only(DECIDERS, REDIRECT), method="post"),
    "catalogue_import": Row(only(DECIDERS)),
    "catalogue_import_detail": Row(only(DECIDERS), kwargs=lead_import),
    "catalogue_import_confirm": Row(only(("lead",), REDIRECT), kwargs=lead_import, method="post"),
}
