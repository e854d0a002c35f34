"""Settings of the registry benchmark's server: the project's settings (DEBUG off, from the
environment), plus one URL answering a constant response through the same Django stack — the
framework ceiling the registry's endpoints are compared with. Not used by the project itself."""

import os

from aftersales.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"

# The project's default cache (in-process, 300 entries) would drop a hot set of 1,000 certificates
# before it is asked again; a deployment gives the registry a cache that holds its answers (here:
# in-process with room for every certificate; production: a shared cache, see bench/README.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 300_000},
    }
}

if os.environ.get("BENCH_REGISTRY_URLS_FIRST") == "1":  # the URL order proposed in bench/README.md
    ROOT_URLCONF = "bench.bench_urls_first"
