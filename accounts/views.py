"""Organisations, invitations, people, and each person's own account pages."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import sections
from core.htmx import render_page

from . import access, services
from .access import get_organisation, get_person
from .forms import (
    AcceptInvitationForm,
    CloseAccountForm,
    InvitationForm,
    OrganisationForm,
    PersonForm,
    ProfileForm,
)
from .models import AuditEvent, Invitation, Organisation
from .security import totp_authenticator

# --- Organisations ------------------------------------------------------------------


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    access.require(access.may_manage_organisations(request.user))
    selected = {key: request.GET.get(key, "").strip() for key in ("q", "type")}
    organisations = Organisation.objects.annotate(
        member_count=Count("members", filter=Q(members__closed_at=None), distinct=True)
    ).prefetch_related("federations", "member_editors")
    organisations = sections.prefetch_columns("accounts.organisation_list", organisations)
    if selected["q"]:
        organisations = organisations.filter(name__icontains=selected["q"])
    if selected["type"] in Organisation.Kind.values:
        organisations = organisations.filter(kind=selected["type"])
    page = Paginator(organisations.order_by("name"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "selected": selected,
        "kind_choices": Organisation.Kind.choices,
        "columns": sections.columns("accounts.organisation_list"),
    }
    return render_page(request, "accounts/organisation_list.html", context, partial="results")


@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    access.require(access.may_manage_organisations(request.user))
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        organisation = services.save_organisation(form, by=request.user, request=request)
        messages.success(request, _("Organisation « %s » créée.") % organisation.name)
        return redirect("organisation_detail", slug=organisation.slug)
    status = 400 if form.errors else 200
    return render(request, "accounts/organisation_form.html", {"form": form}, status=status)


@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation(request.user, slug)
    members = organisation.members.filter(closed_at=None).order_by("family_name", "given_name")
    context = {
        "organisation": organisation,
        "members": members,
        "federations": organisation.federations.all(),
        "member_editors": organisation.member_editors.all(),
        "invitations": organisation.invitations.pending().select_related("invited_by")
        if access.may_manage_organisations(request.user)
        else [],
        "can_manage": access.may_manage_organisations(request.user),
    }
    return render(request, "accounts/organisation_detail.html", context)


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(access.may_manage_organisations(request.user))
    organisation = get_object_or_404(Organisation, slug=slug)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        organisation = services.save_organisation(form, by=request.user, request=request)
        messages.success(request, _("Organisation « %s » enregistrée.") % organisation.name)
        return redirect("organisation_detail", slug=organisation.slug)
    status = 400 if form.errors else 200
    context = {"form": form, "organisation": organisation}
    return render(request, "accounts/organisation_form.html", context, status=status)


# --- People ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone's account as the authority sees it; admins change role,
    organisation and access here."""
    person = get_person(request.user, pk)
    can_edit = access.may_manage_roles(request.user) and not person.is_closed
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = (
        PersonForm(request.POST if request.method == "POST" else None, instance=person)
        if can_edit
        else None
    )
    if request.method == "POST" and form.is_valid():
        services.change_person(form, by=request.user, request=request)
        messages.success(request, _("Compte de %s enregistré.") % person)
        return redirect("person_detail", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "has_totp": totp_authenticator(person) is not None,
        # The audit log is for admins.
        "events": AuditEvent.objects.filter(Q(subject=person) | Q(actor=person)).order_by(
            "-at", "-pk"
        )[:20]
        if access.may_read_audit_log(request.user)
        else None,
    }
    return render(
        request, "accounts/person_detail.html", context, status=400 if form and form.errors else 200
    )


@require_POST
def person_reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    """After the loss or theft of a second factor (SC.SSI/IE.35)."""
    access.require(access.may_manage_roles(request.user))
    person = get_person(request.user, pk)
    removed = services.reset_mfa(person, by=request.user, request=request)
    if removed:
        messages.success(request, _("Le second facteur de %s est désactivé.") % person)
    else:
        messages.info(request, _("%s n'avait pas de second facteur.") % person)
    return redirect("person_detail", pk=person.pk)


