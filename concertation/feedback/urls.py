from django.urls import path

from . import views

urlpatterns = [
    path("retours/", views.feedback_inbox, name="feedback_inbox"),
    path("retours/nouveau/", views.feedback_new, name="feedback_new"),
    path("retours/repondre/", views.feedback_inbox_answer, name="feedback_inbox_answer"),
    path("retours/synthese.xlsx", views.feedback_export, name="feedback_export"),
    path("retours/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("retours/<int:pk>/modifier/", views.feedback_edit, name="feedback_edit"),
    path("retours/<int:pk>/deposer/", views.feedback_file, name="feedback_file"),
    path("retours/<int:pk>/cosigner/", views.feedback_cosign, name="feedback_cosign"),
    path("retours/<int:pk>/inviter/", views.feedback_invite, name="feedback_invite"),
    path("retours/<int:pk>/attribuer/", views.feedback_assign, name="feedback_assign"),
    path("retours/<int:pk>/repondre/", views.feedback_answer, name="feedback_answer"),
    path(
        "retours/<int:pk>/publier-reponse/",
        views.feedback_publish_answer,
        name="feedback_publish_answer",
    ),
    path("retours/<int:pk>/rouvrir/", views.feedback_reopen, name="feedback_reopen"),
    path(
        "retours/<int:pk>/pieces-jointes/<int:attachment>/",
        views.feedback_attachment,
        name="feedback_attachment",
    ),
    path("mes-retours/", views.my_feedback, name="my_feedback"),
    path(
        "sujets/<str:key>/fenetre-retours/",
        views.topic_feedback_window,
        name="topic_feedback_window",
    ),
]
