"""The PDF certificate (A4 landscape, Chinese or English) of a certificate version.

Rendered from `templates/certificates/pdf.html` by `aftersales.pdf` (WeasyPrint with the vendored
CJK font from the font cache, loading nothing else) and kept in storage once made for a version of
the page and its record (`certificate_pdf_stored`). It prints what the
version states (the same data as its signed payload), the star mark, a QR code of the registry
page with its URL, the signing key id and a fingerprint of the signature, and embeds the signed
record as the attachment `certificate.json` (see `pdfrecord`), so `aftersales certificate verify`
can check the file offline.

A certificate that is not valid today (suspended, withdrawn, cancelled, expired) or a version that
a later one replaced is printed with its status as a watermark and a banner: such a PDF must never
pass for a valid certificate.

The wording is fixed bilingual text here (like the CLI's messages), not the gettext catalogue: a
certificate's legal wording must not depend on a compiled translation.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from aftersales import fonts, pdf
from aftersales.core.concepts import CertificateStatus, Level
from aftersales.core.text import Text, normalise_language
from aftersales.schemes.models import SchemeVersion

from . import mark, pagecheck, pdfrecord
from .models import Certificate, CertificateVersion
from .payload import registry_url
from .qr import qr_svg

S = Certificate.Status

L = {
    "title": Text("商品售后服务评价认证证书", "Certificate of After-sales Service Evaluation"),
    "number": Text("证书编号", "Certificate No."),
    "intro": Text("兹证明", "This is to certify that the after-sales service of"),
    "credit_code": Text("统一社会信用代码", "Unified social credit code"),
    "conforms": Text("的商品售后服务经评价符合", "has been evaluated as conforming to"),
    "at_level": Text("的要求，评价等级为", "at the level"),
    "end": Text("。", "."),
    "address": Text("地址", "Address"),
    "scope": Text("认证范围", "Scope"),
    "sites": Text("服务网点", "Sites"),
    "sites_in_annex": Text(
        "共 {n} 个服务网点，名称和地址见附件", "{n} sites, listed with their addresses in the annex"
    ),
    "scope_in_annex": Text("见附件", "see the annex"),
    "annex_title": Text("附件：服务网点清单", "Annex: sites"),
    "annex_title_scope": Text("附件：认证范围", "Annex: scope"),
    "annex_title_both": Text("附件：认证范围及服务网点清单", "Annex: scope and sites"),
    "annex_intro": Text(
        "本附件是证书 {number} 的组成部分，列出证书覆盖的全部 {n} 个服务网点。",
        "This annex is part of certificate {number} and lists all {n} sites the certificate covers.",
    ),
    "annex_intro_scope": Text(
        "本附件是证书 {number} 的组成部分，载明证书的认证范围。",
        "This annex is part of certificate {number} and states the certificate's scope.",
    ),
    "site_no": Text("序号", "No."),
    "site_name": Text("名称", "Name"),
    "scheme": Text("评价依据", "Scheme"),
    "scheme_version": Text("评分表 {id} 版本 {version}", "scoring table {id}, version {version}"),
    "level": Text("评价等级", "Level"),
    "score": Text("评价得分", "Score"),
    "level_reason": Text("等级与得分对应等级不同，说明：", "Level not the one the score reaches: "),
    "first_issued": Text("初次发证日期", "First issued"),
    "issued": Text("本次发证日期", "Issued"),
    "expires": Text("有效期至", "Valid until"),
    "version": Text("证书版本", "Version"),
    "cb": Text("认证机构", "Certification body"),
    "scan": Text("扫码查询证书状态", "Scan to check the certificate's status"),
    "key": Text("签名密钥", "Signing key"),
    "fingerprint": Text("签名指纹", "Signature fingerprint"),
    "verify": Text(
        "可在 {url} 查询证书当前状态，或离线运行 aftersales certificate verify 校验本文件的签名。",
        "Verify at {url} or offline with `aftersales certificate verify`.",
    ),
    "validity_note": Text(
        "本证书在有效期内须通过年度监督审核方可保持有效，证书状态以证书查询页面为准。",
        "The certificate stays valid only with a yearly surveillance audit; "
        "the registry page shows its current status.",
    ),
    "banner": Text(
        "本证书{status}（自 {since} 起），不能作为有效证书使用；当前状态请扫码或在证书查询页面查询。",
        "This certificate is {status} (since {since}) and is not valid; scan the code for its current status.",
    ),
    "banner_superseded": Text(
        "本页为证书第 {seq} 版，已被第 {latest} 版替代，不能作为现行证书使用。",
        "This is version {seq} of the certificate, replaced by version {latest}; it is not the current certificate.",
    ),
}

# why a page is not the valid certificate: a status other than valid (core.concepts), or superseded
SUPERSEDED = Text("已替代", "superseded")
STATUS = {**{s: s.text for s in CertificateStatus if s is not CertificateStatus.VALID}, "superseded": SUPERSEDED}
WATERMARK = {reason: Text(text.zh, text.en.upper()) for reason, text in STATUS.items()}
STANDARD_TITLE = Text("《商品售后服务评价体系》", "Evaluation system for after-sales service of goods")
STANDARDS_WITH_TITLE = ("GB/T 27922", "SB/T 10401")
# The first page has room for this many lines of sites (name and address) and of scope, in a column
# of about SITE_LINE_WIDTH full-width characters; what is longer goes to annex pages, so the facts
# table never runs into the issuer line and the footer and nothing is cut off
# (tests/certificates/test_layout.py).
SITE_LINES = 3
SCOPE_LINES = 3
SITE_LINE_WIDTH = 40
day_text = pagecheck.day_text  # one date format for the page and for the verifier that reads it


def stars(level: str) -> str:
    return "★" * Level(level).stars


def certificate_record(version: CertificateVersion) -> dict:
    """The signed record the PDF embeds (and `verify` checks)."""
    return pdfrecord.signed_record(payload=version.payload, signature=version.signature, key_id=version.key_id)


def _width(text: str) -> float:
    """The printed width of `text` in full-width characters (Latin letters and digits about half)."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def scope_line(scope: str, lang: str) -> str:
    """The scope's lines (products, then services) as one run of text on the first page."""
    return ("; " if lang == "en" else "；").join(line.strip() for line in scope.splitlines() if line.strip())


