from django.urls import path, register_converter

from . import views


class OtherNameConverter:
    """A requirement's address under another name: a former name kept as an
    alias (topics.ReferenceAlias), or its reference written with blanks or a
    lower-case prefix ("SC.%C2%A0DMP/HISTO.06"). Matches nothing else, so
    that the requirement's own address reaches its page (arbitrations.urls)."""

    regex = ".+"

    def to_python(self, value: str):
        from topics.models import ReferenceAlias, Requirement
        from topics.references import normalise_reference

        written = value.rstrip("/")
        clean = normalise_reference(written)
        if clean and clean != written:
            found = Requirement.objects.filter(reference=clean).first()
        else:
            alias = (
                ReferenceAlias.objects.filter(reference=written, requirement__isnull=False)
                .select_related("requirement")
                .first()
            )
            found = alias.requirement if alias and alias.requirement.reference != written else None
        if found is None:
            raise ValueError(value)
        return found

    def to_url(self, value) -> str:
        return getattr(value, "reference", value)


register_converter(OtherNameConverter, "other_name")

# Before "exigences/<path:reference>", which would take any of these paths.
urlpatterns = [
    path("exigences/", views.requirement_list, name="requirement_list"),
    path("exigences/export.<str:fmt>", views.requirement_export, name="requirement_export"),
    path("exigences/sujet/", views.assign_topic, name="requirement_assign_topic"),
    path("exigences/import/", views.catalogue_import, name="catalogue_import"),
    path(
        "exigences/import/<int:pk>/", views.catalogue_import_detail, name="catalogue_import_detail"
    ),
    path(
        "exigences/import/<int:pk>/confirmer/",
        views.catalogue_import_confirm,
        name="catalogue_import_confirm",
    ),
    path(
        "exigences/import/<int:pk>/correspondances/",
        views.catalogue_import_matches,
        name="catalogue_import_matches",
    ),
    path("exigences/iterations/", views.iteration_compare, name="iteration_compare"),
    path(
        "exigences/iterations/export.<str:fmt>",
        views.iteration_compare_export,
        name="iteration_compare_export",
    ),
    path("exigences/diff/<path:reference>", views.requirement_diff, name="requirement_diff"),
    path("exigences/<other_name:reference>", views.requirement_alias, name="requirement_alias"),
]
