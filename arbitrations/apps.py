from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbitrationsConfig(AppConfig):
    name = "arbitrations"
    verbose_name = _("Arbitrages")

    def ready(self) -> None:
        from . import caching, sections

        caching.connect()
        sections.register()

        from notifications import subjects

        # What a published decision says in a notification (kept on it).
        subjects.register_summary("arbitrations.arbitration", notification_summary)


def notification_summary(arbitration) -> dict:
    from django.utils import translation

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
