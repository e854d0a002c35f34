"""CACHE_URL chooses the cache every web process shares; a wrong value stops the start."""

import os
import subprocess
import sys

import pytest

PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'aftersales.settings'; django.setup(); "
    "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
)


def start(cache_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SECRET_KEY": "x", "DJANGO_ALLOWED_HOSTS": "x", "CACHE_URL": cache_url}
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/1", "redis.RedisCache"),
        ("file:///tmp/aftersales-cache", "filebased.FileBasedCache"),
    ],
)
def test_it_picks_the_cache_backend_from_cache_url(url, backend):
    done = start(url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(backend)


def test_it_refuses_an_unknown_cache_url_with_its_name():
    done = start("memcached://x")
    assert done.returncode != 0 and "CACHE_URL='memcached://x'" in done.stderr
