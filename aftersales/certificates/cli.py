"""`aftersales certificate …` commands; `register(app)` is called by aftersales/cli.py.

aftersales certificate verify FILE [--key PEM|BASE64URL|FILE] [--keys JSON_FILE]
    Checks a certificate PDF offline: finds the signed record it embeds (certificate.json, read
    with pypdf, see `pdfrecord`), checks its Ed25519 signature, compares the page's
    key fields (number, enterprise, level, dates; `pagecheck`) with the record and prints the
    certified data. With --key/--keys nothing else is needed (no settings, no database, no
    network); without them the keys this instance published are read from its database.
    Exit 0 valid, 1 not valid (no record, several records, malformed record, unknown key, bad
    signature, a page that differs from the record or cannot be read, a file over 8 MB), 2 bad input.
aftersales certificate show NUMBER [--json]
aftersales certificate pdf NUMBER -o FILE [--lang zh-Hans|en] [--version N]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aftersales.clikit import django_setup, err, keys_from_json, out
from aftersales.core.text import Text, normalise_language

from . import pagecheck, pdffile, pdfrecord, pdftext

L = {
    "unreadable": Text("无法读取文件 {path}：{error}", "cannot read {path}: {error}"),
    "not_pdf": Text("{path} 不是 PDF 文件", "{path} is not a PDF file"),
    "too_large": Text(
        "无效：{path} 超过 {max} 字节，不是本系统签发的证书 PDF",
        "NOT VALID: {path} is over {max} bytes, more than a certificate PDF this system issues",
    ),
    "bad_key": Text(
        "--key：无法识别公钥（应为 PEM、32 字节公钥的 base64url 或包含其一的文件）：{error}",
        "--key: not a public key (give a PEM, the raw 32-byte key in base64url, or a file holding one): {error}",
    ),
    "bad_keys": Text(
        "--keys：{path} 不是公钥列表（/.well-known/aftersales-cert-keys.json 的格式）：{error}",
        "--keys: {path} is not a key list (the format of /.well-known/aftersales-cert-keys.json): {error}",
    ),
    "no_db": Text(
        "未给出 --key 或 --keys，且无法读取本系统发布的公钥：{error}",
        "no --key or --keys given, and the keys this instance published cannot be read: {error}",
    ),
    "no_record": Text(
        "无效：{path} 中没有签名的证书记录（certificate.json 附件）",
        "NOT VALID: {path} holds no signed certificate record (the certificate.json attachment)",
    ),
    "several": Text(
        "无效：{path} 中有 {n} 份不同的签名记录（文件在签发后被修改过）",
        "NOT VALID: {path} holds {n} different signed records (the file was changed after it was issued)",
    ),
    "malformed": Text("无效：签名记录不完整：{what}", "NOT VALID: the signed record is malformed: {what}"),
    "unknown_key": Text(
        "无效：记录由密钥 {kid} 签名，该密钥不在{where}中",
        "NOT VALID: the record is signed with key {kid}, which is not among {where}",
    ),
    "where_given": Text("给出的公钥", "the given keys"),
    "where_published": Text("本系统发布的公钥", "the keys this instance published"),
    "bad_signature": Text(
        "无效：签名与证书数据不符（密钥 {kid}）：证书数据或签名在签发后被改动",
        "NOT VALID: bad signature (key {kid}): the certified data or the signature was altered after signing",
    ),
    "page_unreadable": Text(
        "无效：无法读取页面上的文字（{error}），不能确认页面所示与签名记录一致",
        "NOT VALID: the page's text cannot be read ({error}), so it cannot be compared with the signed record",
    ),
    "page_differs": Text(
        "无效：页面所示与签名记录不符：页面在签发后被改动，或附上的是另一份证书的记录",
        "NOT VALID: the page does not show what the signed record says: the page was altered after issue, "
        "or the file carries another certificate's record",
    ),
    "field_match": Text("页面与签名记录一致：{field}", "the page matches the signed record: {field}"),
    "field_differs": Text(
        "{field}：页面为 {page}，签名记录为 {record}", "{field}: the page shows {page}, the signed record says {record}"
    ),
    "field_missing": Text(
        "{field}：页面上找不到（签名记录为 {record}）",
        "{field}: not found on the page (the signed record says {record})",
    ),
    "valid": Text("签名有效，签名密钥 {kid}（签名指纹 {fp}）", "valid signature by key {kid} (fingerprint {fp})"),
    "retired": Text(
        "（该密钥已于 {at} 停用，停用前签发的证书仍可校验）",
        "(key retired on {at}; it still verifies what it signed before)",
    ),
    "status_note": Text(
        "签名证明签发时的证书内容；证书当前状态（暂停、撤销等）请查询 {url}",
        "The signature proves what was certified; for the current status (suspension, withdrawal …) see {url}",
    ),
    "no_certificate": Text("没有编号为 {number} 的证书", "no certificate numbered {number}"),
    "no_version": Text("证书 {number} 没有第 {seq} 版", "certificate {number} has no version {seq}"),
    "pdf_unavailable": Text("本机无法生成 PDF：{error}", "PDFs cannot be made on this machine: {error}"),
    "wrote": Text(
        "已写出 {path}（证书 {number} 第 {seq} 版，{size} 字节）",
        "wrote {path} (certificate {number} version {seq}, {size} bytes)",
    ),
    "cannot_write": Text("无法写入 {path}：{error}", "cannot write {path}: {error}"),
    "versions": Text("版本", "Versions"),
    "history": Text("状态记录", "Status history"),
}
FIELDS = {
    "number": Text("证书编号", "certificate number"),
    "version": Text("证书版本", "version"),
    "enterprise": Text("企业名称", "enterprise"),
    "credit_code": Text("统一社会信用代码", "unified social credit code"),
    "address": Text("地址", "address"),
    "scope": Text("认证范围", "scope"),
    "sites": Text("服务网点", "sites"),
    "scheme": Text("评价依据", "scheme"),
    "level": Text("评价等级", "level"),
    "score": Text("评价得分", "score"),
    "certification_body": Text("认证机构", "certification body"),
    "first_issued_on": Text("初次发证日期", "first issued on"),
    "issued_on": Text("本次发证日期", "issued on"),
    "expires_on": Text("有效期至", "expires on"),
    "valid_from": Text("本版生效日期", "valid from"),
    "registry_url": Text("证书查询", "registry page"),
    "status": Text("状态", "status"),
    "status_since": Text("状态起始", "status since"),
}


def t(key: str, lang: str, **params: object) -> str:
    return L[key].get(lang).format(**params)


Lang = Annotated[str, typer.Option("--lang", help="Language of the output: zh-Hans (default) or en.")]


class Outcome(Exception):
    """Ends a command: `code` 1 (the file is not valid) or 2 (bad input), with `message` (and the
    page's field checks when the page was compared)."""

    def __init__(self, code: int, message: str, page: list | None = None):
        super().__init__(message)
        self.code, self.page = code, page


def _exit(outcome: Outcome) -> None:

    err.print(str(outcome), markup=False, soft_wrap=True)
    raise typer.Exit(outcome.code)


# ------------------------------------------------------------------------------------ keys


def public_key_from(text: str) -> str:
    """The raw public key (base64url) from a PEM (public or private key), a base64/base64url string
    of the 32 raw bytes, or a file holding either. Raises ValueError."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    value = text.strip()
    if "-----BEGIN" not in value and len(value) < 512:
        path = Path(value).expanduser()
        try:
            if path.is_file():
                value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(str(exc)) from None
    if "-----BEGIN" in value:
        data = value.encode("ascii", "replace")
        key = None
        if "PRIVATE KEY" in value:
            private = serialization.load_pem_private_key(data, password=None)
            if isinstance(private, Ed25519PrivateKey):
                key = private.public_key()
        else:
            key = serialization.load_pem_public_key(data)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        try:
            raw = pdfrecord.b64url_decode(value.replace("+", "-").replace("/", "_").rstrip("="))
        except ValueError:
            raise ValueError("neither PEM nor base64") from None
        if len(raw) != 32:
            raise ValueError(f"{len(raw)} bytes, an Ed25519 public key has 32")
    import base64

    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# ---------------------------------------------------------------------------------- verify


def verify_file(path: Path, *, lang: str, key: str | None = None, keys_file: Path | None = None) -> dict:
    """Checks the certificate PDF at `path`; returns {"record", "key"} or raises Outcome."""
    try:
        with path.open("rb") as file:
            data = file.read(pdffile.MAX_BYTES + 1)  # no more than a certificate can be: hostile input
    except OSError as exc:
        raise Outcome(2, t("unreadable", lang, path=path, error=exc.strerror or exc)) from None
    if not data.lstrip()[:5] == b"%PDF-":
        raise Outcome(2, t("not_pdf", lang, path=path))
    if len(data) > pdffile.MAX_BYTES:
        raise Outcome(1, t("too_large", lang, path=path, max=pdffile.MAX_BYTES))
    keys: dict[str, dict] = {}
    if key is not None:
        try:
            x = public_key_from(key)
        except (ValueError, TypeError) as exc:
            raise Outcome(2, t("bad_key", lang, error=exc)) from None
        kid = pdfrecord.key_id_of(pdfrecord.b64url_decode(x))
        keys[kid] = {"kid": kid, "x": x, "retired": None}
    if keys_file is not None:
        try:
            keys.update(keys_from_json(keys_file.read_text(encoding="utf-8")))
        except OSError as exc:
            raise Outcome(2, t("unreadable", lang, path=keys_file, error=exc.strerror or exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise Outcome(2, t("bad_keys", lang, path=keys_file, error=exc)) from None
    given = key is not None or keys_file is not None
    if not given:
        keys = _published_keys(lang)

    records = pdfrecord.records_in_pdf(data)
    if not records:
        raise Outcome(1, t("no_record", lang, path=path))
    if len(records) > 1:
        raise Outcome(1, t("several", lang, path=path, n=len(records)))
    record = records[0]
    payload, signature, kid = record.get("payload"), record.get("signature"), record.get("key_id")
    if not isinstance(payload, dict):
        raise Outcome(1, t("malformed", lang, what="payload"))
    if not (isinstance(signature, str) and signature):
        raise Outcome(1, t("malformed", lang, what="signature"))
    if not (isinstance(kid, str) and kid):
        raise Outcome(1, t("malformed", lang, what="key_id"))
    if kid not in keys:
        where = t("where_given" if given else "where_published", lang)
        raise Outcome(1, t("unknown_key", lang, kid=kid, where=where))
    if not pdfrecord.signature_valid(payload, signature, keys[kid]["x"]):
        raise Outcome(1, t("bad_signature", lang, kid=kid))
    try:
        page = pagecheck.page_check(payload, pdftext.page_text(data))
    except pdftext.Unreadable as exc:
        raise Outcome(1, t("page_unreadable", lang, error=exc)) from None
    if not all(check.match for check in page):
        lines = [t("page_differs", lang), *(page_line(check, lang) for check in page)]
        raise Outcome(1, "\n".join(lines), page)
    return {"record": record, "key": keys[kid], "page": page}


def page_line(check: pagecheck.FieldCheck, lang: str) -> str:
    """One line saying whether the page shows the record's value of one field."""
    field = FIELDS[check.field].get(lang)
    if check.match:
        return t("field_match", lang, field=field)
    record = _value_text(check.field, check.record, lang)
    if not check.page:
        return t("field_missing", lang, field=field, record=record)
    page = "、".join(_value_text(check.field, value, lang) for value in check.page if value != check.record)
    return t("field_differs", lang, field=field, page=page, record=record)


def page_json(page: list[pagecheck.FieldCheck]) -> dict:
    return {c.field: {"match": c.match, "page": list(c.page), "record": c.record} for c in page}


def _published_keys(lang: str) -> dict[str, dict]:

    try:
        django_setup()
        from .signing import published_keys

        return {k["kid"]: k for k in published_keys()}
    except Exception as exc:  # settings missing, database unreachable: say so, no traceback
        raise Outcome(2, t("no_db", lang, error=exc)) from None


def _value_text(name: str, value, lang: str) -> str:
    if name == "scheme" and isinstance(value, dict):
        return f"{value.get('id', '')} {value.get('version', '')} (SHA-256 {str(value.get('sha256', ''))[:16]}…)"
    if name == "sites" and isinstance(value, list):
        rows = [
            " ".join(x for x in (s.get("name", ""), s.get("address", "")) if x) for s in value if isinstance(s, dict)
        ]
        return "; ".join(rows) or "—"
    if name == "level" and isinstance(value, str):
        from aftersales.core.scheme import Level

        try:
            return Level(value).text.get(lang)
        except ValueError:
            return value
    return "—" if value in ("", None) else str(value)


def print_payload(payload: dict, lang: str) -> None:

    for name, label in FIELDS.items():
        if name in payload:
            out.print(f"{label.get(lang)}: {_value_text(name, payload[name], lang)}", markup=False, soft_wrap=True)


# -------------------------------------------------------------------------------- register


def register(app: typer.Typer) -> None:
    """Add the certificate commands to the main CLI."""
    certificate_app = typer.Typer(
        help="Certificates: verify a PDF offline, show, render.", no_args_is_help=True, rich_markup_mode=None
    )
    app.add_typer(certificate_app, name="certificate")

    @certificate_app.command("verify")
    def certificate_verify_command(
        file: Annotated[Path, typer.Argument(help="The certificate PDF.")],
        key: Annotated[
            str | None,
            typer.Option("--key", help="The public key: PEM, raw 32 bytes in base64url, or a file holding one."),
        ] = None,
        keys: Annotated[
            Path | None, typer.Option("--keys", help="A saved /.well-known/aftersales-cert-keys.json.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
        lang: Lang = "zh-Hans",
    ) -> None:
        """Check a certificate PDF's signature and that its page shows the signed data, offline; print
        what it certifies (exit 1 if not valid)."""

        lang = normalise_language(lang)
        try:
            result = verify_file(file, lang=lang, key=key, keys_file=keys)
        except Outcome as outcome:
            if as_json:
                body = {"valid": False, "reason": str(outcome)}
                if outcome.page is not None:
                    body["page"] = page_json(outcome.page)
                out.print_json(json.dumps(body, ensure_ascii=False))
                raise typer.Exit(outcome.code) from None
            _exit(outcome)
        record, used = result["record"], result["key"]
        payload = record["payload"]
        fp = pdfrecord.fingerprint(record["signature"])
        if as_json:
            body = {"valid": True, "key_id": used["kid"], "fingerprint": fp, "payload": payload}
            body["page"] = page_json(result["page"])
            out.print_json(json.dumps(body, ensure_ascii=False))
            return
        print_payload(payload, lang)
        for check in result["page"]:
            out.print(page_line(check, lang), markup=False, soft_wrap=True)
        line = t("valid", lang, kid=used["kid"], fp=fp)
        if used.get("retired"):
            line += " " + t("retired", lang, at=used["retired"])
        out.print(line, markup=False, soft_wrap=True)
        if payload.get("registry_url"):
            out.print(t("status_note", lang, url=payload["registry_url"]), markup=False, soft_wrap=True)

    @certificate_app.command("show")
    def certificate_show_command(
        number: Annotated[str, typer.Argument(help="The certificate number.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
        lang: Lang = "zh-Hans",
    ) -> None:
        """Show a certificate: status, current version, versions and status history."""

        lang = normalise_language(lang)
        django_setup()
        certificate = _certificate(number, lang, as_json)
        versions = list(certificate.versions.order_by("seq"))
        events = list(certificate.events.order_by("seq"))
        current = versions[-1].payload if versions else {}
        body = {
            "number": certificate.number,
            "status": certificate.status,
            "status_since": certificate.status_since.isoformat(),
            "level": certificate.level,
            "enterprise": certificate.name,
            "credit_code": certificate.credit_code,
            "issued_on": certificate.issued_on.isoformat(),
            "expires_on": certificate.expires_on.isoformat(),
            "registry_url": current.get("registry_url", ""),
            "current": current,
            "versions": [
                {
                    "version": v.seq,
                    "reason": v.reason,
                    "valid_from": v.valid_from.isoformat(),
                    "level": v.level,
                    "key_id": v.key_id,
                    "fingerprint": pdfrecord.fingerprint(v.signature),
                }
                for v in versions
            ],
            "events": [
                {
                    "seq": e.seq,
                    "effective_on": e.effective_on.isoformat(),
                    "action": e.action,
                    "from": e.from_status,
                    "to": e.to_status,
                    "reason": e.reason,
                    "by": e.actor_label,
                }
                for e in events
            ],
        }
        if as_json:
            out.print_json(json.dumps(body, ensure_ascii=False))
            return
        status = certificate.get_status_display()
        out.print(
            f"{FIELDS['status'].get(lang)}: {status} ({FIELDS['status_since'].get(lang)} {body['status_since']})",
            markup=False,
            soft_wrap=True,
        )
        print_payload(current, lang)
        out.print(f"{t('versions', lang)}:", markup=False, soft_wrap=True)
        for v in body["versions"]:
            out.print(
                f"  v{v['version']} {v['valid_from']} {v['reason']} {v['level']} key {v['key_id']} {v['fingerprint']}",
                markup=False,
                soft_wrap=True,
            )
        out.print(f"{t('history', lang)}:", markup=False, soft_wrap=True)
        for e in body["events"]:
            change = f"{e['from']} → {e['to']}" if e["to"] and e["from"] != e["to"] else ""
            out.print(
                f"  #{e['seq']} {e['effective_on']} {e['action']} {change} {e['reason']}".rstrip(),
                markup=False,
                soft_wrap=True,
            )

    @certificate_app.command("pdf")
    def certificate_pdf_command(
        number: Annotated[str, typer.Argument(help="The certificate number.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the PDF.")],
        version: Annotated[
            int | None, typer.Option("--version", help="A version number (default: the current one).")
        ] = None,
        lang: Lang = "zh-Hans",
    ) -> None:
        """Write a certificate's PDF (with its signed record attached)."""

        lang = normalise_language(lang)
        django_setup()
        from aftersales.assessments.report import ReportUnavailable

        from .documents import certificate_pdf

        certificate = _certificate(number, lang, False)
        versions = certificate.versions.select_related("certificate")
        row = versions.filter(seq=version).first() if version is not None else versions.order_by("-seq").first()
        if row is None:
            _exit(Outcome(2, t("no_version", lang, number=certificate.number, seq=version)))
        try:
            data = certificate_pdf(row, lang)
        except ReportUnavailable as exc:
            _exit(Outcome(2, t("pdf_unavailable", lang, error=exc)))
        try:
            output.write_bytes(data)
        except OSError as exc:
            _exit(Outcome(2, t("cannot_write", lang, path=output, error=exc.strerror or exc)))
        out.print(
            t("wrote", lang, path=output, number=certificate.number, seq=row.seq, size=len(data)),
            markup=False,
            soft_wrap=True,
        )


def _certificate(number: str, lang: str, as_json: bool):
    from aftersales.core.certnumber import number_normalise

    from .models import Certificate

    certificate = Certificate.objects.filter(number=number_normalise(number)).first()
    if certificate is None:
        message = t("no_certificate", lang, number=number)
        if as_json:
            out.print_json(json.dumps({"error": message}, ensure_ascii=False))
            raise typer.Exit(2)
        _exit(Outcome(2, message))
    return certificate
