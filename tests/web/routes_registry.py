"""Rows of the persona × URL matrix for the public registry (see test_persona_matrix).

Everything is public: every persona, anonymous included, gets 200. A number the registry does not
hold answers 404 to everyone (tests/registry/test_detail.py, for every persona).
"""

from django.urls import reverse

from tests.certificates.factories import issued, new_enterprise

from .personas import PERSONAS, expect


def routes(world) -> dict:
    certificate = issued(world, enterprise=new_enterprise("杭州海川电器有限公司"))
    number = certificate.number
    everyone = expect(set(PERSONAS), 200)
    return {
        "registry_search": ("get", reverse("registry_search") + "?q=海川", {}, {}, everyone),
        "registry_detail": ("get", reverse("registry_detail", args=[number]), {}, {}, everyone),
        "registry_verify": ("get", reverse("registry_verify", args=[number]), {}, {}, everyone),
        "registry_signing_keys": ("get", reverse("registry_signing_keys"), {}, {}, everyone),
        "api:registry_api_search": ("get", reverse("api:registry_api_search") + "?q=hzhc", {}, {}, everyone),
        "registry_api_certificate": ("get", reverse("registry_api_certificate", args=[number]), {}, {}, everyone),
    }
