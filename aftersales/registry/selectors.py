"""Reads of the public registry: search and one certificate's public record. What is public and
what never is: docs/certificates.md, "What the registry shows"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion, Surveillance
from aftersales.core.certnumber import number_normalise, number_valid
from aftersales.core.concepts import LIVE_STATUSES
from aftersales.core.cycle import SurveillanceState, surveillance_state

# the columns a result row of the search reads (one query; no per-row query)
SEARCH_FIELDS = ("number", "name", "credit_code", "level", "status", "status_since", "issued_on", "expires_on", "cb")
LATIN = re.compile(r"^[a-z' ]+$")


def _certificates():
    """Certificates in the registry's database (REGISTRY_DATABASE: the replica if there is one)."""
    return Certificate.objects.using(settings.REGISTRY_DATABASE)


def registry_search(query: str) -> QuerySet[Certificate]:
    """Certificates matching `query`: the exact number (spaces and case ignored), the credit code,
    part of the name, or its pinyin in full ("hai chuan") or by initials ("hzhc"). A number or a
    credit code that matches (one indexed query) answers without scanning the names."""
    text = " ".join(query.split())
    if not text:
        return _certificates().none()
    key = number_normalise(text)
    exact = Q(number=key) | Q(credit_code=key) if len(key) == 18 else Q(number=key)
    if (number_valid(key) or len(key) == 18) and _certificates().filter(exact).exists():
        return _search_rows(exact)
    match = exact | Q(name__icontains=text)
    latin = text.lower()
    if LATIN.match(latin):
        letters = latin.replace(" ", "").replace("'", "")
        if len(letters) >= 2:
            match |= Q(name_pinyin__contains=letters) | Q(name_initials__contains=letters)
    return _search_rows(match)


def _search_rows(match: Q) -> QuerySet[Certificate]:
    return (
        _certificates().filter(match).select_related("cb").only(*SEARCH_FIELDS, "cb__name").order_by("name", "number")
    )


@dataclass(frozen=True)
class RegistryEntry:
    """The public record of one certificate (docs/certificates.md, "What the registry shows")."""

    certificate: Certificate  # only the public fields are read (ENTRY_FIELDS)
    version: CertificateVersion
    events: list  # rows of EVENT_FIELDS, by name
    surveillance: SurveillanceState  # on the day it was read (core.cycle.surveillance_state)
    stamp: str = ""  # the certificate's head_hash: what the record was read at (publish.py)


def registry_entry(number: str, *, using: str | None = None) -> RegistryEntry:
    """The public record of the certificate numbered `number` (spaces and case ignored), Http404 if
    none: four queries whatever the history's length, the surveillance standing of the day it is read.
    `using`: the database to read (default REGISTRY_DATABASE; publishing reads the primary)."""
    db = using or settings.REGISTRY_DATABASE
    c = Certificate.objects.using(db).filter(number=number_normalise(number)).only(*ENTRY_FIELDS).first()
    if c is None:
        raise Http404("no such certificate")
    version = CertificateVersion.objects.using(db).only(*VERSION_FIELDS).get(certificate=c, seq=c.version_count)
    history = CertificateEvent.objects.using(db).filter(certificate=c, public=True).order_by("seq")
    events = list(history.values_list(*EVENT_FIELDS, named=True))
    rows = Surveillance.objects.using(db).filter(certificate=c).only(*SURVEILLANCE_FIELDS)
    standing = surveillance_state(rows, timezone.localdate(), live=c.status in LIVE_STATUSES)
    return RegistryEntry(c, version, events, standing, stamp=c.head_hash)


ENTRY_FIELDS = (*SEARCH_FIELDS[:-1], "first_issued_on", "version_count", "event_count", "head_hash")
VERSION_FIELDS = ("certificate", "seq", "address", "scope", "sites", "scheme_id", "scheme_version", "score_display")
VERSION_FIELDS += ("cb_name", "payload")  # the payload for its level_reason (presenters)
EVENT_FIELDS = ("action", "from_status", "to_status", "effective_on", "at", "reason")
# what core.cycle.surveillance_state reads (the proposal's answer is not published: presenters)
SURVEILLANCE_FIELDS = ("certificate", "state", "window_opens", "due_by", "done_on", "proposal_answer")
