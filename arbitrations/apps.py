from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbitrationsConfig(AppConfig):
    name = "arbitrations"
    verbose_name = _("Arbitrages")

    def ready(self) -> None:
        from . import caching

        caching.connect()
