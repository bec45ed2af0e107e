"""Permission matrix rows of the catalogue's pages (issues 5 and 17), from the
rules: everyone signed in searches, compares versions and iterations and
exports (drafts, HIDEME rows and internal notes only for the authority:
test_catalogue_search.py, test_catalogue_iterations.py and the visibility
matrix); leads and admins import and attach requirements to topics; an
import is confirmed, and its reference matches answered, by the person who
checked it only (its decisions are recorded in their name). A requirement's
other name leads everyone signed in to its page."""

from core.testing import REDIRECT, Row, members, only

DECIDERS = ("admin", "lead", "lead2")


def lead_import() -> dict:
    from accounts.models import User
    from catalogue.models import CatalogueImport

    entry = CatalogueImport.objects.create(
        created_by=User.objects.get(email="lead@demo.example"), file_name="exigences.xlsx"
    )
    return {"pk": entry.pk}


def checked_import_with_matches() -> dict:
    from accounts.models import User
    from catalogue.models import CatalogueImport

    entry = CatalogueImport.objects.create(
        created_by=User.objects.get(email="lead@demo.example"),
        file_name="export_final.xlsx",
        status=CatalogueImport.Status.CHECKED,
        report={"rows": [], "proposals": []},
    )
    return {"pk": entry.pk}


def alias() -> dict:
    from topics.models import ReferenceAlias, Requirement

    ReferenceAlias.objects.get_or_create(
        reference="SSI/IE.33",
        defaults={"requirement": Requirement.objects.get(reference="SC.SSI/IE.33")},
    )
    return {"reference": "SSI/IE.33"}


def iterations() -> dict:
    from topics.models import Iteration

    Iteration.objects.get_or_create(code="IT1", defaults={"label": "Itération #1", "order": 10})
    Iteration.objects.get_or_create(code="IT2", defaults={"label": "Itération #2", "order": 20})
    return {}


def export_iterations() -> dict:
    iterations()
    return {"fmt": "csv"}


ROWS = {
    "requirement_export": Row(members(200), kwargs={"fmt": "csv"}),
    "requirement_diff": Row(members(200), kwargs={"reference": "SC.DMP/UX.10"}),
    "requirement_assign_topic": Row(only(DECIDERS, REDIRECT), method="post"),
    "catalogue_import": Row(only(DECIDERS)),
    "catalogue_import_detail": Row(only(DECIDERS), kwargs=lead_import),
    "catalogue_import_confirm": Row(only(("lead",), REDIRECT), kwargs=lead_import, method="post"),
    "catalogue_import_matches": Row(
        only(("lead",), REDIRECT), kwargs=checked_import_with_matches, method="post"
    ),
    "requirement_alias": Row(members(REDIRECT), kwargs=alias),
    "iteration_compare": Row(members(200), kwargs=iterations, query="?de=IT1&a=IT2"),
    "iteration_compare_export": Row(members(200), kwargs=export_iterations, query="?de=IT1&a=IT2"),
}
