"""Certificate PDF benchmark (issue target: < 1 s per certificate PDF), plus the offline check.

    .venv/bin/python bench/certificates_bench.py              # 20 certificates, zh-Hans and en
    .venv/bin/python bench/certificates_bench.py --n 50 --langs zh-Hans

A fresh SQLite database in a temporary data directory: migrate, register the shipped schemes, then
N signed certificate versions written the way `certificates.services` writes them (payload from
`payload.version_payload`, Ed25519 signature from `signing.sign`), with varied names, levels,
scopes, 1–7 sites, and every fourth one suspended (the watermarked layout). Each is rendered by
`documents.certificate_pdf` in each language; every PDF is then read back with the offline
extractor and its signature checked (`pdfrecord`), as `aftersales certificate verify` does. The
first render (fonts decompressed into the cache, WeasyPrint warming up) is reported on its own.
Wall time and the process's CPU time are both reported: on a loaded machine the CPU time is what
one render costs.
Prints a table and writes bench/results/certificates.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "certificates.json"
NAMES = [
    "杭州海川电器股份有限公司",
    "宁波甬江家电",
    "苏州吴中精密机械制造有限公司售后服务分公司",
    "上海浦东智能家居科技有限公司",
]
LEVELS = ["five_star", "four_star", "three_star", "qualified"]
SCOPES = [
    "家用空调器的销售、安装、维修及退换货服务",
    "冰箱、洗衣机、热水器的送货、安装、维修、保养、回访及投诉处理",
    "工业缝纫机的技术咨询、安装调试、培训、维修、备件供应",
]


def setup(data_dir: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "aftersales.settings",
            "DJANGO_SECRET_KEY": "bench",
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "AFTERSALES_DATA_DIR": data_dir,
            "AFTERSALES_TASKS": "immediate",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_versions(n: int) -> list:
    from django.contrib.auth import get_user_model

    from aftersales.accounts.models import Organisation
    from aftersales.certificates.models import Certificate, CertificateVersion
    from aftersales.certificates.payload import version_payload
    from aftersales.certificates.signing import sign
    from aftersales.core import credit_code
    from aftersales.schemes.models import SchemeVersion
    from aftersales.schemes.services import scheme_sync_shipped

    scheme_sync_shipped(by_label="bench")
    scheme = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    user = get_user_model().objects.create(username="bench")
    cb = Organisation.objects.create(kind=Organisation.Kind.CERTIFICATION_BODY, name="华夏售后服务认证中心有限公司")
    versions = []
    for i in range(n):
        body = f"{i + 1:08d}"
        code = credit_code.complete("91330106" + body + credit_code.org_check_character(body))
        name = f"{NAMES[i % len(NAMES)]}{i + 1}"
        enterprise = Organisation.objects.create(kind=Organisation.Kind.ENTERPRISE, name=name, credit_code=code)
        issued_on = date(2026, 1, 5) + timedelta(days=7 * i)
        expires_on = issued_on.replace(year=issued_on.year + 3) - timedelta(days=1)
        level = LEVELS[i % len(LEVELS)]
        number = f"BEN26SC{i + 1:05d}"
        certificate = Certificate.objects.create(
            number=number,
            enterprise=enterprise,
            cb=cb,
            scheme_id=scheme.scheme_id,
            status="suspended" if i % 4 == 3 else "valid",
            status_since=issued_on,
            first_issued_on=issued_on,
            name=name,
            credit_code=code,
            level=level,
            issued_on=issued_on,
            expires_on=expires_on,
            version_count=1,
        )
        stated = {
            "enterprise_name": name,
            "credit_code": code,
            "address": f"浙江省杭州市滨江区江南大道 {100 + i} 号",
            "scope": SCOPES[i % len(SCOPES)],
            "sites": [
                {"name": f"第{k + 1}服务网点", "address": f"杭州市西湖区文三路 {k + 1} 号"} for k in range(1 + i % 7)
            ],
            "scheme_id": scheme.scheme_id,
            "scheme_version": scheme.version,
            "scheme_sha256": scheme.sha256,
            "level": level,
            "score_display": f"{95 - i % 30}.50",
            "cb_name": cb.name,
            "first_issued_on": issued_on,
            "issued_on": issued_on,
            "expires_on": expires_on,
        }
        payload = version_payload(
            number=number,
            seq=1,
            **{k: v for k, v in stated.items() if k != "score_display"},
            score=stated["score_display"],
            valid_from=issued_on,
        )
        signature, key_id = sign(payload)
        versions.append(
            CertificateVersion.objects.create(
                certificate=certificate,
                seq=1,
                reason="issue",
                valid_from=issued_on,
                payload=payload,
                signature=signature,
                key_id=key_id,
                created_by=user,
                score_exact="191/2",
                **stated,
            )
        )
    return versions


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20, help="certificates (default 20)")
    parser.add_argument("--langs", default="zh-Hans,en", help="comma-separated: zh-Hans, en")
    args = parser.parse_args()
    work = tempfile.TemporaryDirectory(prefix="aftersales-certbench-")
    setup(work.name)

    from aftersales.certificates import pdfrecord
    from aftersales.certificates.documents import certificate_pdf
    from aftersales.certificates.signing import published_keys

    versions = make_versions(args.n)
    keys = {k["kid"]: k["x"] for k in published_keys()}
    langs = [x.strip() for x in args.langs.split(",") if x.strip()]

    start = time.perf_counter()
    certificate_pdf(versions[0], langs[0])
    cold = time.perf_counter() - start

    rows, failures = [], 0
    for lang in langs:
        times, cpus, sizes, checks = [], [], [], []
        for version in versions:
            start, cpu = time.perf_counter(), time.process_time()
            pdf = certificate_pdf(version, lang)
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            sizes.append(len(pdf))
            start = time.perf_counter()
            (record,) = pdfrecord.records_in_pdf(pdf)
            ok = pdfrecord.signature_valid(record["payload"], record["signature"], keys[record["key_id"]])
            checks.append(time.perf_counter() - start)
            failures += not ok
        rows.append(
            {
                "lang": lang,
                "n": len(times),
                "mean_s": round(statistics.mean(times), 3),
                "p50_s": round(pct(times, 50), 3),
                "p90_s": round(pct(times, 90), 3),
                "max_s": round(max(times), 3),
                "under_1s": sum(t < 1 for t in times),
                "cpu_mean_s": round(statistics.mean(cpus), 3),
                "cpu_max_s": round(max(cpus), 3),
                "mean_kb": round(statistics.mean(sizes) / 1024, 1),
                "verify_mean_ms": round(statistics.mean(checks) * 1000, 1),
            }
        )

    print(f"Certificate PDF render, {args.n} certificates (first render, cold: {cold:.2f} s)")
    print("| language | PDFs | mean s | P50 s | P90 s | max s | < 1 s | CPU mean s | CPU max s | mean KB | check ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['lang']} | {r['n']} | {r['mean_s']:.3f} | {r['p50_s']:.3f} | {r['p90_s']:.3f} | {r['max_s']:.3f} "
            f"| {r['under_1s']}/{r['n']} | {r['cpu_mean_s']:.3f} | {r['cpu_max_s']:.3f} | {r['mean_kb']} "
            f"| {r['verify_mean_ms']} |"
        )
    print(f"signatures checked: {len(versions) * len(langs)}, failures: {failures}")
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
        },
        "certificates": args.n,
        "cold_first_render_s": round(cold, 3),
        "rows": rows,
        "signature_failures": failures,
        "target_s": 1.0,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
