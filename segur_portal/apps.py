from django.apps import AppConfig


class SegurPortalConfig(AppConfig):
    """The top of the stack: dashboard, site-wide pages, demo data commands."""

    name = "segur_portal"
    verbose_name = "Portail"

    def ready(self) -> None:
        from core import sections

        # "Mon compte" links the site's privacy page (accounts names no page of ours).
        sections.register(
            sections.Section(
                "accounts.profile",
                "data_links",
                "privacy",
                "segur_portal/sections/privacy_link.html",
            )
        )
