"""Who may do what in the calendar, and which events concern whom: one
place, used by every view, feed and reminder (the vocabulary:
accounts/access.py).

- Leads and admins (the authority) create, edit, move and cancel events,
  manage their agenda and documents, see who registered, answer questions.
- Participants (editors and federation representatives, with their
  organisation) register their organisation for workshops, ask questions
  and support others'.
- Every signed-in person reads the calendar, documents and answers.
- A person's own calendar (their feed, "Mon calendrier", reminders): the
  authority's holds every event; everyone's the sharing sessions,
  milestones and other events; a federation representative's also every
  workshop and the federation steering committees; an editor's also the
  workshops open to every audience, those of an audience that covers a SONS
  their organisation sells, and those their organisation registered for.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import access as accounts_access
from accounts.access import is_participant


def may_edit_events(user) -> bool:
    return accounts_access.is_authority(user)


def may_answer_questions(user) -> bool:
    return may_edit_events(user)


def may_register(user) -> bool:
    """Register one's organisation for a workshop."""
    return is_participant(user)


def may_ask_questions(user) -> bool:
    return is_participant(user)


def organisation_of(user):
    return getattr(user, "organisation", None) if accounts_access.signed_in(user) else None


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def audience(user) -> tuple:
    """People whose own calendars are the same (``events_concerning``)."""
    if may_edit_events(user):
        return ("authority",)
    if accounts_access.is_federation(user):
        return ("federation",)
    return ("editor", getattr(user, "organisation_id", None))


def events_concerning(user, queryset: QuerySet) -> QuerySet:
    """The events of ``user``'s own calendar (module docstring)."""
    from .models import Event, Registration

    if may_edit_events(user):
        return queryset
    wanted = Q(kind__in=[Event.Kind.SHARING_SESSION, Event.Kind.MILESTONE, Event.Kind.OTHER])
    if accounts_access.is_federation(user):
        wanted |= Q(kind__in=[Event.Kind.WORKSHOP, Event.Kind.STEERING_COMMITTEE])
    else:
        through = Event.audiences.through
        wanted |= Q(kind=Event.Kind.WORKSHOP) & ~Exists(
            through.objects.filter(event=OuterRef("pk"))
        )
        organisation = getattr(user, "organisation_id", None)
        if organisation:
            wanted |= Q(kind=Event.Kind.WORKSHOP) & Exists(
                through.objects.filter(event=OuterRef("pk"), audience__sons__editors=organisation)
            )
            wanted |= Exists(
                Registration.objects.filter(event=OuterRef("pk"), organisation=organisation)
            )
    return queryset.filter(wanted)
