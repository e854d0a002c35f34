"""Certificates written as rows, for registry tests that need many of them fast (pagination, the
query count); the others issue theirs through the services (tests/certificates/factories.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pypinyin import Style, lazy_pinyin

from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion, Surveillance
from aftersales.core.chain import GENESIS, link_hash
from tests.certificates.factories import new_enterprise


def pinyin(name: str) -> tuple[str, str]:
    full = "".join(lazy_pinyin(name)).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    return full, initials


def make_certificate(
    world,
    *,
    number: str,
    name: str = "杭州海川电器有限公司",
    credit_code: str = "",
    level: str = "five_star",
    issued_on: date = date(2026, 3, 1),
) -> Certificate:
    full, initials = pinyin(name)
    enterprise = new_enterprise(name)
    c = Certificate.objects.create(
        number=number,
        enterprise=enterprise,
        cb=world["cb"],
        scheme_id="gbt27922-2011",
        status="valid",
        status_since=issued_on,
        first_issued_on=issued_on,
        version_count=1,
        name=name,
        name_pinyin=full,
        name_initials=initials,
        credit_code=credit_code,
        level=level,
        issued_on=issued_on,
        expires_on=issued_on.replace(year=issued_on.year + 3),
    )
    CertificateVersion.objects.create(
        certificate=c,
        seq=1,
        reason="issue",
        note="内部备注：不公开",
        enterprise_name=name,
        credit_code=credit_code,
        address="杭州市西湖区文三路 1 号",
        scope="家用电器的销售与售后服务",
        sites=[{"name": "滨江服务网点", "address": "杭州市滨江区江南大道 2 号"}],
        scheme_id="gbt27922-2011",
        scheme_version="ref-2026.1",
        scheme_sha256="0" * 64,
        level=level,
        score_exact="1837/2",
        score_display="918",
        cb_name=world["cb"].name,
        first_issued_on=issued_on,
        issued_on=issued_on,
        expires_on=c.expires_on,
        valid_from=issued_on,
        payload={},
        signature="x",
        key_id="k1",
        created_by=world["people"]["cb_admin"],
    )
    add_event(c, action="certificate.issued", to="valid", on=issued_on, reason="认证决定")
    return c


def add_event(c: Certificate, *, action: str, to: str = "", on: date, reason: str = "", public: bool = True):
    seq = c.event_count + 1
    e = CertificateEvent(
        certificate=c,
        seq=seq,
        at=datetime(on.year, on.month, on.day, 2, tzinfo=UTC),
        effective_on=on,
        actor_label="王审核员",
        action=action,
        from_status=c.status if to and seq > 1 else "",
        to_status=to,
        reason=reason,
        data={"internal_note": "秘密数据"},
        public=public,
        prev_hash=c.head_hash or GENESIS,
        hash="",
    )
    e.hash = link_hash(e.prev_hash, e.payload(c.number))
    e.save()
    fields = {"event_count": seq, "head_hash": e.hash}
    if to:
        fields |= {"status": to, "status_since": on}
    Certificate.objects.filter(pk=c.pk).update(**fields)
    for k, v in fields.items():
        setattr(c, k, v)
    return e


def add_surveillance(c: Certificate, *, n: int, due_by: date, done_on: date | None = None) -> Surveillance:
    return Surveillance.objects.create(
        certificate=c,
        cycle=1,
        n=n,
        window_opens=due_by.replace(month=max(1, due_by.month - 3)),
        due_by=due_by,
        state="done" if done_on else "planned",
        done_on=done_on,
        proposal_reason="内部：提议暂停的理由",
    )
