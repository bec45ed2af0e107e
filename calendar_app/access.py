"""Who may do what in the calendar: one place, used by every view.

- Leads and admins (the authority) create, edit, move and cancel events,
  manage their agenda and documents, see who registered, answer questions.
- Participants (editors and federation representatives, with their
  organisation) register their organisation for workshops, ask questions
  and support others'.
- Every signed-in person reads the calendar, documents and answers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


def can_edit_events(user) -> bool:
    return getattr(user, "is_authority", False)


def organisation_of(user):
    return getattr(user, "organisation", None) if user.is_authenticated else None


def is_participant(user) -> bool:
    return (
        user.is_authenticated
        and (user.is_editor or user.is_federation)
        and user.organisation_id is not None
    )


def require_authority(request) -> None:
    if not can_edit_events(request.user):
        raise PermissionDenied


def require_participant(request) -> None:
    if not is_participant(request.user):
        raise PermissionDenied
