from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarAppConfig(AppConfig):
    name = "calendar_app"
    verbose_name = _("Calendrier")

    def ready(self) -> None:
        from notifications import emails, reminders
        from notifications.models import Delivery, Notification

        from . import caching, reminder_emails

        caching.connect()

        # What the calendar's reminders say, written when the outbox sends them.
        reminders.register(Delivery.Kind.EVENT_REMINDER, reminder_emails.event_reminder)
        reminders.register(Delivery.Kind.QUESTIONS_REMINDER, reminder_emails.questions_reminder)
        reminders.register(Delivery.Kind.FEEDBACK_REMINDER, reminder_emails.feedback_reminder)
        # A moved, cancelled or reinstated event's e-mail carries its updated .ics.
        emails.register_attachments(
            Notification.Kind.EVENT_CHANGED, reminder_emails.changed_events_ics
        )
