"""Who may do what with the requirement catalogue (the vocabulary:
accounts/access.py).

- Leads and admins import the authority's spreadsheets (their decisions are
  recorded in the importer's name, for the SONS they decide for), confirm
  the imports they checked, and attach requirements to topics.
- The SONS remarks of the spreadsheets are the authority's
  (topics.access.may_see_remarks): exports write them for those only.
- So are an iteration's rows the authority does not publish ("HIDEME") and
  its internal notes (topics.access.may_see_unpublished_rows): comparisons
  of iterations and their exports leave them out for participants.
- Everyone signed in compares iterations (what participants may read).
"""

from __future__ import annotations

from accounts.access import is_authority
from arbitrations.access import may_decide_any
from topics import access as topics_access


def audience(user) -> tuple:
    """What a page of the catalogue shows depends on this only (cache keys):
    the decisions one sees (drafts or not) and the catalogue's own rules."""
    from arbitrations.access import audience as decisions_audience

    return (*decisions_audience(user), *topics_access.audience(user))


def may_import_catalogue(user) -> bool:
    """Import the authority's spreadsheets: decisions are recorded in the
    importer's name, for the SONS they decide for."""
    return may_decide_any(user)


def may_confirm_import(user, entry) -> bool:
    """An import is confirmed by the person who checked it."""
    return entry.created_by_id == getattr(user, "pk", None)


def may_assign_topics(user) -> bool:
    return is_authority(user)


def may_see_remarks(user) -> bool:
    return topics_access.may_see_remarks(user)


def may_see_unpublished_rows(user) -> bool:
    return topics_access.may_see_unpublished_rows(user)


def entries_visible_to(user, queryset=None):
    return topics_access.iteration_entries_visible_to(user, queryset)
