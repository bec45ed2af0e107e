from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    """The requirement catalogue: search, exports, the import of the
    authority's spreadsheets, version comparisons."""

    name = "catalogue"
    verbose_name = _("Catalogue des exigences")
