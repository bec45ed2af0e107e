from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarAppConfig(AppConfig):
    name = "calendar_app"
    verbose_name = _("Calendrier")

    def ready(self) -> None:
        from django.urls import reverse

        from notifications import emails, reminders, subjects
        from notifications.models import Delivery, Notification

        from . import caching, reminder_emails, sections

        caching.connect()
        sections.register()
        subjects.register(
            subjects.SubjectType(
                "calendar_app.event",
                _("Événement"),
                _("Événements"),
                name=lambda event: event.title,
                url=lambda event: reverse("event_detail", args=[event.slug]),
            )
        )

        # What the calendar's reminders say, written when the outbox sends them.
        reminders.register(Delivery.Kind.EVENT_REMINDER, reminder_emails.event_reminder)
        reminders.register(Delivery.Kind.QUESTIONS_REMINDER, reminder_emails.questions_reminder)
        # A moved, cancelled or reinstated event's e-mail carries its updated .ics.
        emails.register_attachments(
            Notification.Kind.EVENT_CHANGED, reminder_emails.changed_events_ics
        )
