"""The registry benchmark's data (bench/registry_bench.py runs it in a subprocess, with DATABASE_URL
set to the benchmark's database): 100,000 certificates written in bulk in the shape
`certificates.services` writes them — an enterprise each, the certificate with its pinyin keys,
version 1 with its signed payload, the hash-chained status events, two surveillances.

    python bench/registry_data.py load N SEED     # prints a JSON summary
    python bench/registry_data.py count
    python bench/registry_data.py publish PART PARTS   # what `aftersales registry publish` does, a share of it

BENCH_CODE names the source tree whose `aftersales` is imported (default: this one).
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(tempfile.gettempdir()) / "aftersales-bench-registry"
NUMBERS = DATA_DIR / "numbers.txt"  # every certificate's number, one a line
TODAY = date(2026, 11, 23)

CITIES = [
    "杭州",
    "宁波",
    "温州",
    "上海",
    "苏州",
    "南京",
    "广州",
    "深圳",
    "成都",
    "武汉",
    "西安",
    "青岛",
    "厦门",
    "合肥",
    "长沙",
    "郑州",
    "济南",
    "天津",
    "重庆",
    "昆明",
]
WORDS = [
    "海川",
    "华信",
    "中联",
    "天成",
    "远航",
    "瑞丰",
    "金桥",
    "东方",
    "新锐",
    "恒达",
    "博远",
    "嘉禾",
    "鼎盛",
    "宏图",
    "安泰",
    "永兴",
    "德润",
    "光明",
    "星辰",
    "万达",
    "铭泰",
    "汇通",
    "晨曦",
    "正和",
    "盛世",
    "通达",
    "长青",
    "启航",
    "华瑞",
    "亿家",
]
TRADES = [
    "电器",
    "家居",
    "汽车服务",
    "电子科技",
    "机械设备",
    "信息技术",
    "厨卫电器",
    "物流",
    "医疗器械",
    "家具",
    "空调设备",
    "电梯工程",
]
SCOPES = {
    "电器": "家用电器的销售与售后服务（安装、维修、退换货、投诉处理）",
    "汽车服务": "乘用车销售及售后维修保养服务",
}


# ------------------------------------------------------------------------------------ data


def _setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    django.setup()


def phase_load(n: int, seed: int, *, cb=None, user=None, first: int = 0) -> dict:
    """Write `n` certificates in bulk (in this process: run it with DATABASE_URL set). With `cb`
    and `user` (bench/pages_bench.py), they are that body's, numbered and coded from `first` on."""
    _setup_django()
    from django.db import connection, transaction
    from pypinyin import Style, lazy_pinyin

    from aftersales.accounts.models import Organisation, User
    from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion, Surveillance
    from aftersales.certificates.payload import version_payload
    from aftersales.certificates.services import add_years
    from aftersales.certificates.signing import b64url, signing_key
    from aftersales.core import credit_code
    from aftersales.core.certnumber import number_make
    from aftersales.core.chain import GENESIS, canonical, link_hash

    rng = random.Random(seed)
    pattern = "{cb}{yy}SC{seq:05d}"  # the shipped policy's numbers (the old and the new tree alike)
    t0 = time.perf_counter()
    pinyin = {}
    for part in CITIES + WORDS + TRADES + ["有限公司"]:
        pinyin[part] = (
            "".join(lazy_pinyin(part)).lower(),
            "".join(lazy_pinyin(part, style=Style.FIRST_LETTER)).lower(),
        )
    own = cb is None
    with transaction.atomic():
        if own:
            cb = Organisation.objects.create(kind="cb", name="华信认证中心", address="北京市海淀区")
            user = User.objects.create_user(username="bench-cb-admin", password=None)
        key_id, key = signing_key()
    S = Certificate.Status
    orgs, certs, plans = [], [], []
    for i in range(n):
        city, word, trade = rng.choice(CITIES), rng.choice(WORDS), rng.choice(TRADES)
        name = f"{city}{word}{trade}有限公司"
        body = f"{first + i + 1:08d}"
        code = credit_code.complete("91330106" + body + credit_code.org_check_character(body))
        year = 2023 + i % 4
        issued_on = date(year, 1, 1) + timedelta(days=rng.randrange(0, 330 if year == 2026 else 365))
        expires_on = add_years(issued_on, 3) - timedelta(days=1)
        roll = rng.random()
        if expires_on < TODAY:
            status = S.EXPIRED
        elif roll < 0.05:
            status = S.SUSPENDED
        elif roll < 0.07:
            status = S.WITHDRAWN
        elif roll < 0.09:
            status = S.CANCELLED
        else:
            status = S.VALID
        parts = (city, word, trade, "有限公司")
        plans.append((name, code, issued_on, expires_on, status, trade))
        orgs.append(
            Organisation(
                kind="enterprise", name=name, credit_code=code, address=f"{city}市新城区创业路 {i % 997 + 1} 号"
            )
        )
        certs.append(
            Certificate(
                number=number_make(pattern, cb="ASC", year=year, seq=(first + i) // 4 + 1),
                cb=cb,
                scheme_id="gbt27922-2011",
                status=status,
                status_since=issued_on,
                first_issued_on=issued_on,
                version_count=1,
                name=name,
                name_pinyin="".join(pinyin[p][0] for p in parts),
                name_initials="".join(pinyin[p][1] for p in parts),
                credit_code=code,
                level=rng.choice(["qualified", "three_star", "four_star", "four_star", "five_star"]),
                issued_on=issued_on,
                expires_on=expires_on,
            )
        )
    ids = {m: next_id(m) for m in (Organisation, Certificate, CertificateVersion, CertificateEvent, Surveillance)}
    for i, (org, c) in enumerate(zip(orgs, certs, strict=True)):
        org.pk, c.pk = ids[Organisation] + i, ids[Certificate] + i
        c.enterprise = org
    versions, events, surveillances = [], [], []
    for c, org, (name, code, issued_on, expires_on, status, trade) in zip(certs, orgs, plans, strict=True):
        scope = SCOPES.get(trade, f"{trade}产品的销售与售后服务")
        sites = [{"name": f"{name[:2]}服务中心", "address": org.address}]
        score = str(rng.randrange(600, 990))
        payload = version_payload(
            number=c.number,
            seq=1,
            enterprise_name=name,
            credit_code=code,
            address=org.address,
            scope=scope,
            sites=sites,
            scheme_id="gbt27922-2011",
            scheme_version="ref-2026.1",
            scheme_sha256="a" * 64,
            level=c.level,
            score=score,
            cb_name=cb.name,
            first_issued_on=issued_on,
            issued_on=issued_on,
            expires_on=expires_on,
            valid_from=issued_on,
        )
        signature = b64url(key.sign(canonical(payload)))
        versions.append(
            CertificateVersion(
                certificate=c,
                seq=1,
                reason="issue",
                enterprise_name=name,
                credit_code=code,
                address=org.address,
                scope=scope,
                sites=sites,
                scheme_id="gbt27922-2011",
                scheme_version="ref-2026.1",
                scheme_sha256="a" * 64,
                level=c.level,
                score_exact=f"{score}/1",
                score_display=score,
                cb_name=cb.name,
                first_issued_on=issued_on,
                issued_on=issued_on,
                expires_on=expires_on,
                valid_from=issued_on,
                payload=payload,
                signature=signature,
                key_id=key_id,
                created_by=user,
            )
        )
        steps = [("certificate.issued", "", "", issued_on, "", True)]
        later = issued_on + timedelta(days=rng.randrange(200, 600))
        if rng.random() < 0.1:
            steps.append(
                ("certificate.note", "", "", issued_on + timedelta(days=30), "内部：客户投诉联系人回访记录", False)
            )
        if status in (S.SUSPENDED, S.WITHDRAWN):
            steps.append(("certificate.suspended", "valid", "suspended", later, "监督审核未按期进行", True))
        if status == S.WITHDRAWN:
            steps.append(
                ("certificate.withdrawn", "suspended", "withdrawn", later + timedelta(days=90), "暂停期间未整改", True)
            )
        if status == S.CANCELLED:
            steps.append(("certificate.cancelled", "valid", "cancelled", later, "企业申请注销", True))
        if status == S.EXPIRED:
            steps.append(("certificate.expired", "valid", "expired", expires_on + timedelta(days=1), "", True))
        prev = GENESIS
        for seq, (action, frm, to, on, reason, public) in enumerate(steps, start=1):
            e = CertificateEvent(
                certificate=c,
                seq=seq,
                at=datetime(on.year, on.month, on.day, 2, tzinfo=UTC),
                effective_on=on,
                actor=user,
                actor_label=user.username,
                action=action,
                from_status=frm,
                to_status=to,
                reason=reason,
                data={},
                public=public,
                prev_hash=prev,
            )
            e.hash = link_hash(prev, e.payload(c.number))
            prev = e.hash
            events.append(e)
            if to:
                c.status_since = on
        c.event_count, c.head_hash = len(steps), prev
        for k in (1, 2):
            due = issued_on + timedelta(days=365 * k)
            done = due < TODAY and status != S.CANCELLED and rng.random() < 0.95
            surveillances.append(
                Surveillance(
                    certificate=c,
                    cycle=1,
                    n=k,
                    window_opens=due - timedelta(days=90),
                    due_by=due,
                    state="done" if done else ("planned" if due >= TODAY else "cancelled"),
                    done_on=due - timedelta(days=rng.randrange(1, 60)) if done else None,
                )
            )
    t_built = time.perf_counter()
    with transaction.atomic():
        for model, rows in (
            (Organisation, orgs),
            (Certificate, certs),
            (CertificateVersion, versions),
            (CertificateEvent, events),
            (Surveillance, surveillances),
        ):
            for pk, row in enumerate(rows, start=ids[model]):
                row.pk = pk
            if connection.vendor == "postgresql":
                copy_rows(model, rows)
            else:
                model.objects.bulk_create(rows, batch_size=500)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if own:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        NUMBERS.write_text("\n".join(c.number for c in certs) + "\n")
    return {
        "certificates": n,
        "versions": len(versions),
        "events": len(events),
        "surveillances": len(surveillances),
        "seconds": round(time.perf_counter() - t0, 1),
        "seconds_build": round(t_built - t0, 1),  # names, pinyin, payloads, signatures, hash chains
    }


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def copy_rows(model, rows: list) -> None:
    """Write model instances with COPY (their pk set), then move the id sequence past them."""
    from django.db import connection

    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields])
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def stale_numbers(*, after_id: int, limit: int) -> list[tuple[int, str]]:
    """(id, number) of the certificates after `after_id` whose answers are not all current (the
    tree's release and kinds), by id: what a deploy's warm-up renders (`aftersales registry publish`
    until issue 22; the registry has answered such rows by rendering them on read since)."""
    from django.db import connection

    from aftersales.registry.publish import kinds, release

    sql = (
        "SELECT c.id, c.number FROM certificates_certificate c WHERE c.id > %s AND (SELECT COUNT(*)"
        " FROM registry_publication p WHERE p.certificate_id = c.id AND p.stamp = c.head_hash"
        " AND p.release = %s) < %s ORDER BY c.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after_id, release(), len(kinds()), limit])
        return cursor.fetchall()


def phase_publish(part: int, parts: int, batch: int = 200) -> dict:
    """Publish the stale certificates whose id is `part` modulo `parts` (the benchmark runs several
    of these side by side), through the tree's own `registry.publish.publish` (old and new alike)."""
    _setup_django()
    from django.db import transaction

    from aftersales.registry.publish import publish

    t0, done, after = time.perf_counter(), 0, 0
    while rows := stale_numbers(after_id=after, limit=batch * parts):
        mine = [number for pk, number in rows if pk % parts == part]
        with transaction.atomic():
            publish(mine)
        done, after = done + len(mine), rows[-1][0]
    return {"published": done, "seconds": round(time.perf_counter() - t0, 1)}


def phase_count() -> dict:
    _setup_django()
    from aftersales.certificates.models import Certificate

    return {"certificates": Certificate.objects.count()}


if __name__ == "__main__":
    sys.path.insert(0, os.environ.get("BENCH_CODE") or str(ROOT))
    phase, rest = sys.argv[1], sys.argv[2:]
    phases = {"load": phase_load, "publish": phase_publish, "count": phase_count}
    print(json.dumps(phases[phase](*map(int, rest))))
