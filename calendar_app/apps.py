from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarAppConfig(AppConfig):
    name = "calendar_app"
    verbose_name = _("Calendrier")

    def ready(self) -> None:
        from notifications import reminders
        from notifications.models import Delivery

        from . import caching, reminder_emails

        caching.connect()

        # What the calendar's reminders say, written when the outbox sends them.
        reminders.register(Delivery.Kind.EVENT_REMINDER, reminder_emails.event_reminder)
        reminders.register(Delivery.Kind.QUESTIONS_REMINDER, reminder_emails.questions_reminder)
        reminders.register(Delivery.Kind.FEEDBACK_REMINDER, reminder_emails.feedback_reminder)
