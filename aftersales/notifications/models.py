"""Notifications: what a person is told in the app, the mails that carry them, and their choices.

A notification is written once per person and key (the event or the daily check it comes from), so a
repeated event delivery or a second daily run adds nothing; a mail is sent once per key too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import Kind


class Mail(models.Model):
    """One e-mail to one person: a notification's, or the day's digest of several. `sent_at` is set
    once it went out (the demo's outbox lists these)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mails")
    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # what it is about, once per person: "case:AS-2026-0001#7", "rectification:12:overdue"
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # waits for the person's daily digest (they chose one); the digest's mail is then `mail`
    digest_pending = models.BooleanField(default=False)
    mail = models.ForeignKey(Mail, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind_known"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class Preference(models.Model):
    """How a person wants to be told: e-mail per kind (default) or in the app only, and whether
    their mails come bundled in one daily digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    app_only = models.JSONField(_("kinds shown in the app only"), default=list, blank=True)
    digest = models.BooleanField(_("one daily digest instead of a mail each"), default=False)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
