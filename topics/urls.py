from django.urls import path

from . import views

urlpatterns = [
    path("documents/", views.documents, name="documents"),
    path("contacts/", views.contacts, name="contacts"),
    path("organisations/<slug:slug>/sons/", views.editor_sons, name="editor_sons"),
]
