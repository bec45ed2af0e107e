from django.urls import path

from . import views

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
    path("exigences/diff/<path:reference>", views.requirement_diff, name="requirement_diff"),
]
