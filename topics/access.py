"""Who may see and do what with SONS, topics and requirements
(the vocabulary: accounts/access.py).

- Every signed-in person reads the topics and the requirements of the SONS'
  sets; a requirement in no SONS' set yet is the authority's working matter.
- The SONS remarks of the authority's spreadsheets ("Remarques (proposition
  de reformulation…)") are the authority's: no page, fragment, search,
  export or feed gives them to editors or federations.
- The rows of an iteration the authority does not publish ("HIDEME") and
  its internal notes ("VERIF: Note interne", vendors' names in them) are
  the authority's: no page, fragment, search, export or feed gives them to
  editors or federations (topics.IterationEntry).
- Leads and admins manage the SONS an editor sells.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts import access as accounts_access
from accounts.access import signed_in

from .models import Requirement, RequirementSons, Sons


def audience(user) -> tuple:
    """What a page of the catalogue shows depends on this only."""
    return ("authority",) if accounts_access.is_authority(user) else ("participant",)


def may_see_remarks(user) -> bool:
    return accounts_access.is_authority(user)


def may_see_unpublished_rows(user) -> bool:
    """An iteration's "HIDEME" rows and the authority's internal notes."""
    return accounts_access.is_authority(user)


def iteration_entries_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    from .models import IterationEntry

    queryset = IterationEntry.objects.all() if queryset is None else queryset
    if not signed_in(user):
        return queryset.none()
    if may_see_unpublished_rows(user):
        return queryset
    return queryset.filter(hidden=False)


def may_see_unlisted_requirements(user) -> bool:
    """Requirements in no SONS' set (being prepared, or imported without rows)."""
    return accounts_access.is_authority(user)


def may_read_requirement(user, requirement: Requirement) -> bool:
    if not signed_in(user):
        return False
    return may_see_unlisted_requirements(user) or requirement.applicabilities.exists()


def requirements_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Requirement.objects.all() if queryset is None else queryset
    if not signed_in(user):
        return queryset.none()
    if may_see_unlisted_requirements(user):
        return queryset
    # EXISTS, not a join: no duplicates to remove, and searches keep their plan.
    return queryset.filter(Exists(RequirementSons.objects.filter(requirement_id=OuterRef("pk"))))


def may_manage_editor_sons(user) -> bool:
    return accounts_access.may_manage_organisations(user)


def sons_in_scope(user) -> list[Sons]:
    """The SONS a person's work is about ("Mes décisions", what they follow):
    those their organisation sells (editor), those its member editors sell
    (federation), those of their task forces (lead), every SONS (admin)."""
    if not signed_in(user):
        return []
    if accounts_access.is_admin(user):
        return list(Sons.objects.all())
    if accounts_access.is_lead(user):
        return list(Sons.objects.filter(task_force__memberships__user=user).distinct())
    if user.organisation_id is None:
        return []
    if accounts_access.is_federation(user):
        return list(
            Sons.objects.filter(editors__federations=user.organisation_id)
            .distinct()
            .order_by("order", "code")
        )
    return list(Sons.objects.filter(editors=user.organisation_id).order_by("order", "code"))
