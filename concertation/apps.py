from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcertationConfig(AppConfig):
    """Comments on requirements, topics and feedback, their moderation and
    the leads' internal notes; the federations' argued feedback and the
    authority's answers."""

    name = "concertation"
    verbose_name = _("Concertation")

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from arbitrations.decisions import register_open_work
        from calendar_app.reminders import register_planner
        from notifications import reminders, subjects
        from notifications.models import Delivery

        from . import caching, sections
        from .comments import services as comments
        from .feedback import reminders as feedback_reminders
        from .feedback.models import Feedback
        from .feedback.services import topics_awaiting_answers
        from .feedback.summary import register_comments

        caching.connect()
        sections.register()
        # A person's data export (RGPD) lists what they wrote.
        register_personal_data("comments", comments.personal_comments)
        register_personal_data("comment_reports", comments.personal_reports)
        register_personal_data("internal_notes", comments.personal_notes)
        # A topic is "arbitré" once every feedback filed on it is answered.
        register_open_work(topics_awaiting_answers)
        # A feedback can be followed: its filers, co-signers and the leads
        # hear of its co-signatures and its answer. Its parents are none: a
        # follower of the requirement must not hear of a feedback they may
        # not see (services._notify checks who may).
        subjects.register(
            subjects.SubjectType(
                "concertation.feedback",
                _("Retour argumenté"),
                _("Retours argumentés"),
                name=lambda feedback: f"{feedback} — {feedback.topic.label}",
                url=lambda feedback: reverse_feedback(feedback),
                topic=lambda feedback: feedback.topic,
                readable=Feedback.is_visible_to_reader,
            )
        )
        # Before a topic's feedback window closes (the calendar's beat task
        # re-plans them with its own).
        register_planner(Delivery.Kind.FEEDBACK_REMINDER, feedback_reminders.plan_feedback_windows)
        reminders.register(Delivery.Kind.FEEDBACK_REMINDER, feedback_reminders.feedback_reminder)
        register_comments()
        # The vendors' comments of the authority's test-management tool come
        # in through the catalogue's import page (catalogue.kinds).
        from catalogue import kinds

        from .comments import vendor_import

        kinds.register(
            kinds.ImportKind(
                name="vendor_comments",
                label=vendor_import.LABEL,
                layout=vendor_import.LAYOUT,
                run=vendor_import.run,
                order=10,
            )
        )


def reverse_feedback(feedback) -> str:
    from django.urls import reverse

    return reverse("feedback_detail", args=[feedback.pk])
