from django.urls import include, path

urlpatterns = [
    # Argued feedback.
    path("", include("concertation.feedback.urls")),
    # Comments, their moderation and the leads' internal notes.
    path("", include("concertation.comments.urls")),
]
