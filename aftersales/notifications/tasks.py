"""The e-mail of a notification or digest, sent by the task worker (settings.TASKS)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import Mail


@task
def mail_send(mail_id: int) -> bool:
    """Send the recorded mail unless it went out already (a retried job sends it once); True when
    it is sent. A mail server that fails raises, so the worker records the failure."""
    with transaction.atomic():
        mail = Mail.objects.select_for_update().filter(pk=mail_id, sent_at__isnull=True).first()
        if mail is None:
            return False
        send_mail(mail.subject, mail.body, None, [mail.to])
        mail.sent_at = timezone.now()
        mail.save(update_fields=["sent_at"])
    return True
