"""Argued feedback: every change goes through here, in one transaction.

- A participant of an organisation (a federation representative, an editor)
  drafts a feedback in their organisation's name; the draft is visible to
  the organisation and, for a federation, to its member editors.
- Filing is refused outside the topic's feedback window, and, on a subject
  already decided (a final published decision on one of its requirements ×
  SONS, or on the topic), without the new element that justifies it (the
  deck's "non-réouverture des sujets déjà arbitrés"); such a feedback is
  flagged to the leads.
- Other organisations that see a filed feedback co-sign it (a federation's
  member editors; other federations once the filers invite them); the
  filers are told.
- A lead assigns, answers (published at once, or kept for a second lead who
  publishes it), reopens the decision (a new draft decision) or answers
  "déjà arbitré". Every change claims the version it was read at: two
  leads never overwrite each other's answer (``FeedbackConflict``).
- Notifications go to the feedback's followers, and only to those who may
  see it (``Feedback.objects.visible_to``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import authority_people, participant_people
from accounts.audit import Action, record
from accounts.models import Organisation
from arbitrations.access import may_decide
from arbitrations.caching import invalidate_decision_pages
from arbitrations.decisions import current_decisions
from arbitrations.models import Arbitration
from calendar_app.models import PARIS
from notifications.models import Follow, Notification
from notifications.services import follow, notify
from topics.models import Requirement, RequirementSons, Sons, Topic

from ..access import (
    may_answer_feedback,
    may_cosign_feedback,
    may_draft_feedback,
    may_edit_feedback,
    may_invite_to_cosign,
)
from .models import Feedback, FeedbackAttachment, FeedbackConflict, FeedbackSignature
from .reminders import plan_feedback_windows

logger = logging.getLogger(__name__)


class FeedbackRefused(Exception):
    """A rule of the concertation refuses the change: ``message`` says why
    (shown to the person as it is) and ``field`` which field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- Rules -------------------------------------------------------------------------


def topics_awaiting_answers(topic_ids: list[int]) -> set[int]:
    """The topics with an argued feedback filed and not yet answered (drafts
    do not count: nobody has asked anything yet): work that keeps a topic
    from being "arbitré" (arbitrations.decisions.OPEN_WORK). One query."""
    return set(
        Feedback.objects.filter(topic_id__in=topic_ids)
        .filed()
        .exclude(status=Feedback.Status.ANSWERED)
        .order_by()
        .values_list("topic_id", flat=True)
        .distinct()
    )


def feedback_answered(topic_ids) -> dict[int, bool]:
    """Whether every argued feedback filed on each topic has its published answer."""
    topic_ids = list(topic_ids)
    waiting = topics_awaiting_answers(topic_ids)
    return {topic_id: topic_id not in waiting for topic_id in topic_ids}


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment, PARIS), "DATETIME_FORMAT")


def window_refusal(topic: Topic, now: datetime) -> str | None:
    """Why feedback on ``topic`` cannot be filed at ``now`` (None: it can)."""
    state = topic.feedback_window_state(now)
    if state == "open":
        return None
    opens, closes = topic.feedback_opens_at, topic.feedback_closes_at
    if opens and closes:
        return _(
            "La période de retours sur ce sujet va du %(opens)s au %(closes)s "
            "(heure de Paris) : le dépôt n'est pas possible en dehors."
        ) % {"opens": _local(opens), "closes": _local(closes)}
    if state == "not_yet":
        return _("La période de retours sur ce sujet s'ouvre le %(opens)s (heure de Paris).") % {
            "opens": _local(opens)
        }
    return _(
        "La période de retours sur ce sujet est close depuis le %(closes)s (heure de Paris)."
    ) % {"closes": _local(closes)}


