"""Reminder mails of the certificate cycle (surveillance due or missed, recertification window,
expiry), sent once each: the `Reminder.key` makes a second send of the same reminder a no-op.

Recipients are the organisation's admins: enterprise admins for an enterprise, cb_admins for a
certification body. Mail goes through django.core.mail (the console backend by default); a send
that fails leaves `sent_at` empty and the next cycle run tries again.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from aftersales.accounts.models import Membership, Organisation, Role

from .models import Certificate, Reminder

log = logging.getLogger(__name__)

ADMIN_ROLE = {Organisation.Kind.ENTERPRISE: Role.ENTERPRISE_ADMIN, Organisation.Kind.CERTIFICATION_BODY: Role.CB_ADMIN}


def admin_emails(organisation: Organisation) -> list[str]:
    """E-mail addresses of the organisation's admins (sorted, without blanks)."""
    role = ADMIN_ROLE.get(organisation.kind)
    emails = (
        Membership.objects.filter(organisation=organisation, role=role, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def reminder_send(
    *,
    key: str,
    kind: str,
    organisation: Organisation,
    due_on: date,
    subject,
    body,
    certificate: Certificate | None = None,
) -> Reminder | None:
    """Record and mail the reminder `key` unless it exists already (then None). `subject` and
    `body` are callables (or strings) rendered in the site's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject_text = " ".join(str(subject() if callable(subject) else subject).split())[:300]
        body_text = str(body() if callable(body) else body)
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                key=key,
                defaults={
                    "kind": kind,
                    "organisation": organisation,
                    "certificate": certificate,
                    "due_on": due_on,
                    "subject": subject_text,
                    "body": body_text,
                    "recipients": admin_emails(organisation),
                },
            )
    except IntegrityError:  # the same key written by a concurrent run
        return None
    if not created:
        return None
    reminder_deliver(reminder)
    return reminder


def reminder_deliver(reminder: Reminder) -> bool:
    """Mail a recorded reminder to its recipients; True when sent (or nobody to send to)."""
    if reminder.recipients:
        try:
            send_mail(reminder.subject, reminder.body, None, reminder.recipients)
        except Exception:  # a mail server down must not stop the job; retried next run
            log.exception("reminder %s not sent", reminder.key)
            return False
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["sent_at"])
    return True


def reminders_retry() -> int:
    """Send again the reminders a failed mail left unsent; how many went out."""
    return sum(reminder_deliver(r) for r in Reminder.objects.filter(sent_at__isnull=True).order_by("id"))
