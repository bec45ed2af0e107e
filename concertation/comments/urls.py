"""Comment threads, moderation and internal notes (comment_views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("commentaires/moderation/", views.comment_moderation, name="comment_moderation"),
    path("commentaires/<int:pk>/repondre/", views.comment_reply, name="comment_reply"),
    path("commentaires/<int:pk>/modifier/", views.comment_edit, name="comment_edit"),
    path("commentaires/<int:pk>/corriger/", views.comment_correct, name="comment_correct"),
    path("commentaires/<int:pk>/masquer/", views.comment_hide, name="comment_hide"),
    path("commentaires/<int:pk>/signaler/", views.comment_report, name="comment_report"),
    path(
        "commentaires/<int:pk>/classer/",
        views.comment_dismiss_reports,
        name="comment_dismiss_reports",
    ),
    # The subject's key is the last part (requirement references hold slashes).
    path("commentaires/publier/<slug:kind>/<path:key>", views.comment_post, name="comment_post"),
    path("commentaires/<slug:kind>/<path:key>", views.comment_thread, name="comment_thread"),
    path("notes-internes/<path:reference>", views.internal_notes, name="internal_notes"),
]
