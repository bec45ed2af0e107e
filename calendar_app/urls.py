from django.urls import path

from . import editing, feeds, participation, views

urlpatterns = [
    path("calendrier/", views.calendar_list, name="calendar"),
    path("calendrier/semaines/", views.calendar_grid, name="calendar_grid"),
    path("calendrier/mois/", views.calendar_month, name="calendar_month"),
    path("calendrier/nouveau/", editing.event_create, name="event_create"),
    path("calendrier/questions/", views.question_search, name="question_search"),
    path(
        "calendrier/questions/<int:pk>/soutien/", participation.question_vote, name="question_vote"
    ),
    path(
        "calendrier/questions/<int:pk>/reponse/",
        participation.question_answer,
        name="question_answer",
    ),
    path("calendrier/abonnement/", feeds.feed_settings, name="calendar_feeds"),
    path("calendrier/abonnement/nouvelle-adresse/", feeds.feed_renew, name="calendar_feed_renew"),
    path("calendrier/abonnement/supprimer/", feeds.feed_revoke, name="calendar_feed_revoke"),
    path("calendrier/ical/<str:token>.ics", feeds.personal_feed, name="calendar_feed"),
    path(
        "calendrier/ical/<str:token>/sujets/<str:key>.ics",
        feeds.topic_feed,
        name="calendar_topic_feed",
    ),
    path("calendrier/<slug:slug>.ics", feeds.event_ics, name="event_ics"),
    path("calendrier/<slug:slug>/", views.event_detail, name="event_detail"),
    path("calendrier/<slug:slug>/historique/", views.event_history, name="event_history"),
    path("calendrier/<slug:slug>/modifier/", editing.event_edit, name="event_edit"),
    path("calendrier/<slug:slug>/annuler/", editing.event_cancel, name="event_cancel"),
    path("calendrier/<slug:slug>/retablir/", editing.event_reinstate, name="event_reinstate"),
    path("calendrier/<slug:slug>/ordre-du-jour/", editing.event_agenda, name="event_agenda"),
    path("calendrier/<slug:slug>/documents/", editing.document_upload, name="document_upload"),
    path(
        "calendrier/<slug:slug>/documents/<int:pk>/",
        editing.document_download,
        name="document_download",
    ),
    path(
        "calendrier/<slug:slug>/documents/<int:pk>/retirer/",
        editing.document_delete,
        name="document_delete",
    ),
    path("calendrier/<slug:slug>/inscription/", participation.register, name="event_register"),
    path(
        "calendrier/<slug:slug>/desinscription/",
        participation.unregister,
        name="event_unregister",
    ),
    path("calendrier/<slug:slug>/questions/", participation.question_ask, name="question_ask"),
]