def scope_fits(scope: str) -> bool:
    return math.ceil(_width(scope) / SITE_LINE_WIDTH) <= SCOPE_LINES


def sites_fit(sites: list[dict]) -> bool:
    """Whether the sites fit the first page (SITE_LINES lines), else they are listed in the annex."""
    widths = (_width(f"{s.get('name', '')} {s.get('address', '')}") for s in sites)
    return sum(math.ceil(max(width, 1) / SITE_LINE_WIDTH) for width in widths) <= SITE_LINES


def not_valid_because(version: CertificateVersion, today: date) -> str:
    """'' when the version is the valid certificate today; else suspended / withdrawn / cancelled
    / expired / superseded."""
    certificate = version.certificate
    if certificate.status != S.VALID:
        return certificate.status
    if version.expires_on < today:
        return S.EXPIRED
    if version.seq < certificate.version_count:
        return "superseded"
    return ""


def _standard(version: CertificateVersion) -> str:
    row = SchemeVersion.objects.filter(sha256=version.scheme_sha256).values_list("standard", flat=True).first()
    return row or version.scheme_id


def certificate_context(version: CertificateVersion, lang: str, *, today: date | None = None) -> dict:
    lang = normalise_language(lang)
    today = today or timezone.localdate()
    certificate = version.certificate
    number = certificate.number
    url = version.payload.get("registry_url") or registry_url(number)
    t = {key: text.get(lang) for key, text in L.items()}
    standard = _standard(version)
    level_text = Level(version.level).text.get(lang)
    reason = not_valid_because(version, today)
    banner = ""
    if reason == "superseded":
        banner = L["banner_superseded"].get(lang).format(seq=version.seq, latest=certificate.version_count)
    elif reason:
        since = certificate.status_since if certificate.status == reason else version.expires_on
        banner = L["banner"].get(lang).format(status=STATUS[reason].get(lang), since=day_text(since, lang))
    sites = [s for s in version.sites if s.get("name") or s.get("address")]
    in_annex = not sites_fit(sites)
    scope = scope_line(version.scope or "", lang)
    scope_in_annex = not scope_fits(scope)
    annex_title = L[
        "annex_title_both" if in_annex and scope_in_annex else "annex_title_scope" if scope_in_annex else "annex_title"
    ]
    scene = mark.mark_scene(number=number, level=version.level, status=reason, url=url, with_qr=False)
    return {
        "lang": lang,
        "t": t,
        "other_title": L["title"].get("zh-Hans" if lang == "en" else "en"),
        "number": number,
        "version": version,
        "certificate": certificate,
        "standard": standard,
        "standard_title": STANDARD_TITLE.get(lang) if standard.startswith(STANDARDS_WITH_TITLE) else "",
        "scheme_version": L["scheme_version"].get(lang).format(id=version.scheme_id, version=version.scheme_version),
        "level_text": level_text,
        "stars": stars(version.level),
        "scope": t["scope_in_annex"] if scope_in_annex else scope,
        "annex_scope": version.scope if scope_in_annex else "",
        "annex": in_annex or scope_in_annex,
        "annex_title": annex_title.get(lang),
        "annex_intro_scope": L["annex_intro_scope"].get(lang).format(number=number),
        "sites": [] if in_annex else sites,
        "annex_sites": sites if in_annex else [],
        "sites_in_annex": L["sites_in_annex"].get(lang).format(n=len(sites)) if in_annex else "",
        "annex_intro": L["annex_intro"].get(lang).format(number=number, n=len(sites)),
        "first_issued_on": day_text(version.first_issued_on, lang),
        "issued_on": day_text(version.issued_on, lang),
        "expires_on": day_text(version.expires_on, lang),
        "url": url,
        "verify": t["verify"].format(url=url),
        "qr": qr_svg(url, title=url),
        "mark": mark.scene_svg(scene, embed_font=False),
        "fingerprint": pdfrecord.fingerprint(version.signature),
        "not_valid": reason,
        "watermark": WATERMARK[reason].get(lang) if reason else "",
        "banner": banner,
        "font_faces": pdf.font_faces(),
        "font_family": fonts.FAMILY,
    }


