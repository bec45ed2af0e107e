"""The outbox for admins: what is pending, sent, failed — and a retry button."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import services
from .models import Delivery, EmailPreference, Follow, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the machinery: admins look, they do not edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # No "add" page at all, rather than one that answers 403.
        return [url for url in super().get_urls() if not (url.name or "").endswith("_add")]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "due_at",
        "kind",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "message_id"]
    list_select_related = ["recipient"]
    date_hierarchy = "due_at"
    actions = ["retry_selected"]
    readonly_fields = [
        "recipient",
        "kind",
        "subject_type",
        "subject_id",
        "due_at",
        "status",
        "available_at",
        "lease_token",
        "attempts",
        "first_attempt_at",
        "sent_at",
        "message_id",
        "last_error",
        "created_at",
    ]
    change_form_template = "admin/notifications/delivery/change_form.html"
    change_list_template = "admin/notifications/delivery/change_list.html"

    @admin.display(description=_("dernière erreur"))
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:80]

    @admin.action(description=_("Réessayer l'envoi des lignes en échec"))
    def retry_selected(self, request: HttpRequest, queryset) -> None:
        count = sum(services.retry(delivery) for delivery in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)s envoi remis en file : le prochain passage l'enverra.",
                "%(count)s envois remis en file : le prochain passage les enverra.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/retry/",
                self.admin_site.admin_view(require_POST(self.retry_view)),
                name="notifications_delivery_retry",
            ),
            *super().get_urls(),
        ]

    def retry_view(self, request: HttpRequest, pk: int):
        delivery = get_object_or_404(Delivery, pk=pk)
        if not self.has_view_permission(request, delivery):
            raise PermissionDenied
        if services.retry(delivery):
            self.message_user(
                request, _("Envoi remis en file : le prochain passage l'enverra."), messages.SUCCESS
            )
        else:
            self.message_user(
                request, _("Seul un envoi en échec peut être réessayé."), messages.ERROR
            )
        return HttpResponseRedirect(
            reverse("admin:notifications_delivery_change", args=[delivery.pk])
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        counts = dict(
            Delivery.objects.values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        status_counts = [(label, counts.get(value, 0)) for value, label in Delivery.Status.choices]
        extra_context = {**(extra_context or {}), "status_counts": status_counts}
        return super().changelist_view(request, extra_context)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "delivery"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "key"]
    list_select_related = ["recipient", "delivery"]
    date_hierarchy = "created_at"


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "subject_type", "subject_id", "reason", "created_at"]
    list_filter = ["subject_type", "reason"]
    search_fields = ["user__email"]
    list_select_related = ["user", "subject_type"]
    raw_id_fields = ["user"]


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "updated_at"]
    list_filter = ["frequency"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
