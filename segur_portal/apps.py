from django.apps import AppConfig


class SegurPortalConfig(AppConfig):
    """The top of the stack: dashboard, site-wide pages, demo data commands."""

    name = "segur_portal"
    verbose_name = "Portail"
