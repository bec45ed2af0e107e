"""In-app notifications, follows and e-mail preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import render_page
from core.http import safe_next

from . import services
from . import subjects as registry
from .emails import user_id_from_token
from .forms import HINTS, EmailPreferenceForm
from .models import EmailPreference, Follow, Notification

PAGE_SIZE = 30


def get_notification(request: HttpRequest, pk: int) -> Notification:
    """One of the signed-in person's notifications; anyone else's is a 404."""
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


def _next_url(request: HttpRequest, default: str) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("filtre") == "non-lues"
    notifications = Notification.objects.for_user(request.user)
    if unread_only:
        notifications = notifications.unread()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": unread_only}
    return render_page(request, "notifications/notification_list.html", context, partial="results")


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link: it is read once opened."""
    notification = get_notification(request, pk)
    services.mark_read(request.user, [notification.pk])
    return redirect(safe_next(request, notification.subject_url, "notification_list"))


@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification(request, pk)
    services.mark_read(request.user, [notification.pk])
    if request.htmx:
        notification.refresh_from_db()
        context = {"notification": notification, "oob_header": True}
        return render(request, "notifications/includes/notification_item.html", context)
    return redirect(_next_url(request, "notification_list"))


@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(request.user)
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect(_next_url(request, "notification_list"))


def _follow_groups(user) -> tuple[list[dict], set[str]]:
    follows = list(
        Follow.objects.filter(user=user).select_related("subject_type").prefetch_related("subject")
    )
    groups: dict[str, dict] = {
        label: {"type": subject_type, "rows": []}
        for label, subject_type in registry.REGISTRY.items()
    }
    refs = set()
    for follow in follows:
        subject = follow.subject
        label = f"{follow.subject_type.app_label}.{follow.subject_type.model}"
        if subject is None or label not in groups:
            continue  # the subject was deleted
        subject_type = groups[label]["type"]
        ref = registry.subject_ref(subject)
        refs.add(ref)
        groups[label]["rows"].append(
            {
                "follow": follow,
                "ref": ref,
                "name": subject_type.name(subject),
                "url": subject_type.url(subject),
            }
        )
    for group in groups.values():
        group["rows"].sort(key=lambda row: row["name"])
    return [group for group in groups.values() if group["rows"]], refs


@require_GET
def follow_list(request: HttpRequest) -> HttpResponse:
    groups, refs = _follow_groups(request.user)
    # Short closed lists (the SONS) are listed apart, all of them, each with its button.
    apart = [
        {
            "type": subject_type,
            "rows": [
                {
                    "ref": registry.subject_ref(subject),
                    "name": subject_type.name(subject),
                    "following": registry.subject_ref(subject) in refs,
                }
                for subject in subject_type.model.objects.all()
            ],
        }
        for subject_type in registry.listed_apart()
    ]
    context = {
        "groups": [group for group in groups if not group["type"].listed_apart],
        "apart": apart,
        "frequency": services.email_frequency(request.user),
        "frequency_choices": dict(EmailPreference.Frequency.choices),
    }
    return render_page(request, "notifications/follow_list.html", context)


def _toggle(request: HttpRequest, *, following: bool) -> HttpResponse:
    subject = registry.resolve(request.POST.get("subject", ""))
    subject_type = registry.subject_type_of(subject)
    readable = subject_type.readable(request.user, subject)
    if following and not readable:
        raise Http404("No such subject")
    # Leaving what one may no longer read is allowed, without learning its name.
    name = subject_type.name(subject) if readable else subject_type.verbose_name
    if following:
        services.follow(request.user, subject)
        announce = _("Vous suivez désormais %(name)s.") % {"name": name}
    else:
        services.unfollow(request.user, subject)
        announce = _("Vous ne suivez plus %(name)s.") % {"name": name}
    if request.htmx:
        context = {
            "ref": registry.subject_ref(subject),
            "name": name,
            "following": following,
            "next": _next_url(request, ""),
            "announce": announce,
        }
        return render(request, "notifications/includes/follow_button.html", context)
    messages.success(request, announce)
    return redirect(_next_url(request, "follow_list"))


@require_POST
def follow_subject(request: HttpRequest) -> HttpResponse:
    return _toggle(request, following=True)


@require_POST
def unfollow_subject(request: HttpRequest) -> HttpResponse:
    return _toggle(request, following=False)


@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    current = services.email_frequency(request.user)
    form = EmailPreferenceForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        services.set_email_frequency(request.user, form.cleaned_data["frequency"])
        messages.success(request, _("Vos préférences de courriel sont enregistrées."))
        return redirect("email_preferences")
    return render(
        request,
        "notifications/email_preferences.html",
        {"form": form, "hints": HINTS},
        status=400 if form.is_bound else 200,
    )


@csrf_exempt  # RFC 8058: the mail client POSTs without a session; the token is the proof
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe. GET shows a confirmation button (link scanners
    must not unsubscribe anyone); POST — from that button or straight from
    the mail client (``List-Unsubscribe=One-Click``) — stops the e-mails."""
    user_id = user_id_from_token(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.set_email_frequency(user, EmailPreference.Frequency.NONE)
        done = True
    context = {"done": done, "token": token, "email": user.email}
    return render(request, "notifications/unsubscribe.html", context)