def certificate_html(version: CertificateVersion, lang: str = "zh-hans", *, today: date | None = None) -> str:
    return render_to_string("certificates/pdf.html", certificate_context(version, lang, today=today))


def certificate_pdf(
    version: CertificateVersion, lang: str = "zh-hans", *, today: date | None = None, record: dict | None = None
) -> bytes:
    """The certificate PDF of `version` in `lang` (zh-Hans or en) with its signed record attached.
    `record` replaces the attachment (tests build tampered files with it). Raises
    `aftersales.pdf.ReportUnavailable` when WeasyPrint cannot run here."""
    html = certificate_html(version, lang, today=today)
    return pdf.pdf_from_html(html, attachments=[_attachment(version, record)])


def certificate_pdf_stored(version: CertificateVersion, lang: str = "zh-hans") -> bytes:
    """`certificate_pdf` made once per version of the page (its status today included) and of the
    signed record, then read from storage (`aftersales.pdf.stored_pdf`)."""
    html = certificate_html(version, lang)
    variant = f"v{version.seq}-{normalise_language(lang)}"
    return pdf.stored_pdf(
        folder=f"certificate/{version.certificate_id}",
        variant=variant,
        html_for=lambda _generated_at: html,  # the certificate prints no "made at" time
        attachments=[_attachment(version, None)],
    )


def _attachment(version: CertificateVersion, record: dict | None) -> pdf.Attachment:
    data = pdfrecord.record_bytes(record if record is not None else certificate_record(version))
    return pdf.Attachment(pdfrecord.ATTACHMENT_NAME, data, "signed certificate record")