def decided_subjects(topic: Topic, requirements: Sequence[Requirement], sons: Sequence[Sons]):
    """The final published decisions a feedback would reopen: on its
    requirements for its SONS (all the requirement's SONS when none is
    named), or, without requirements, on its topic."""
    sons_ids = {s.pk for s in sons}
    nobody = AnonymousUser()  # published decisions only
    if requirements:
        current = current_decisions([r.pk for r in requirements], nobody)
    else:
        current = current_decisions([topic.pk], nobody, on="topic")
    found = {}
    for (_subject, sons_id), arbitration in current.items():
        if sons_ids and sons_id not in sons_ids:
            continue
        if arbitration.is_final:
            found[arbitration.pk] = arbitration
    return list(found.values())


def check_filing(
    *, topic: Topic, requirements, sons, new_element: str, now: datetime
) -> list[Arbitration]:
    """Refuse a filing the concertation's rules forbid; return the decisions
    it bears on (flagged to the leads)."""
    refusal = window_refusal(topic, now)
    if refusal:
        raise FeedbackRefused(refusal)
    decided = decided_subjects(topic, requirements, sons)
    if decided and not new_element.strip():
        raise FeedbackRefused(
            _(
                "Ce sujet a déjà été arbitré (%(decisions)s) : les sujets arbitrés ne sont pas "
                "rouverts sans élément nouveau. Indiquez l'élément nouveau qui justifie ce retour."
            )
            % {"decisions": ", ".join(sorted({str(a) for a in decided}))},
            field="new_element",
        )
    return decided


# --- Drafting and filing -----------------------------------------------------------


@dataclass
class FeedbackInput:
    """What a participant types in the feedback form."""

    topic: Topic
    kind: str
    argument: str
    requirements: list[Requirement] = field(default_factory=list)
    sons: list[Sons] = field(default_factory=list)
    current_wording: str = ""
    proposed_wording: str = ""
    impact_effort: str = ""
    impact_cost: str = ""
    impact_deadline: str = ""
    impact_feasibility: str = ""
    new_element: str = ""
    for_workshop: bool = False

    TEXTS = (
        "kind",
        "argument",
        "current_wording",
        "proposed_wording",
        "impact_effort",
        "impact_cost",
        "impact_deadline",
        "impact_feasibility",
        "new_element",
    )


def _apply(feedback: Feedback, data: FeedbackInput) -> None:
    feedback.topic = data.topic
    for name in FeedbackInput.TEXTS:
        value = getattr(data, name)
        setattr(feedback, name, value.strip() if isinstance(value, str) else value)
    feedback.for_workshop = data.for_workshop


