"""What a notification is about: the kinds a person chooses e-mail or in-app only for."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    APPLICATION_SUBMITTED = "application_submitted", _("application submitted")
    INFO_REQUESTED = "info_requested", _("more information requested")
    APPLICATION_ACCEPTED = "application_accepted", _("application accepted, quotation")
    APPLICATION_REFUSED = "application_refused", _("application refused")
    CASE_WITHDRAWN = "case_withdrawn", _("application withdrawn")
    CONTRACT = "contract", _("contract signed")
    PLAN = "plan", _("audit plan sent or objected to")
    AUDIT_STARTED = "audit_started", _("audit started")
    NONCONFORMITY = "nonconformity", _("nonconformities to rectify")
    RECTIFICATION_DUE = "rectification_due", _("rectification due soon or overdue")
    RECTIFICATION_ANSWER = "rectification_answer", _("rectification answered, accepted or rejected")
    REPORT = "report", _("audit report issued")
    DECISION = "decision", _("certification decision")
    CERTIFICATE = "certificate", _("certificate issued, changed, suspended or withdrawn")
    CYCLE = "cycle", _("certificate cycle: surveillance due, expiry, regulator report")
    APPEAL = "appeal", _("appeals")
