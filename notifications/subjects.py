"""What can be followed, and how to name it, link to it and place it.

This app may not import the apps above it (DESIGN.md): subjects are known by
their model label ("topics.requirement") and reached with ``apps.get_model``
and the attributes they have. An app that brings a new kind of subject (a
feedback, say) calls ``register()`` from its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


REGISTRY: dict[str, SubjectType] = {}


def register(subject_type: SubjectType) -> None:
    REGISTRY[subject_type.label] = subject_type


def _topic_url(topic) -> str:
    return reverse("topic_detail", args=[topic.number or topic.slug])


register(
    SubjectType(
        "topics.sons",
        _("SONS"),
        _("SONS"),
        name=lambda sons: f"{sons.code} — {sons.name}",
        url=lambda sons: f"{reverse('requirement_list')}?sons={sons.code}",
    )
)
register(
    SubjectType(
        "topics.topic",
        _("Sujet"),
        _("Sujets"),
        name=lambda topic: f"#{topic.number} {topic.label}" if topic.number else topic.label,
        url=_topic_url,
        topic=lambda topic: topic,
    )
)
register(
    SubjectType(
        "topics.requirement",
        _("Exigence"),
        _("Exigences"),
        name=lambda requirement: requirement.reference,
        url=lambda requirement: reverse("requirement_detail", args=[requirement.reference]),
        # A requirement belongs to its topic. The SONS a change concerns are
        # named by the producer: a decision for DPI alone is no news for LGC.
        parents=lambda requirement: [requirement.topic] if requirement.topic_id else [],
        topic=lambda requirement: requirement.topic,
    )
)
register(
    SubjectType(
        "calendar_app.event",
        _("Événement"),
        _("Événements"),
        name=lambda event: event.title,
        url=lambda event: reverse("event_detail", args=[event.slug]),
    )
)


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


def _decision(arbitration) -> dict[str, Any]:
    session = arbitration.session
    # The label as written in the code (French): the catalogue's msgid,
    # translated into the reader's language when the notification is shown.
    with translation.override(None):
        decision_label = arbitration.get_decision_display()
    return {
        "decision": arbitration.decision,
        "decision_label": decision_label,
        "sons": [sons.code for sons in arbitration.sons.all()],
        "comment": arbitration.comment,
        "session": session.title if session else "",
    }


def _version(version) -> dict[str, Any]:
    return {"sons": [version.sons.code], "version": version.label, "statement": version.statement}


SUMMARIES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "arbitrations.arbitration": _decision,
    "topics.requirementversion": _version,
}


def summarise(target: models.Model | None) -> dict[str, Any]:
    if target is None:
        return {}
    summary = SUMMARIES.get(target._meta.label_lower)
    return summary(target) if summary else {"text": str(target)}
