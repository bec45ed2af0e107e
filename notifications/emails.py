"""The e-mails the outbox sends: HTML and text, in the recipient's language,
with a Message-ID derived from what they deliver and a one-click unsubscribe
(RFC 8058)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from . import reminders
from .models import Delivery, EmailPreference, Notification
from .schedule import NOTIFICATION_KINDS

UNSUBSCRIBE_SALT = "notifications.unsubscribe"

# What an app above attaches to the e-mails of its notifications (the
# calendar: a moved or cancelled event's updated .ics), registered from its
# AppConfig.ready(): attacher(notifications of that kind) → [(file name,
# content, MIME type)], called at send time in the recipient's language.
Attachment = tuple[str, bytes, str]
ATTACHERS: dict[str, Callable[[list[Notification]], list[Attachment]]] = {}


def register_attachments(
    kind: str, attacher: Callable[[list[Notification]], list[Attachment]]
) -> None:
    if kind not in Notification.Kind.values:
        raise ValueError(f"{kind!r} is not a kind of notification (Notification.Kind)")
    ATTACHERS[kind] = attacher


def unsubscribe_token(user) -> str:
    """A signed token naming the person: the unsubscribe link works without a
    login (from a mail client), and nobody can forge one for someone else."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_id_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user_id = value.get("u") if isinstance(value, dict) else None
    return user_id if isinstance(user_id, int) else None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def message_id(delivery: Delivery, notifications: list[Notification]) -> str:
    """The same delivery of the same items always has the same Message-ID, so a
    mail client (and a test) recognises a duplicate."""
    parts = [
        str(delivery.pk),
        delivery.kind,
        delivery.recipient.email,
        delivery.due_at.isoformat(),
        *(str(n.pk) for n in notifications),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox.{delivery.pk}.{digest}@{domain}>"


@dataclass
class Group:
    """The items of one topic (or of no topic), in the order they happened."""

    name: str
    url: str
    items: list[Notification] = field(default_factory=list)


def group_by_topic(notifications: list[Notification]) -> list[Group]:
    groups: dict[str, Group] = {}
    for notification in notifications:
        topic = notification.data.get("topic") or {}
        key = topic.get("ref", "")
        if key not in groups:
            name = topic.get("name") or gettext("Autres sujets suivis")
            url = absolute(topic["url"]) if topic.get("url") else ""
            groups[key] = Group(name, url)
        groups[key].items.append(notification)
    # Topics first, in the order they appear; what has no topic last.
    return sorted(groups.values(), key=lambda group: not group.url)


def _subject_line(delivery: Delivery, notifications: list[Notification]) -> str:
    count = len(notifications)
    if delivery.kind == Delivery.Kind.DAILY_DIGEST:
        text = ngettext(
            "Résumé du jour : %(count)s nouveauté",
            "Résumé du jour : %(count)s nouveautés",
            count,
        ) % {"count": count}
    elif delivery.kind == Delivery.Kind.WEEKLY_DIGEST:
        text = ngettext(
            "Résumé de la semaine : %(count)s nouveauté",
            "Résumé de la semaine : %(count)s nouveautés",
            count,
        ) % {"count": count}
    elif count == 1:
        text = notifications[0].title
    else:
        text = gettext("%(count)s nouveautés sur ce que vous suivez") % {"count": count}
    return text


def _common_context(recipient, delivery: Delivery) -> dict:
    """What every e-mail shows, in the active (the recipient's) language."""
    return {
        "recipient": recipient,
        "delivery": delivery,
        "site_url": settings.SITE_URL,
        "notifications_url": absolute(reverse("notification_list")),
        "preferences_url": absolute(reverse("email_preferences")),
        "follows_url": absolute(reverse("follow_list")),
        "unsubscribe_url": absolute(reverse("unsubscribe", args=[unsubscribe_token(recipient)])),
        "portal_name": settings.PORTAL_NAME,
        "language": recipient.language,
    }


def _envelope(
    recipient, *, subject: str, text: str, html: str, message_id: str, unsubscribe_url: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        to=[recipient.email],
        headers={
            "Message-ID": message_id,
            # RFC 8058: one click in the mail client unsubscribes, by POST.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no auto-reply to an automatic message.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build(delivery: Delivery) -> EmailMultiAlternatives | None:
    """The e-mail of an outbox row, or None when there is nothing to tell: the
    recipient left, chose no e-mail, or has read everything in the portal (a
    reminder: its writer says it no longer makes sense)."""
    recipient = delivery.recipient
    if not recipient.is_active or not recipient.email:
        return None
    preference = EmailPreference.objects.filter(user=recipient).first()
    if preference and preference.frequency == EmailPreference.Frequency.NONE:
        return None
    if delivery.kind not in NOTIFICATION_KINDS:
        return _build_reminder(delivery)
    # What was still unread at the first attempt: a resend says the same.
    notifications = list(
        delivery.notifications.filter(
            Q(read_at=None) | Q(read_at__gt=delivery.first_attempt_at or timezone.now())
        ).order_by("created_at", "pk")
    )
    if not notifications:
        return None
    with translation.override(recipient.language):
        context = {
            **_common_context(recipient, delivery),
            "groups": group_by_topic(notifications),
            "count": len(notifications),
            "is_digest": delivery.kind != Delivery.Kind.IMMEDIATE,
        }
        subject = _subject_line(delivery, notifications)
        text = render_to_string("notifications/email/notifications.txt", context)
        html = render_to_string("notifications/email/notifications.html", context)
        attachments = []
        for kind, attacher in ATTACHERS.items():
            of_kind = [n for n in notifications if n.kind == kind]
            if of_kind:
                attachments += attacher(of_kind)
    message = _envelope(
        recipient,
        subject=subject,
        text=text,
        html=html,
        message_id=message_id(delivery, notifications),
        unsubscribe_url=context["unsubscribe_url"],
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def _build_reminder(delivery: Delivery) -> EmailMultiAlternatives | None:
    write = reminders.writer_of(delivery.kind)
    if write is None:
        # A kind whose app registered no writer: a failure for admins to see.
        raise LookupError(f"No e-mail writer registered for {delivery.kind!r} reminders")
    recipient = delivery.recipient
    with translation.override(recipient.language):
        context = _common_context(recipient, delivery)
        reminder = write(delivery, context)
    if reminder is None:
        return None
    message = _envelope(
        recipient,
        subject=reminder.subject,
        text=reminder.text,
        html=reminder.html,
        message_id=message_id(delivery, []),
        unsubscribe_url=context["unsubscribe_url"],
    )
    for filename, content, mimetype in reminder.attachments:
        message.attach(filename, content, mimetype)
    return message
