from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbitrationsConfig(AppConfig):
    name = "arbitrations"
    verbose_name = _("Arbitrages")

    def ready(self) -> None:
        from . import caching

        caching.connect()

        from accounts.services import register_personal_data

        from . import comments

        # A person's data export (RGPD) lists what they wrote.
        register_personal_data("comments", comments.personal_comments)
        register_personal_data("comment_reports", comments.personal_reports)
        register_personal_data("internal_notes", comments.personal_notes)

        from calendar_app.reminders import provide_feedback_windows
        from notifications import subjects

        from .feedback.models import Feedback
        from .feedback.services import open_windows
        from .feedback.summary import register_comments

        # A feedback can be followed: its filers, co-signers and the leads
        # hear of its co-signatures and its answer. Its parents are none: a
        # follower of the requirement must not hear of a feedback they may
        # not see (services._notify checks who may).
        subjects.register(
            subjects.SubjectType(
                "arbitrations.feedback",
                _("Retour argumenté"),
                _("Retours argumentés"),
                name=lambda feedback: f"{feedback} — {feedback.topic.label}",
                url=lambda feedback: reverse_feedback(feedback),
                topic=lambda feedback: feedback.topic,
                readable=Feedback.is_visible_to_reader,
            )
        )
        provide_feedback_windows(open_windows)
        register_comments()


def reverse_feedback(feedback) -> str:
    from django.urls import reverse

    return reverse("feedback_detail", args=[feedback.pk])
