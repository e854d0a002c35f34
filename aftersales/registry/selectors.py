"""Reads of the public registry: search and one certificate's public record.

What is public (anyone, no login) — the CNCA registry shows the same, and the certificate prints it:

* the certificate: number, status and the date it took effect, the enterprise's name, unified
  social credit code and address, scope, sites (name and address), scheme (id and version),
  level and the printed total score (the certificate states both), the certification body's name,
  first issue, issue and expiry dates, the number of versions;
* its status history: the `CertificateEvent` rows marked `public` only — what happened, from
  which status to which, when it took effect and the reason the certification body published
  with it (for a change of the certificate that is the change's note, `CertificateVersion.note`;
  for a surveillance decision, the committee's stated reasons);
* surveillance: how many were done, the last one's date, the next one due (`due_by` of the
  next planned or opened surveillance).

Never shown: internal events (`public=False`) and anything of them (action, reason, data), who
acted (`actor_label` names a person), event `data`, contact persons or any user, item scores and
the exact score, the case and decision behind a version, missed surveillances'
proposals and the CB's answers to them, signatures and hashes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion, Surveillance
from aftersales.core.certnumber import number_normalise, number_valid
from aftersales.core.scheme import Level

# the columns a result row of the search reads (one query; no per-row query)
SEARCH_FIELDS = ("number", "name", "credit_code", "level", "status", "status_since", "issued_on", "expires_on", "cb")
LATIN = re.compile(r"^[a-z' ]+$")
STARS = {Level.QUALIFIED: 0, Level.THREE_STAR: 3, Level.FOUR_STAR: 4, Level.FIVE_STAR: 5}


def _certificates():
    """Certificates read from the registry's database: a read replica when DATABASE_REPLICA_URL is
    set (REGISTRY_DATABASE = "replica"), else the primary."""
    return Certificate.objects.using(settings.REGISTRY_DATABASE)


def registry_search(query: str) -> QuerySet[Certificate]:
    """Certificates matching `query`: the exact number (spaces and case ignored), the 18-character
    credit code, part of the enterprise's name, or its pinyin, in full ("haichuan", "hai chuan")
    or by initials ("hzhc"). Empty query → nothing.

    A number or a credit code is looked up first by its index (one query): when it matches, the
    answer is that certificate (or that enterprise's certificates) without scanning the names."""
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
class PublicEvent:
    action: str
    from_status: str
    to_status: str
    effective_on: date
    at: datetime
    reason: str


@dataclass(frozen=True)
class RegistryEntry:
    """The public record of one certificate (see the module docstring for what is in it)."""

    certificate: Certificate  # read only through the fields listed in the module docstring
    version: CertificateVersion
    events: list[PublicEvent]
    surveillances_done: int
    last_surveillance_on: date | None
    next_surveillance_due: date | None
    stamp: str = ""  # the certificate's head_hash: what the record was read at (publish.py)

    @property
    def stars(self) -> int:
        return STARS.get(self.certificate.level, 0)


def registry_entry(number: str, *, using: str | None = None) -> RegistryEntry:
    """The public record of the certificate numbered `number` (spaces and case ignored); Http404
    if there is none.

    The registry's hot path (the verification endpoint, see bench/registry_bench.py): two plain
    SQL statements, one for the certificate with its current version and surveillance dates, one
    for its public events. Written in SQL because building the same query with the ORM costs more
    than running it; the columns read are exactly the public ones listed above. `using`: the
    database to read (default REGISTRY_DATABASE; publishing after a change reads the primary)."""
    with connections[using or settings.REGISTRY_DATABASE].cursor() as cursor:
        cursor.execute(ENTRY_SQL, [number_normalise(number)])
        row = cursor.fetchone()
        if row is None:
            raise Http404("no such certificate")
        cursor.execute(EVENTS_SQL, [row[0], True])
        events = [
            PublicEvent(action, from_status, to_status, _day(effective_on), _instant(at), reason)
            for action, from_status, to_status, effective_on, at, reason in cursor.fetchall()
        ]
    (pk, number, name, credit_code, level, status, status_since, first_issued_on, issued_on, expires_on,
     version_count, address, scope, sites, scheme_id, scheme_version, score_display, cb_name,
     done, last_done, next_due, stamp, event_count) = row  # fmt: skip
    certificate = Certificate(
        id=pk, number=number, name=name, credit_code=credit_code, level=level, status=status,
        status_since=_day(status_since), first_issued_on=_day(first_issued_on), issued_on=_day(issued_on),
        expires_on=_day(expires_on), version_count=version_count, event_count=event_count,
    )  # fmt: skip
    version = CertificateVersion(
        certificate=certificate, seq=version_count, address=address, scope=scope,
        sites=json.loads(sites) if isinstance(sites, str) else sites, scheme_id=scheme_id,
        scheme_version=scheme_version, score_display=score_display, cb_name=cb_name,
    )  # fmt: skip
    return RegistryEntry(
        certificate=certificate,
        version=version,
        events=events,
        surveillances_done=done or 0,
        last_surveillance_on=_day(last_done),
        next_surveillance_due=_day(next_due),
        stamp=stamp,
    )


def _tables() -> dict[str, str]:
    return {
        "certificate": Certificate._meta.db_table,
        "version": CertificateVersion._meta.db_table,
        "event": CertificateEvent._meta.db_table,
        "surveillance": Surveillance._meta.db_table,
    }


ENTRY_SQL = """
SELECT c.id, c.number, c.name, c.credit_code, c.level, c.status, c.status_since, c.first_issued_on,
       c.issued_on, c.expires_on, c.version_count,
       v.address, v.scope, v.sites, v.scheme_id, v.scheme_version, v.score_display, v.cb_name,
       (SELECT COUNT(*) FROM {surveillance} s WHERE s.certificate_id = c.id AND s.state = 'done'),
       (SELECT MAX(s.done_on) FROM {surveillance} s WHERE s.certificate_id = c.id AND s.state = 'done'),
       (SELECT MIN(s.due_by) FROM {surveillance} s
         WHERE s.certificate_id = c.id AND s.state IN ('planned', 'opened')),
       c.head_hash, c.event_count
  FROM {certificate} c JOIN {version} v ON v.certificate_id = c.id AND v.seq = c.version_count
 WHERE c.number = %s
""".format(**_tables())
EVENTS_SQL = """
SELECT action, from_status, to_status, effective_on, at, reason FROM {event}
 WHERE certificate_id = %s AND public = %s ORDER BY seq
""".format(**_tables())


def _day(value) -> date | None:
    """A date column read with plain SQL (PostgreSQL gives a date, SQLite a string)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _instant(value) -> datetime:
    """A timestamp column read with plain SQL, as an aware datetime (stored in UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
