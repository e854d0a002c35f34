"""Monthly regulator report benchmark (issue 7): the report of a month in which a certification
body issued 10,000 certificates, on SQLite and PostgreSQL. Target: < 10 s.

    .venv/bin/python bench/regulator_bench.py                     # both databases, 10,000, 3 runs
    .venv/bin/python bench/regulator_bench.py --certificates 2000 --db sqlite --repeat 1

The worst case on purpose: every one of the 10,000 certificates has its whole story in the
reported month (October 2026), so every sheet is full: 10,000 applications, plans, audit reports,
decisions and certificates, plus the status changes (15 % suspended in the month, a fifth of those
withdrawn). A real month of such a CB holds about a 36th of that.

Data, written in bulk in the shape the services write (its own databases: a fresh SQLite file and
a fresh PostgreSQL database `bench_regulator`, created again on every run): the shipped schemes,
one CB with an admin, a team leader and a committee member, an enterprise per certificate (credit
code with both check characters), its initial case with its submission and decision events, the
audit plan sent with its team leader, the audit assessment and issued report, the committee's
decision, the certificate, its version 1 (a dummy signature: nothing here verifies it) and its
status events. Timed, in a fresh process per database: `regulator_report` (queries, normalise,
validate: what --check does) and `regulator_export` (the same, plus the workbook, the file under
MEDIA_ROOT and the log row), best and median of --repeat runs, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
MONTH = date(2026, 10, 1)
PG_NAME = "bench_regulator"


def _h(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def load(n: int) -> dict:
    """Write the data (run in the child, Django set up)."""
    from decimal import Decimal

    from django.db import transaction

    from aftersales.accounts.models import Membership, Organisation, Role, User
    from aftersales.assessments.models import Assessment
    from aftersales.audits.models import Audit, Auditor, AuditReport, Decision, TeamMember
    from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion
    from aftersales.certification.models import Case, CaseEvent
    from aftersales.core import credit_code
    from aftersales.schemes.models import SchemeVersion
    from aftersales.schemes.services import scheme_sync_shipped

    t0 = time.perf_counter()
    scheme_sync_shipped(by_label="bench")
    gbt = SchemeVersion.objects.filter(scheme_id="gbt27922-2011").first()
    cb = Organisation.objects.create(kind="cb", name="基准认证中心", credit_code=None)
    people = {}
    for name, role in (("admin", Role.CB_ADMIN), ("leader", Role.AUDITOR), ("committee", Role.COMMITTEE)):
        u = User.objects.create_user(username=f"bench-{name}", display_name=f"基准{name}")
        Membership.objects.create(user=u, organisation=cb, role=role)
        people[name] = u
    auditor = Auditor.objects.create(
        cb=cb, user=people["leader"], registration="BENCH-0001", valid_until=date(2029, 12, 31)
    )
    B = 2000
    base = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai

    def at(i: int, day: int, hour: int = 0) -> datetime:
        return base + timedelta(days=day, hours=hour, seconds=i % 3600)

    with transaction.atomic():
        ents = []
        for i in range(n):
            body = f"{i + 10:08d}"
            code = credit_code.complete("91330106" + body + credit_code.org_check_character(body))
            ents.append(Organisation(kind="enterprise", name=f"基准企业{i:05d}有限公司", credit_code=code))
        ents = Organisation.objects.bulk_create(ents, batch_size=B)
        cases = Case.objects.bulk_create(
            [
                Case(
                    reference=f"AS-2026-{i + 1:05d}",
                    enterprise=e,
                    cb=cb,
                    scheme_version=gbt,
                    kind="initial",
                    status="decided",
                    created_by=people["admin"],
                    event_count=2,
                )
                for i, e in enumerate(ents)
            ],
            batch_size=B,
        )
        Case.objects.filter(cb=cb).update(created_at=base)
        submitted = CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=c,
                    seq=1,
                    at=at(i, 0),
                    actor_label="bench",
                    action="case.submitted",
                    from_status="draft",
                    to_status="submitted",
                    prev_hash="",
                    hash=_h(c.reference, 1),
                )
                for i, c in enumerate(cases)
            ],
            batch_size=B,
        )
        decided = CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=c,
                    seq=2,
                    at=at(i, 14),
                    actor_label="bench",
                    action="audit.decided",
                    from_status="reported",
                    to_status="decided",
                    prev_hash=submitted[i].hash,
                    hash=_h(c.reference, 2),
                )
                for i, c in enumerate(cases)
            ],
            batch_size=B,
        )
        assessments = Assessment.objects.bulk_create(
            [
                Assessment(
                    enterprise=c.enterprise,
                    scheme_version=gbt,
                    title="审核",
                    status="finished",
                    kind="audit",
                    case=c,
                    created_by=people["leader"],
                    score_exact="1837/20",
                    level="five_star",
                    finished_at=base,
                    finished_by=people["leader"],
                    result={},
                )
                for c in cases
            ],
            batch_size=B,
        )
        audits = Audit.objects.bulk_create(
            [
                Audit(
                    case=c,
                    assessment=assessments[i],
                    mode="on_site",
                    start_date=date(2026, 10, 8),
                    end_date=date(2026, 10, 9),
                    man_days=Decimal("2.0"),
                    sites="总部",
                    sent_at=at(i, 3),
                    conclusion="体系运行有效",
                    recommended_level="five_star",
                    created_by=people["admin"],
                )
                for i, c in enumerate(cases)
            ],
            batch_size=B,
        )
        TeamMember.objects.bulk_create(
            [TeamMember(audit=a, auditor=auditor, role="leader", added_by=people["admin"]) for a in audits],
            batch_size=B,
        )
        # the issued report freezes a copy of the assessment
        frozen = Assessment.objects.bulk_create(
            [
                Assessment(
                    enterprise=c.enterprise,
                    scheme_version=gbt,
                    title="审核报告",
                    status="finished",
                    kind="audit",
                    case=c,
                    created_by=people["leader"],
                    score_exact="1837/20",
                    level="five_star",
                    finished_at=base,
                    finished_by=people["leader"],
                    result={},
                )
                for c in cases
            ],
            batch_size=B,
        )
        reports = AuditReport.objects.bulk_create(
            [
                AuditReport(
                    audit=a,
                    assessment=frozen[i],
                    number=1,
                    record={},
                    sha256=_h("report", i),
                    score_exact="1837/20",
                    level="five_star",
                    recommended_level="five_star",
                    issued_by=people["leader"],
                    issued_at=at(i, 10),
                )
                for i, a in enumerate(audits)
            ],
            batch_size=B,
        )
        decisions = Decision.objects.bulk_create(
            [
                Decision(
                    case=c,
                    report=reports[i],
                    outcome="approve",
                    level="five_star",
                    reasons="材料齐全，结论可信",
                    scheme_id=gbt.scheme_id,
                    scheme_version=gbt.version,
                    scheme_sha256=gbt.sha256,
                    inputs={},
                    result={},
                    decided_by=people["committee"],
                    decided_at=at(i, 14),
                    event=decided[i],
                )
                for i, c in enumerate(cases)
            ],
            batch_size=B,
        )
        suspended = {i for i in range(n) if i % 100 < 15}
        withdrawn = {i for i in suspended if i % 5 == 0}
        issued_on, expires_on = date(2026, 10, 16), date(2029, 10, 15)
        certs = Certificate.objects.bulk_create(
            [
                Certificate(
                    number=f"ASC26SC{i + 1:05d}X",
                    enterprise=e,
                    cb=cb,
                    scheme_id=gbt.scheme_id,
                    status="withdrawn" if i in withdrawn else "suspended" if i in suspended else "valid",
                    status_since=issued_on,
                    first_issued_on=issued_on,
                    version_count=1,
                    name=e.name,
                    credit_code=e.credit_code,
                    level="five_star",
                    issued_on=issued_on,
                    expires_on=expires_on,
                )
                for i, e in enumerate(ents)
            ],
            batch_size=B,
        )
        CertificateVersion.objects.bulk_create(
            [
                CertificateVersion(
                    certificate=cert,
                    seq=1,
                    reason="issue",
                    case=cases[i],
                    decision=decisions[i],
                    enterprise_name=cert.name,
                    credit_code=cert.credit_code,
                    address="浙江省杭州市西湖区文三路 100 号",
                    scope="家用空调\n热水器\n安装、维修",
                    sites=[{"name": "总部", "address": "浙江省杭州市西湖区文三路 100 号"}],
                    scheme_id=gbt.scheme_id,
                    scheme_version=gbt.version,
                    scheme_sha256="0" * 64,
                    level="five_star",
                    score_exact="1837/20",
                    score_display="91.85",
                    cb_name=cb.name,
                    first_issued_on=issued_on,
                    issued_on=issued_on,
                    expires_on=expires_on,
                    valid_from=issued_on,
                    payload={"number": cert.number},
                    signature="bench",
                    key_id="bench",
                    created_by=people["admin"],
                )
                for i, cert in enumerate(certs)
            ],
            batch_size=B,
        )
        CertificateVersion.objects.filter(certificate__cb=cb).update(created_at=at(0, 15))
        events = []
        for i, cert in enumerate(certs):
            chain = [("certificate.issued", "", "", at(i, 15), "")]
            if i in suspended:
                chain.append(("certificate.suspended", "valid", "suspended", at(i, 20), "超范围使用认证标志"))
            if i in withdrawn:
                chain.append(("certificate.withdrawn", "suspended", "withdrawn", at(i, 27), "暂停期间未整改"))
            prev = ""
            for seq, (action, fr, to, when, reason) in enumerate(chain, start=1):
                h = _h(cert.number, seq)
                events.append(
                    CertificateEvent(
                        certificate=cert,
                        seq=seq,
                        at=when,
                        effective_on=when.date(),
                        actor_label="bench",
                        action=action,
                        from_status=fr,
                        to_status=to,
                        reason=reason,
                        prev_hash=prev,
                        hash=h,
                    )
                )
                prev = h
        CertificateEvent.objects.bulk_create(events, batch_size=B)
    return {"cb": cb.pk, "load_seconds": round(time.perf_counter() - t0, 2), "events": len(events)}


def worker(args) -> None:
    """In a child process with DATABASE_URL set: migrate, load, time the report."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    django.setup()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    info = load(args.certificates)

    from aftersales.accounts.models import Organisation
    from aftersales.regulator.services import regulator_export, regulator_report

    cb = Organisation.objects.get(pk=info["cb"])
    check, export, check_cpu, export_cpu = [], [], [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        _rows, problems = regulator_report(cb=cb, month=MONTH)
        check.append(time.perf_counter() - t)
        check_cpu.append(time.process_time() - c)
        assert problems == [], [p.located("en") for p in problems[:5]]
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        e = regulator_export(cb=cb, month=MONTH, by_label="bench")
        export.append(time.perf_counter() - t)
        export_cpu.append(time.process_time() - c)
    print(
        json.dumps(
            {
                "migrate_seconds": round(migrate_s, 2),
                **info,
                "counts": e.counts,
                "file_bytes": e.size,
                "check_seconds": [round(x, 3) for x in check],
                "export_seconds": [round(x, 3) for x in export],
                # this process's CPU time (the machine is shared: wall time includes waiting for a core;
                # PostgreSQL's own work is not in it)
                "check_cpu_seconds": [round(x, 3) for x in check_cpu],
                "export_cpu_seconds": [round(x, 3) for x in export_cpu],
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


def fresh_postgres(url: str) -> str:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return url.rsplit("/", 1)[0] + f"/{PG_NAME}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--certificates", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a server URL; the benchmark uses its own database bench_regulator on it",
    )
    p.add_argument("--out", type=Path, default=HERE / "results" / "regulator.json")
    p.add_argument("_worker", nargs="?", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args._worker == "_worker":
        worker(args)
        return
    results = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        tmp = Path(tempfile.mkdtemp(prefix=f"aftersales-bench-regulator-{db}-"))
        url = f"sqlite:///{tmp / 'bench.sqlite3'}" if db == "sqlite" else fresh_postgres(args.postgres)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "AFTERSALES_DATA_DIR": str(tmp),
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only"),
            "DJANGO_ALLOWED_HOSTS": "localhost",
        }
        print(f"[{db}] {args.certificates:,} certificates: migrate, load, report ×{args.repeat}", flush=True)
        cmd = [PY, str(Path(__file__).resolve()), "_worker", "--certificates", str(args.certificates)]
        out = subprocess.run([*cmd, "--repeat", str(args.repeat)], env=env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr[-4000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r["database"] = db
        results.append(r)
        print(
            f"[{db}] load {r['load_seconds']} s; check best {min(r['check_seconds']):.2f} s; "
            f"export best {min(r['export_seconds']):.2f} s median {statistics.median(r['export_seconds']):.2f} s; "
            f"(CPU {min(r['export_cpu_seconds']):.2f} s); peak {r['peak_mb']} MB; load {r['load_average']}; "
            f"rows {r['counts']}",
            flush=True,
        )
    doc = {
        "benchmark": "regulator monthly report",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "certificates": args.certificates,
        "month": f"{MONTH:%Y-%m}",
        "target_seconds": 10,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
