from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Follows, notifications, e-mail delivery. The apps above register what
    can be followed and produce the news (notifications.subjects,
    notifications.services.notify) from their own ready()."""

    name = "notifications"
    verbose_name = _("Notifications et envois")
