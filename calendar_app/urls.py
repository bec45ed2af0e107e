from django.urls import path

from . import views

urlpatterns = [
    path("calendrier/", views.calendar_list, name="calendar"),
    path("calendrier/semaines/", views.calendar_grid, name="calendar_grid"),
    path("calendrier/<slug:slug>/", views.event_detail, name="event_detail"),
]
