"""What can be followed, and how to name it, link to it and place it.

This app may not import the apps above it (DESIGN.md): subjects are known by
their model label ("topics.requirement") and reached with ``apps.get_model``
and the attributes they have. Each app registers the kinds of subject it
shows (``register()``) and what its notification targets say of themselves
(``register_summary()``) from its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.http import Http404
from django.utils.functional import Promise

from core.text import whole_number


def _no_parents(obj: Any) -> list:
    return []


def _no_topic(obj: Any) -> Any:
    return None


def _readable_by_participants(user: Any, obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class SubjectType:
    """A kind of thing people may follow."""

    label: str  # the model's label, lower case: "topics.requirement"
    verbose_name: str | Promise
    verbose_name_plural: str | Promise
    name: Callable[[Any], str]
    url: Callable[[Any], str]
    # What the subject belongs to: its followers hear about it too.
    parents: Callable[[Any], Iterable[models.Model]] = field(default=_no_parents)
    # The topic a digest lists it under, if any.
    topic: Callable[[Any], models.Model | None] = field(default=_no_topic)
    # Whether ``user`` may see the subject at all: a subject that is not for
    # everyone (a feedback before its answer) says so, and whoever may not
    # read it can neither follow it nor learn its name by trying.
    readable: Callable[[Any, Any], bool] = field(default=_readable_by_participants)
    # A short closed list (the SONS): "Ce que je suis" offers every one of
    # them with its button, under this help text and table caption.
    listed_apart: bool = False
    apart_help: str | Promise = ""
    apart_caption: str | Promise = ""

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


REGISTRY: dict[str, SubjectType] = {}


def register(subject_type: SubjectType) -> None:
    """Called by the app that shows the subject, from its ``ready()``."""
    REGISTRY[subject_type.label] = subject_type


def listed_apart() -> list[SubjectType]:
    return [subject_type for subject_type in REGISTRY.values() if subject_type.listed_apart]


def subject_type_of(obj: models.Model) -> SubjectType:
    try:
        return REGISTRY[obj._meta.label_lower]
    except KeyError:
        raise ValueError(f"{obj._meta.label} is not a subject people can follow") from None


def is_followable(obj: Any) -> bool:
    return isinstance(obj, models.Model) and obj._meta.label_lower in REGISTRY


def subject_ref(obj: models.Model) -> str:
    """ "topics.requirement:12": how forms and keys name a subject."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def resolve(ref: str) -> models.Model:
    """The subject a form names, or 404 (unknown kind, bad id, no such row)."""
    label, _sep, pk = (ref or "").rpartition(":")
    pk = whole_number(pk)
    if label not in REGISTRY or pk is None:
        raise Http404("Not a subject")
    try:
        return REGISTRY[label].model.objects.get(pk=pk)
    except models.ObjectDoesNotExist:
        raise Http404("No such subject") from None


def describe(obj: models.Model | None) -> dict[str, str] | None:
    """Name and link of a subject, as a notification keeps them."""
    if obj is None:
        return None
    subject_type = subject_type_of(obj)
    return {"ref": subject_ref(obj), "name": subject_type.name(obj), "url": subject_type.url(obj)}


def with_parents(subjects: Iterable[models.Model]) -> list[models.Model]:
    """The subjects and everything they belong to, each once."""
    seen: dict[str, models.Model] = {}
    pending = [s for s in subjects if s is not None]
    while pending:
        obj = pending.pop(0)
        ref = subject_ref(obj)
        if ref in seen:
            continue
        seen[ref] = obj
        pending.extend(p for p in subject_type_of(obj).parents(obj) if p is not None)
    return list(seen.values())


def topic_of(obj: models.Model) -> models.Model | None:
    return subject_type_of(obj).topic(obj)


# --- What happened: a snapshot of the target, kept on the notification -------------


# What each kind of target says of itself, registered by the app that owns
# it (its ``ready()``): ``{"sons": [...], "comment": ...}``.
SUMMARIES: dict[str, Callable[[Any], dict[str, Any]]] = {}


def register_summary(label: str, summary: Callable[[Any], dict[str, Any]]) -> None:
    SUMMARIES[label] = summary


def summarise(target: models.Model | None) -> dict[str, Any]:
    if target is None:
        return {}
    summary = SUMMARIES.get(target._meta.label_lower)
    return summary(target) if summary else {"text": str(target)}
