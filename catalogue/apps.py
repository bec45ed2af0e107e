from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    """The requirement catalogue: search, exports, the import of the
    authority's spreadsheets, version comparisons."""

    name = "catalogue"
    verbose_name = _("Catalogue des exigences")

    def ready(self) -> None:
        from django.urls import reverse

        from notifications import subjects

        from . import sections

        sections.register()
        # A SONS is followed for the decisions and statement changes that
        # concern it; its page is the catalogue filtered on it.
        subjects.register(
            subjects.SubjectType(
                "topics.sons",
                _("SONS"),
                _("SONS"),
                name=lambda sons: f"{sons.code} — {sons.name}",
                url=lambda sons: f"{reverse('requirement_list')}?sons={sons.code}",
                listed_apart=True,
                apart_help=_(
                    "Suivre un SONS, c’est être informé des arbitrages et des changements "
                    "d’énoncé qui le concernent."
                ),
                apart_caption=_("Les SONS et leur suivi"),
            )
        )
