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


REPLICA_PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'aftersales.settings'; django.setup(); "
    "from django.conf import settings; from django.db import connections; "
    "from aftersales.registry.selectors import _certificates; "
    "print(settings.REGISTRY_DATABASE, settings.DATABASES['replica']['NAME'], _certificates().db)"
)


def test_the_registry_reads_from_the_replica_when_one_is_named(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x",
        "DJANGO_ALLOWED_HOSTS": "x",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'primary.sqlite3'}",
        "DATABASE_REPLICA_URL": f"sqlite:///{tmp_path / 'replica.sqlite3'}",
    }
    done = subprocess.run([sys.executable, "-c", REPLICA_PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    alias, name, used = done.stdout.split()
    assert (alias, used) == ("replica", "replica") and name.endswith("replica.sqlite3")
