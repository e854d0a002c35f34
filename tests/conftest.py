import os

# The CLI's tables are as wide in a pytest-xdist worker (no terminal: rich would take 80 columns) as in a
# developer's terminal, so what a test reads does not depend on how it was started.
os.environ.setdefault("COLUMNS", "160")

import pytest
from hypothesis import settings as hypothesis_settings

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.assessments.services import assessment_start
from aftersales.core import credit_code
from aftersales.schemes.models import SchemeVersion

# Property tests: `make test` and CI take the "fast" profile; HYPOTHESIS_PROFILE=thorough tries 20 times as
# many examples (docs/testing.md). Tests set no max_examples of their own, so the profile decides.
hypothesis_settings.register_profile("fast", max_examples=50)
hypothesis_settings.register_profile("thorough", max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.fixture
def schemes_registered(db):
    """The shipped schemes registered in the database, as `make demo` leaves them."""
    from aftersales.schemes.services import scheme_sync_shipped

    return scheme_sync_shipped(by_label="test")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_code(n: int) -> str:
    body = f"{n:08d}"
    return credit_code.complete("91330106" + body + credit_code.org_check_character(body))


@pytest.fixture
def world(db, schemes_registered):
    """Two enterprises and a certification body, with a user for every persona."""
    ent = organisation_create(kind=Organisation.Kind.ENTERPRISE, name="甲企业", credit_code=make_code(1), by_label="t")
    other = organisation_create(
        kind=Organisation.Kind.ENTERPRISE, name="乙企业", credit_code=make_code(2), by_label="t"
    )
    cb = organisation_create(kind=Organisation.Kind.CERTIFICATION_BODY, name="认证机构", by_label="t")
    people = {}
    for name, org, role in [
        ("ent_admin", ent, Role.ENTERPRISE_ADMIN),
        ("ent_member", ent, Role.ENTERPRISE_MEMBER),
        ("other_admin", other, Role.ENTERPRISE_ADMIN),
        ("cb_admin", cb, Role.CB_ADMIN),
        ("reviewer", cb, Role.REVIEWER),
        ("auditor", cb, Role.AUDITOR),
        ("auditor_other", cb, Role.AUDITOR),
        ("committee", cb, Role.COMMITTEE),
    ]:
        user = User.objects.create_user(username=name, password="x-pass-12345")
        membership_grant(user=user, organisation=org, role=role, by_label="t")
        people[name] = user
    gbt = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    assessment = assessment_start(enterprise=ent, scheme_version=gbt, by=people["ent_admin"], title="自评")
    return {"enterprise": ent, "other": other, "cb": cb, "people": people, "gbt": gbt, "assessment": assessment}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Django's cache starts empty: the registry's cached answers are keyed by a certificate's head,
    which another test's certificate of the same number and history would share."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDS_CACHE_DIR = tmp_path / "records-cache"
    settings.CERT_SIGNING_KEY_FILE = tmp_path / "keys" / "certificate-signing.pem"
    settings.CHAIN_CHECKPOINT_FILE = tmp_path / "chain-checkpoints.jsonl"
    settings.PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Rate-limit counters and cached registry answers do not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Background jobs run inside the request in tests (a test about the queue overrides TASKS)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
