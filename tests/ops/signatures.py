"""Print, as JSON, whether every certificate version's Ed25519 signature verifies with the public keys
this instance publishes (run in a subprocess against another database, like fingerprint.py)."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django

django.setup()

from aftersales.certificates.models import CertificateVersion, SigningKey  # noqa: E402
from aftersales.certificates.signing import signature_valid  # noqa: E402

keys = dict(SigningKey.objects.values_list("key_id", "public_key"))
versions = CertificateVersion.objects.select_related("certificate").order_by("pk")
bad = [
    f"{v.certificate.number} v{v.seq}"
    for v in versions.iterator()
    if v.key_id not in keys or not signature_valid(v.payload, v.signature, keys[v.key_id])
]
first = versions.order_by("certificate__number", "seq").first()
json.dump(
    {
        "versions": versions.count(),
        "keys": sorted(keys),
        "not_valid": bad,
        "a_number": first.certificate.number if first else None,
    },
    sys.stdout,
    ensure_ascii=False,
)
