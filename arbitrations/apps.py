from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbitrationsConfig(AppConfig):
    name = "arbitrations"
    verbose_name = _("Arbitrages")

    def ready(self) -> None:
        from accounts.services import register_personal_data

        from . import comments

        # A person's data export (RGPD) lists what they wrote.
        register_personal_data("comments", comments.personal_comments)
        register_personal_data("comment_reports", comments.personal_reports)
        register_personal_data("internal_notes", comments.personal_notes)
