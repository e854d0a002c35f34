"""The person's notifications (read/unread), their preferences, and the demo's outbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .kinds import Kind
from .models import Mail, Notification

PAGE_SIZE = 50


@login_required
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    notes = Notification.objects.filter(user=request.user)
    if unread_only:
        notes = notes.filter(read_at__isnull=True)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "notifications/list.html", {"page": page, "notes": page.object_list, "unread_only": unread_only}
    )


@login_required
def notification_detail(request, pk: int):
    """One notification, read by opening it (only its own person sees it)."""
    note = Notification.objects.filter(user=request.user, pk=pk).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        services.notification_read(user=request.user, pk=note.pk)
        note.read_at = timezone.now()
    return render(request, "notifications/detail.html", {"note": note})


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_read_all(user=request.user)
    return redirect("notification_list")


@login_required
def notification_preferences(request):
    pref = services.preference_of(request.user)
    if request.method == "POST":
        app_only = [k for k in Kind.values if request.POST.get(f"kind-{k}") == "app"]
        services.preference_save(user=request.user, app_only=app_only, digest=request.POST.get("digest") == "1")
        return redirect("notification_preferences")
    kinds = [(k, label, k in pref.app_only) for k, label in Kind.choices]
    return render(
        request, "notifications/preferences.html", {"kinds": kinds, "digest": pref.digest, "email": request.user.email}
    )


def outbox(request):
    """The demo's outbox: every mail the platform queued or sent, to read them without a mail
    server. Only when DEBUG is on (the demo); 404 otherwise."""
    if not settings.DEBUG:
        raise Http404
    page = Paginator(Mail.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {"page": page, "mails": page.object_list})