def _attach(feedback: Feedback, uploads: Sequence[tuple[object, str]], by) -> None:
    for upload, content_type in uploads:
        attachment = FeedbackAttachment(
            feedback=feedback,
            filename=(upload.name or "")[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()


def save_feedback(
    *,
    by,
    data: FeedbackInput,
    feedback: Feedback | None = None,
    expected_version: int | None = None,
    uploads: Sequence[tuple[object, str]] = (),
    remove_attachments: Sequence[int] = (),
    file: bool = False,
    now: datetime | None = None,
) -> Feedback:
    """Create or change a draft, and file it when ``file``: all of it or
    nothing (a refused filing leaves no draft behind, no file on disk)."""
    now = now or timezone.now()
    if not may_draft_feedback(by) or (feedback is not None and not may_edit_feedback(by, feedback)):
        raise PermissionDenied
    stored: list[str] = []
    try:
        with transaction.atomic():
            if feedback is None:
                feedback = Feedback(organisation_id=by.organisation_id, author=by, created_at=now)
            elif not feedback.claim(expected_version or feedback.version):
                raise FeedbackConflict(current=Feedback.objects.get(pk=feedback.pk))
            _apply(feedback, data)
            feedback.save()
            feedback.requirements.set(data.requirements)
            feedback.sons.set(data.sons)
            if remove_attachments:
                for attachment in feedback.attachments.filter(pk__in=list(remove_attachments)):
                    attachment.file.delete(save=False)
                    attachment.delete()
            _attach(feedback, uploads, by)
            stored = [a.file.name for a in feedback.attachments.all()]
            follow(by, feedback, reason=Follow.Reason.FILED)
            if file:
                _file(feedback, by=by, data=data, now=now)
    except Exception:
        _forget_new_files(feedback, stored)
        raise
    return feedback


def _forget_new_files(feedback: Feedback | None, stored: list[str]) -> None:
    """A rolled-back save leaves no file behind: delete what it wrote that
    no row points to."""
    if feedback is None or not stored:
        return
    kept = set()
    if feedback.pk and Feedback.objects.filter(pk=feedback.pk).exists():
        kept = set(
            FeedbackAttachment.objects.filter(feedback=feedback).values_list("file", flat=True)
        )
    storage = FeedbackAttachment._meta.get_field("file").storage
    for name in stored:
        if name not in kept:
            storage.delete(name)


def file_feedback(feedback: Feedback, *, by, expected_version: int, now=None) -> Feedback:
    """File a draft as it stands."""
    now = now or timezone.now()
    if not may_edit_feedback(by, feedback):
        raise PermissionDenied
    with transaction.atomic():
        if not feedback.claim(expected_version):
            raise FeedbackConflict(current=Feedback.objects.get(pk=feedback.pk))
        data = FeedbackInput(
            topic=feedback.topic,
            kind=feedback.kind,
            argument=feedback.argument,
            requirements=list(feedback.requirements.all()),
            sons=list(feedback.sons.all()),
            new_element=feedback.new_element,
        )
        _file(feedback, by=by, data=data, now=now)
    return feedback


def _file(feedback: Feedback, *, by, data: FeedbackInput, now: datetime) -> None:
    decided = check_filing(
        topic=data.topic,
        requirements=data.requirements,
        sons=data.sons,
        new_element=data.new_element,
        now=now,
    )
    feedback.status = Feedback.Status.SUBMITTED
    feedback.filed_at = now
    feedback.filed_by = by
    feedback.on_decided_subject = bool(decided)
    feedback.save()
    follow(by, feedback, reason=Follow.Reason.FILED)
    if feedback.author_id and feedback.author_id != by.pk:
        follow(feedback.author, feedback, reason=Follow.Reason.FILED)
    # Leads who follow what the feedback is about follow the feedback itself:
    # they are told of it now, and of what becomes of it.
    for lead in _leads_following(data):
        follow(lead, feedback, reason=Follow.Reason.MANUAL)
    _notify(feedback, kind=Notification.Kind.FEEDBACK_FILED, actor=by, data=_summary(feedback))
    record(
        Action.FEEDBACK_FILED,
        actor=by,
        target=feedback,
        details={
            "topic": data.topic.pk,
            "requirements": [r.reference for r in data.requirements],
            "sons": [s.code for s in data.sons],
            "on_decided_subject": feedback.on_decided_subject,
        },
    )


def _leads_following(data: FeedbackInput):
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    condition = Q(subject_type=ContentType.objects.get_for_model(Topic), subject_id=data.topic.pk)
    if data.requirements:
        condition |= Q(
            subject_type=ContentType.objects.get_for_model(Requirement),
            subject_id__in=[r.pk for r in data.requirements],
        )
    if data.sons:
        condition |= Q(
            subject_type=ContentType.objects.get_for_model(Sons),
            subject_id__in=[s.pk for s in data.sons],
        )
    ids = Follow.objects.filter(condition).values("user_id")
    return list(authority_people().filter(pk__in=ids))


def _summary(feedback: Feedback, **extra) -> dict:
    from django.utils import translation

    with translation.override(None):
        kind = feedback.get_kind_display()
        disposition = feedback.get_disposition_display() if feedback.disposition else ""
    return {
        "kind_label": kind,
        "organisation": feedback.organisation.name,
        "disposition_label": disposition,
        **extra,
    }


def _notify(feedback: Feedback, *, kind: str, actor, data: dict) -> int:
    """Tell the feedback's followers — only those who may see it: a follow
    made before (or by hand) never reveals a feedback to someone else."""
    follows = Follow.objects.filter(
        subject_type=ContentType.objects.get_for_model(Feedback),
        subject_id=feedback.pk,
    ).select_related("user")
    for row in follows:
        if not feedback.is_visible_to(row.user):
            row.delete()
    return notify(subjects=[feedback], kind=kind, actor=actor, target=feedback, data=data)


# --- Co-signing --------------------------------------------------------------------


def cosign(feedback: Feedback, *, by) -> FeedbackSignature:
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        signed = set(feedback.signatures.values_list("organisation_id", flat=True))
        visible = feedback.is_visible_to(by)
        if not visible or not may_cosign_feedback(by, feedback, signed):
            raise PermissionDenied
        signature = FeedbackSignature.objects.create(
            feedback=feedback, organisation_id=by.organisation_id, signed_by=by
        )
        follow(by, feedback, reason=Follow.Reason.FILED)
        _notify(
            feedback,
            kind=Notification.Kind.FEEDBACK_COSIGNED,
            actor=by,
            data=_summary(feedback, organisation=by.organisation.name),
        )
    return signature


def invite_cosigners(feedback: Feedback, *, by, organisations: Sequence) -> list:
    """Ask other federations to co-sign: they see the feedback from now on,
    and their representatives are told. Returns the federations newly
    invited (inviting twice invites once)."""
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if not may_invite_to_cosign(by, feedback):
            raise PermissionDenied
        already = set(feedback.invited_organisations.values_list("pk", flat=True))
        new = [
            organisation
            for organisation in organisations
            if organisation.kind == Organisation.Kind.FEDERATION
            and organisation.pk != feedback.organisation_id
            and organisation.pk not in already
        ]
        if not new:
            return []
        feedback.invited_organisations.add(*new)
        notify(
            subjects=[feedback],
            kind=Notification.Kind.FEEDBACK_COSIGN_INVITATION,
            actor=by,
            target=feedback,
            key=f"feedback_invited:{feedback.pk}:{','.join(str(o.pk) for o in new)}",
            data=_summary(feedback),
            recipients=participant_people(federations_only=True).filter(organisation__in=new),
        )
    return new


# --- Answering ---------------------------------------------------------------------


def _claim(feedback: Feedback, expected_version: int) -> None:
    if not feedback.claim(expected_version):
        raise FeedbackConflict(current=Feedback.objects.get(pk=feedback.pk))


def assign(feedback: Feedback, *, by, assignee, expected_version: int) -> None:
    if not may_answer_feedback(by) or feedback.is_draft or not may_answer_feedback(assignee):
        raise PermissionDenied
    with transaction.atomic():
        _claim(feedback, expected_version)
        feedback.assignee = assignee
        if feedback.status == Feedback.Status.SUBMITTED:
            feedback.status = Feedback.Status.UNDER_REVIEW
        feedback.save()
        follow(assignee, feedback, reason=Follow.Reason.MANUAL)


@dataclass
class AnswerInput:
    disposition: str
    text: str
    publish: bool = True


def answer(feedback: Feedback, *, by, data: AnswerInput, expected_version: int, now=None) -> None:
    """Write the answer; publish it at once or keep it for a second lead."""
    now = now or timezone.now()
    if not may_answer_feedback(by) or feedback.is_draft or feedback.is_answered:
        raise PermissionDenied
    if data.disposition not in Feedback.Disposition.values or not data.text.strip():
        raise FeedbackRefused(_("Choisissez une suite et rédigez la réponse."), field="text")
    with transaction.atomic():
        _claim(feedback, expected_version)
        feedback.disposition = data.disposition
        feedback.answer_text = data.text.strip()
        feedback.answered_by = by
        feedback.answered_at = now
        feedback.status = Feedback.Status.UNDER_REVIEW
        feedback.save()
        record(
            Action.FEEDBACK_ANSWERED,
            actor=by,
            target=feedback,
            details={"disposition": data.disposition, "published": data.publish},
        )
        if data.publish:
            _publish(feedback, by=by, now=now)


def publish_answer(feedback: Feedback, *, by, expected_version: int, now=None) -> None:
    """A second lead publishes an answer kept for review (never its writer)."""
    now = now or timezone.now()
    if not may_answer_feedback(by):
        raise PermissionDenied
    if not feedback.answer_pending_review or feedback.is_answered:
        raise FeedbackRefused(_("Aucune réponse n'attend de relecture pour ce retour."))
    if feedback.answered_by_id == by.pk:
        raise FeedbackRefused(
            _("Une réponse gardée pour relecture est publiée par un autre responsable.")
        )
    with transaction.atomic():
        _claim(feedback, expected_version)
        _publish(feedback, by=by, now=now)
        record(
            Action.FEEDBACK_ANSWERED,
            actor=by,
            target=feedback,
            details={"disposition": feedback.disposition, "published": True},
        )


def _publish(feedback: Feedback, *, by, now: datetime) -> None:
    feedback.status = Feedback.Status.ANSWERED
    feedback.answer_published_at = now
    feedback.answer_published_by = by
    feedback.save()
    # The topic may become "arbitré": dashboard, topics list, topic page.
    invalidate_decision_pages()
    _notify(
        feedback,
        kind=Notification.Kind.FEEDBACK_ANSWERED,
        actor=by,
        data=_summary(feedback, comment=feedback.answer_text),
    )


@dataclass
class BulkAnswer:
    feedback: Feedback
    version: int
    data: AnswerInput


def answer_many(items: Sequence[BulkAnswer], *, by, now=None) -> None:
    """Several answers, each with its own text: all of them or none."""
    with transaction.atomic():
        for item in items:
            answer(item.feedback, by=by, data=item.data, expected_version=item.version, now=now)


def reopen(feedback: Feedback, *, by, expected_version: int):
    """A lead reopens the decisions a flagged feedback bears on: a new draft
    decision ("instruction en cours") for the SONS concerned, recorded
    through arbitrations.services."""
    from arbitrations.services import DecisionInput, current_by_sons, record_decision, snapshot

    if not may_answer_feedback(by) or feedback.is_draft or feedback.is_answered:
        raise PermissionDenied
    if feedback.reopened_decision_id:
        raise FeedbackRefused(_("L'arbitrage a déjà été rouvert pour ce retour."))
    requirements = list(feedback.requirements.all())
    sons = list(feedback.sons.all())
    decided = decided_subjects(feedback.topic, requirements, sons)
    if not decided:
        raise FeedbackRefused(_("Aucun arbitrage publié à rouvrir pour ce retour."))
    with transaction.atomic():
        _claim(feedback, expected_version)
        created = None
        for arbitration in decided:
            subject = arbitration.subject
            covered = [s for s in arbitration.sons.all() if not sons or s in sons]
            if not may_decide(by, covered):
                raise PermissionDenied
            current = current_by_sons(subject, by)
            outcome = record_decision(
                by=by,
                subject=subject,
                sons=covered,
                data=DecisionInput(
                    decision=Arbitration.Decision.UNDER_INSTRUCTION,
                    comment=_("Réexamen à la suite du retour n°%(number)s.")
                    % {"number": feedback.pk},
                ),
                base=snapshot(current, [s.pk for s in covered]),
            )
            created = created or outcome.arbitration
        feedback.reopened_decision = created
        feedback.status = Feedback.Status.UNDER_REVIEW
        feedback.save()
    return created


# --- Feedback windows --------------------------------------------------------------


def set_window(topic: Topic, *, by, opens_at, closes_at) -> None:
    """A lead opens, moves or closes a topic's feedback window; its reminders
    follow in the same transaction."""
    if not may_answer_feedback(by):
        raise PermissionDenied
    with transaction.atomic():
        topic.feedback_opens_at = opens_at
        topic.feedback_closes_at = closes_at
        topic.save(update_fields=["feedback_opens_at", "feedback_closes_at"])
        plan_feedback_windows([topic])


def perimeter_sons(requirements: Sequence[Requirement]) -> set[int]:
    return set(
        RequirementSons.objects.filter(requirement__in=requirements).values_list(
            "sons_id", flat=True
        )
    )
