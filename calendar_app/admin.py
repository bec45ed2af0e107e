"""Admins set which SONS each audience covers (the personal feed reads it).
Events are edited in the portal, not here: their changes go through
calendar_app.services (SEQUENCE, history, and later the reminders)."""

from django.contrib import admin

from .models import Audience


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["label", "code"]
    filter_horizontal = ["sons"]
