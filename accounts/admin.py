from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, TaskForce, TaskForceLead, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["family_name", "given_name"]
    list_display = ["email", "given_name", "family_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["email", "family_name", "given_name", "rpps", "private_identifier"]
    list_select_related = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Identité (SC.SSI/IE.33)"),
            {"fields": ["family_name", "given_name", "profession", "rpps", "private_identifier"]},
        ),
        (_("Rôle"), {"fields": ["role", "organisation", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "family_name",
                    "given_name",
                    "role",
                    "organisation",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["federations"]


class TaskForceLeadInline(admin.TabularInline):
    model = TaskForceLead
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(TaskForce)
class TaskForceAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TaskForceLeadInline]