# --- Invitations ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    access.require(access.may_manage_organisations(request.user))
    initial = {}
    if slug := request.GET.get("organisation"):
        initial["organisation"] = Organisation.objects.filter(slug=slug).first()
    form = InvitationForm(
        request.POST if request.method == "POST" else None, inviter=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        invitation, _token = services.invite(form, by=request.user, request=request)
        messages.success(request, _("Invitation envoyée à %s.") % invitation.email)
        return redirect("invitation_list")
    invitations = Invitation.objects.select_related("organisation", "invited_by", "task_force")
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "valid_days": settings.INVITATION_VALID_DAYS}
    return render(
        request, "accounts/invitation_list.html", context, status=400 if form.errors else 200
    )


@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(access.may_manage_organisations(request.user))
    invitation = get_object_or_404(Invitation, pk=pk)
    services.revoke_invitation(invitation, by=request.user, request=request)
    messages.success(request, _("Invitation à %s révoquée.") % invitation.email)
    return redirect("invitation_list")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None or not invitation.is_pending:
        return render(
            request, "accounts/invitation_invalid.html", {"invitation": invitation}, status=404
        )
    if request.user.is_authenticated:
        # Someone else's session: the new account must not be mixed with it.
        logout(request)
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None, invitation=invitation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(invitation, form.cleaned_data, request=request)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            done = _(
                "Votre compte est créé. Connectez-vous avec votre adresse et votre mot de passe."
            )
            messages.success(request, done)
            return redirect("account_login")
    context = {"invitation": invitation, "form": form}
    return render(
        request, "accounts/invitation_accept.html", context, status=400 if form.errors else 200
    )


# --- My account -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        changed = form.changed_data
        form.save()
        if changed:
            from . import audit

            audit.record(
                audit.Action.PROFILE_CHANGED,
                request=request,
                subject=user,
                details={"fields": changed},
            )
        messages.success(request, _("Votre profil est enregistré."))
        return redirect("profile")
    context = {"form": form, "has_totp": totp_authenticator(user) is not None}
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Download everything the portal holds about me, as JSON."""
    from . import audit

    data = services.personal_data(request.user)
    audit.record(audit.Action.DATA_EXPORTED, request=request, subject=request.user)
    # Escaped like json_script: the file is safe even if something renders it as HTML.
    body = json.dumps(data, ensure_ascii=False, indent=2)
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{stamp}.json"'
    return response


@reauthentication_required
@require_http_methods(["GET", "POST"])
def close_account(request: HttpRequest) -> HttpResponse:
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_account(request.user, request=request)
        except services.CannotClose as error:
            messages.error(request, str(error))
        else:
            logout(request)
            messages.success(
                request, _("Votre compte est clos et vos données personnelles effacées.")
            )
            return redirect("account_login")
    return render(
        request, "accounts/close_account.html", {"form": form}, status=400 if form.errors else 200
    )


# --- Audit log ----------------------------------------------------------------------------


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    access.require(access.may_read_audit_log(request.user))
    selected = {key: request.GET.get(key, "").strip() for key in ("q", "action")}
    events = AuditEvent.objects.select_related("actor", "subject", "organisation")
    if selected["action"] in AuditEvent.Action.values:
        events = events.filter(action=selected["action"])
    if selected["q"]:
        q = selected["q"]
        events = events.filter(
            Q(actor_email__icontains=q)
            | Q(subject__email__icontains=q)
            | Q(target_label__icontains=q)
            | Q(ip_address__startswith=q)
        )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "selected": selected,
        "action_choices": AuditEvent.Action.choices,
        "retention_days": settings.AUDIT_LOG_RETENTION_DAYS,
    }
    return render_page(request, "accounts/audit_log.html", context, partial="results")
