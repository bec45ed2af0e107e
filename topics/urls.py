from django.urls import path

from . import views

urlpatterns = [
    path("sujets/<str:key>/", views.topic_detail, name="topic_detail"),
    # References hold slashes (SC.DMP/ALI/PROG.02): always the last part of
    # the path; the catalogue's own "exigences/…" addresses come first
    # (segur_portal/urls.py).
    path("exigences/<path:reference>", views.requirement_detail, name="requirement_detail"),
    path("documents/", views.documents, name="documents"),
    path("contacts/", views.contacts, name="contacts"),
    path("organisations/<slug:slug>/sons/", views.editor_sons, name="editor_sons"),
]
