from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path(
        "notifications/<int:pk>/lue/", views.notification_mark_read, name="notification_mark_read"
    ),
    path(
        "notifications/tout-lu/",
        views.notification_mark_all_read,
        name="notification_mark_all_read",
    ),
    path("notifications/courriels/", views.email_preferences, name="email_preferences"),
    # RFC 8058 one-click unsubscribe: signed token, no login, no CSRF token.
    path("notifications/desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("suivis/", views.follow_list, name="follow_list"),
    path("suivis/suivre/", views.follow_subject, name="follow"),
    path("suivis/ne-plus-suivre/", views.unfollow_subject, name="unfollow"),
]
