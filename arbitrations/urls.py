from django.urls import path

from . import views

urlpatterns = [
    path("sujets/", views.topic_list, name="topic_list"),
    path("sujets/<str:key>/", views.topic_detail, name="topic_detail"),
    path("exigences/", views.requirement_list, name="requirement_list"),
    # References hold slashes (SC.DMP/ALI/PROG.02): always the last part of the path.
    path("exigences/<path:reference>", views.requirement_detail, name="requirement_detail"),
]
