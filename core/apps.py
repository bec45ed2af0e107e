from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing shared by every app (htmx rendering, language, login); no models."""

    name = "core"
