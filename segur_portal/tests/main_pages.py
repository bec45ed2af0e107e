"""The portal's main pages × the roles that read them: ONE list, read by the
accessibility checks (axe-core), the page-title checks and the reading
without JavaScript (test_e2e_accessibility.py, test_e2e_no_js.py).

Adding a page to those checks is one line here: a URL name (with its
arguments, or a callable that builds them in the test's database) and the
roles that read it. "members" are every signed-in role; "anonymous" only
where the page is public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

ROLES = ("anonymous", "editor", "federation", "lead", "admin")
MEMBERS = ("editor", "federation", "lead", "admin")
EVERYONE = ROLES
AUTHORITY = ("lead", "admin")
SESSION = {"slug": "temps-de-partage-2023-09-25"}


def lead_import() -> dict:
    """An import checked by the lead (its page exists for leads and admins)."""
    from accounts.models import User
    from catalogue.models import CatalogueImport

    entry = CatalogueImport.objects.create(
        created_by=User.objects.get(email="lead@demo.example"), file_name="exigences.xlsx"
    )
    return {"pk": entry.pk}


def two_iterations() -> dict:
    from catalogue.tests.matrix import iterations

    return iterations()


def filed_feedback() -> dict:
    from concertation.tests.matrix import filed

    return filed()


@dataclass(frozen=True)
class MainPage:
    url_name: str
    roles: tuple[str, ...] = MEMBERS
    kwargs: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)
    query: str = ""
    # What the page is about: its <title> and its <h1> both say it.
    subject: str = ""

    def url(self) -> str:
        kwargs = self.kwargs() if callable(self.kwargs) else self.kwargs
        return reverse(self.url_name, kwargs=kwargs) + self.query


MAIN_PAGES: list[MainPage] = [
    MainPage("dashboard", subject="Tableau de bord"),
    MainPage("topic_list", subject="Sujets"),
    MainPage("topic_detail", kwargs={"key": "7"}, subject="gestions des comptes"),
    MainPage("requirement_detail", kwargs={"reference": "SC.DMP/UX.10"}, subject="SC.DMP/UX.10"),
    MainPage("requirement_detail", kwargs={"reference": "SC.SSI/IE.33"}, subject="SC.SSI/IE.33"),
    MainPage("requirement_diff", kwargs={"reference": "SC.DMP/UX.10"}, subject="SC.DMP/UX.10"),
    MainPage("requirement_list", query="?q=antivirus&sons=LGC", subject="Exigences"),
    MainPage(
        "iteration_compare",
        kwargs=two_iterations,
        query="?de=IT1&a=IT2",
        subject="Comparer deux itérations",
    ),
    MainPage("my_decisions", subject="Mes décisions"),
    MainPage("calendar", subject="Calendrier"),
    MainPage("calendar_grid", subject="par semaine"),
    MainPage("calendar_month", query="?mois=2023-10", subject="Calendrier"),
    MainPage("event_detail", kwargs=SESSION, subject="1er temps de partage éditeur"),
    MainPage("session_record", kwargs=SESSION, subject="Relevé de décisions"),
    MainPage("question_search", query="?q=antivirus", subject="Questions"),
    MainPage(
        "decide_requirement",
        roles=AUTHORITY,
        kwargs={"reference": "SC.SSI/IE.33"},
        query="?sons=LGC",
        subject="SC.SSI/IE.33",
    ),
    MainPage("session_decisions", roles=AUTHORITY, kwargs=SESSION, subject="Arbitrages"),
    MainPage("event_create", roles=AUTHORITY, subject="événement"),
    MainPage("calendar_feeds", subject="abonner au calendrier"),
    MainPage("organisation_list", roles=AUTHORITY, subject="Organisations"),
    MainPage("audit_log", roles=("admin",), subject="Journal d’audit"),
    MainPage("catalogue_import", roles=AUTHORITY, subject="Importer des exigences"),
    MainPage(
        "catalogue_import_detail", roles=AUTHORITY, kwargs=lead_import, subject="exigences.xlsx"
    ),
    MainPage("notification_list", subject="Notifications"),
    MainPage("follow_list", subject="Ce que je suis"),
    MainPage("email_preferences", subject="Courriels"),
    MainPage("profile", subject="Mon compte"),
    MainPage("mfa_index", subject="deux facteurs"),
    MainPage("account_change_password", subject="mot de passe"),
    MainPage("contacts", subject="points de contact"),
    MainPage("documents", subject="Documents"),
    MainPage("legal_notice", roles=EVERYONE, subject="Mentions légales"),
    MainPage("accessibility", roles=EVERYONE, subject="accessibilité"),
    MainPage("privacy", roles=EVERYONE, subject="données personnelles"),
    MainPage("sitemap", roles=EVERYONE, subject="Plan du site"),
    MainPage("account_login", roles=("anonymous",), subject="Connexion au portail"),
    # Comments and argued feedback (issue 8).
    MainPage(
        "comment_thread",
        kwargs={"kind": "exigence", "key": "SC.DMP/UX.10"},
        subject="Commentaires",
    ),
    MainPage("comment_moderation", roles=AUTHORITY, subject="Commentaires signalés"),
    MainPage(
        "internal_notes", roles=AUTHORITY, kwargs={"reference": "SC.DMP/UX.10"}, subject="Notes"
    ),
    MainPage("feedback_inbox", roles=AUTHORITY, subject="Retours à traiter"),
    MainPage("my_feedback", roles=("editor", "federation"), subject="Mes retours"),
    MainPage("feedback_new", roles=("federation",), query="?sujet=9", subject="Nouveau retour"),
    # federation@'s filed feedback on SC.DMP/UX.10 with a DOCX: its federation,
    # its member editor (editor@) and the leads read it.
    MainPage("feedback_detail", kwargs=filed_feedback, subject="Retour n°"),
]


def pages_for(role: str) -> list[MainPage]:
    return [main_page for main_page in MAIN_PAGES if role in main_page.roles]
