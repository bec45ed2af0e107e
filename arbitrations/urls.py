from django.urls import path

from . import decision_views, my_decisions_views, record_views, views

urlpatterns = [
    path("sujets/", views.topic_list, name="topic_list"),
    path("sujets/<str:key>/arbitrer/", decision_views.decide_topic, name="decide_topic"),
    path("sujets/<str:key>/arbitrer-plusieurs/", decision_views.bulk_decide, name="bulk_decide"),
    path("sujets/<str:key>/releve/", record_views.topic_record, name="topic_record"),
    path("sujets/<str:key>/releve.pdf", record_views.topic_record_pdf, name="topic_record_pdf"),
    path("sujets/<str:key>/releve.xlsx", record_views.topic_record_xlsx, name="topic_record_xlsx"),
    path(
        "arbitrages/arbitrer/<path:reference>",
        decision_views.decide_requirement,
        name="decide_requirement",
    ),
    path("arbitrages/<int:pk>/publier/", decision_views.publish_one, name="publish_decision"),
    # A session's decisions: managed here, not in calendar_app (dependency direction).
    path(
        "calendrier/<slug:slug>/arbitrages/",
        decision_views.session_decisions,
        name="session_decisions",
    ),
    path(
        "calendrier/<slug:slug>/arbitrages/publier/",
        decision_views.session_publish,
        name="session_publish",
    ),
    path("calendrier/<slug:slug>/releve/", record_views.session_record, name="session_record"),
    path(
        "calendrier/<slug:slug>/releve.pdf",
        record_views.session_record_pdf,
        name="session_record_pdf",
    ),
    path(
        "calendrier/<slug:slug>/releve.xlsx",
        record_views.session_record_xlsx,
        name="session_record_xlsx",
    ),
    path(
        "calendrier/<slug:slug>/presentation/",
        record_views.session_presentation,
        name="session_presentation",
    ),
    path("mes-decisions/", my_decisions_views.my_decisions, name="my_decisions"),
    path("mes-decisions/tout-vu/", my_decisions_views.mark_all_seen, name="my_decisions_seen"),
    path(
        "mes-decisions/export.xlsx", my_decisions_views.my_decisions_xlsx, name="my_decisions_xlsx"
    ),
    path(
        "mes-decisions/flux/",
        my_decisions_views.feed_settings,
        name="my_decisions_feed_settings",
    ),
    path("mes-decisions/flux/<str:token>.atom", my_decisions_views.feed, name="my_decisions_feed"),
]
