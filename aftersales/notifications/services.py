"""Writes of the notifications app: tell people (in the app, and by e-mail through the task worker),
mark read, save preferences, bundle the daily digest."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .kinds import Kind
from .models import Mail, Notification, Preference
from .tasks import mail_send


@dataclass(frozen=True)
class Message:
    """What to say, worded when called (in the recipient's language)."""

    subject: Callable[[], str]
    body: Callable[[], str]


def language_of(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def preference_of(user) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def notify(
    users: Iterable, *, kind: str, key: str, message: Message, link: str = "", mail: bool = True, by=None
) -> list[Notification]:
    """Tell each user (except `by`, who took the step) once per `key`: a notification in the app and,
    unless they keep this kind in the app or `mail` is false (the step mails on its own), an e-mail
    now or in their daily digest. Returns the notifications written now."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    written = []
    for user in users:
        if by is not None and user.pk == by.pk:
            continue
        with translation.override(language_of(user)):
            subject = " ".join(str(message.subject()).split())[:300]
            body = str(message.body())
        pref = preference_of(user)
        by_mail = mail and bool(user.email) and kind not in pref.app_only
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    user=user,
                    kind=kind,
                    key=key,
                    subject=subject,
                    body=body,
                    link=link,
                    digest_pending=by_mail and pref.digest,
                )
                if by_mail and not pref.digest:
                    note.mail = mail_queue(user=user, key=f"n:{note.pk}", subject=subject, body=mail_body(body, link))
                    note.save(update_fields=["mail"])
        except IntegrityError:  # told already (a repeated delivery or a second run)
            continue
        written.append(note)
    return written


def mail_body(body: str, link: str) -> str:
    return f"{body}\n\n{settings.PUBLIC_BASE_URL}{link}" if link else body


def mail_queue(*, user, key: str, subject: str, body: str) -> Mail:
    """Record the mail (once per key) and hand it to the task worker once the transaction commits."""
    mail = Mail.objects.create(user=user, key=key, to=user.email, subject=subject, body=body)
    transaction.on_commit(lambda: mail_send.enqueue(mail.pk))
    return mail


def digests_send(*, today) -> list[Mail]:
    """One mail per person holding notifications that wait for their digest: all of them, oldest
    first (run by the daily job; a second run on the same day finds none waiting)."""
    waiting = Notification.objects.filter(digest_pending=True).select_related("user").order_by("user_id", "created")
    by_user: dict[int, list[Notification]] = {}
    for note in waiting:
        by_user.setdefault(note.user_id, []).append(note)
    sent = []
    for notes in by_user.values():
        user = notes[0].user
        with translation.override(language_of(user)):
            subject = _("%(count)s notifications of %(day)s") % {"count": len(notes), "day": today.isoformat()}
            body = "\n\n".join(f"{n.subject}\n{mail_body(n.body, n.link)}" for n in notes)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    mail = mail_queue(
                        user=user, key=f"digest:{user.pk}:{today.isoformat()}", subject=subject, body=body
                    )
            except IntegrityError:  # the day's digest exists: these join tomorrow's
                continue
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digest_pending=False, mail=mail)
        sent.append(mail)
    return sent


def mails_retry(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Queue again the mails still unsent an hour after they were recorded (a mail server that was
    down); the task sends each once however often it is queued. Returns how many."""
    unsent = list(
        Mail.objects.filter(sent_at__isnull=True, created__lt=timezone.now() - older_than).values_list("pk", flat=True)
    )
    for pk in unsent:
        mail_send.enqueue(pk)
    return len(unsent)


def notification_read(*, user, pk: int) -> int:
    """Mark one of the user's notifications read (0 when it is not theirs or was read)."""
    return Notification.objects.filter(user=user, pk=pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_read_all(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_save(*, user, app_only: Iterable[str], digest: bool) -> Preference:
    kinds = sorted(set(app_only))
    unknown = [k for k in kinds if k not in Kind.values]
    if unknown:
        raise ValueError(f"unknown notification kinds {unknown!r}")
    pref, _created = Preference.objects.update_or_create(user=user, defaults={"app_only": kinds, "digest": digest})
    return pref
