from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEvent, Invitation, Organisation, TaskForce, TaskForceLead, User


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

    def save_model(self, request, obj, form, change):
        old = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if old is None:
            return
        if old.role != obj.role:
            details = {"from": old.role, "to": obj.role, "via": "admin"}
            audit.record(audit.Action.ROLE_CHANGED, request=request, subject=obj, details=details)
        if old.organisation_id != obj.organisation_id:
            details = {"from": str(old.organisation or ""), "to": str(obj.organisation or "")}
            audit.record(
                audit.Action.ORGANISATION_CHANGED, request=request, subject=obj, details=details
            )
        if (old.is_staff, old.is_superuser) != (obj.is_staff, obj.is_superuser):
            details = {"is_staff": obj.is_staff, "is_superuser": obj.is_superuser}
            audit.record(audit.Action.ROLE_CHANGED, request=request, subject=obj, details=details)


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


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "organisation", "invited_by", "created_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False  # invitations go through the portal's page, which e-mails the link


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "action", "actor_email", "subject", "target_label", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_email", "target_label", "ip_address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Second factors are reset from the person's page (logged, the person told),
# and their secrets are not for display: no admin page for allauth's model.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)
