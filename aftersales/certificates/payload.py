"""The signed record of a certificate version: what the PDF states, as canonical JSON."""

from __future__ import annotations

from datetime import date

from django.conf import settings

FORMAT = "aftersales-certificate/1"


def registry_url(number: str) -> str:
    """The public registry page of a certificate (the QR code's target)."""
    return f"{settings.PUBLIC_BASE_URL}/registry/{number}/"


def version_payload(
    *,
    number: str,
    seq: int,
    enterprise_name: str,
    credit_code: str,
    address: str,
    scope: str,
    sites: list[dict],
    scheme_id: str,
    scheme_version: str,
    scheme_sha256: str,
    level: str,
    score: str,
    cb_name: str,
    first_issued_on: date,
    issued_on: date,
    expires_on: date,
    valid_from: date,
    level_reason: str = "",
) -> dict:
    """`level_reason`: why the level is not the one the score reaches (the public pages show it
    beside the score); the key is present only then."""
    return {
        "format": FORMAT,
        "number": number,
        "version": seq,
        "enterprise": enterprise_name,
        "credit_code": credit_code,
        "address": address,
        "scope": scope,
        "sites": [{"name": s.get("name", ""), "address": s.get("address", "")} for s in sites],
        "scheme": {"id": scheme_id, "version": scheme_version, "sha256": scheme_sha256},
        "level": level,
        "score": score,
        "certification_body": cb_name,
        "first_issued_on": first_issued_on.isoformat(),
        "issued_on": issued_on.isoformat(),
        "expires_on": expires_on.isoformat(),
        "valid_from": valid_from.isoformat(),
        "registry_url": registry_url(number),
        **({"level_reason": level_reason} if level_reason else {}),
    }
