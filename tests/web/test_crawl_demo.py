"""Every page a demo persona reaches by links, in zh-Hans: no link answers 403 or 404 (a page shows
only the links its viewer may follow) and no page shows a raw code (`on_site`, `case.opened`,
`command:load_demo`, `medium`) where a label belongs.

The demo is loaded once for the module; each persona (and an anonymous visitor) starts from their
first page and follows same-site links, a few pages per URL pattern (tests/web/crawl.py).
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from aftersales.accounts.models import User
from aftersales.schemes.models import SchemeVersion

from .crawl import crawl

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.xdist_group("crawl")]

# the people the demo signs in (README, "Demo logins"), each enterprise admin of the demo's stories
PERSONAS = [
    "anonymous",
    "zhangwei",
    "lina",
    "wangfang",
    "zhaolei",
    "chenjing",
    "liuyang",
    "huangmin",
    "zhouqiang",
    "qianhao",
    "fengyan",
    "jinghua",
    "pengda",
    "suian",
    "jinmen",
    "shancheng",
]

# what looks like a code in running Chinese text
CODE = re.compile(
    r"""(?<![\w./:@-])(
        [a-z][a-z0-9]*(?:_[a-z0-9]+)+          # snake_case: on_site, return_visit, own_rules
      | [a-z]+(?:\.[a-z_]+)+                   # dotted: case.opened, surveillance.planned
      | [a-z]+:[a-z_]+                         # command:load_demo
      | [a-z][a-z0-9]*(?:-[a-z0-9]+){2,}       # kebab-case ids: complaints-event-log-utf8bom
      | [a-z]{2,}                              # a lowercase English word: medium, cycle, kind
    )(?![\w/:@-])""",
    re.X,
)
# real identifiers a page shows as they are
ALLOWED = re.compile(
    r"""(
        aftersales-cert                        # the product
      | chinesecalendar                        # the holiday table's package, named with its version
      | cn-workday-[\w.-]+                     # a business calendar's id
      | demo-\d+                               # the seed of a demo sample
      | [^\s@]+@[\w.-]+                        # an e-mail address
      | [\w.-]+\.(?:pdf|xlsx|xls|csv|docx|doc|png|jpe?g|txt|yaml|json|zip|svg)  # a file name
    )""",
    re.X,
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("crawl")
    with django_db_blocker.unblock(), _private(folder), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        allowed = set(User.objects.values_list("username", flat=True))
        for scheme_id, version in SchemeVersion.objects.values_list("scheme_id", "version"):
            allowed |= {scheme_id, version}
        yield allowed, folder
        transaction.set_rollback(True)


def _private(folder):
    """The demo's own files and keys (the autouse fixtures of tests/conftest.py set others per test)."""
    return override_settings(
        MEDIA_ROOT=folder / "media",
        RECORDS_CACHE_DIR=folder / "records-cache",
        CERT_SIGNING_KEY_FILE=folder / "keys" / "certificate-signing.pem",
        PUBLIC_BASE_URL="http://testserver",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )


def _client(persona: str) -> Client:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    if persona != "anonymous":
        client.force_login(User.objects.get(username=persona))
    return client


def _codes(line: str, allowed: set[str]) -> list[str]:
    line = ALLOWED.sub(" ", line)
    return [m for m in CODE.findall(line) if m not in allowed]


@pytest.fixture(scope="module")
def crawled(demo):
    """persona → the pages they reach (crawled once for both tests)."""
    return {}


def _pages(demo, crawled, persona):
    if persona not in crawled:
        with _private(demo[1]):
            crawled[persona] = crawl(_client(persona), "/" if persona == "anonymous" else "/app/")
    return crawled[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_links_only_to_pages_the_viewer_may_open(demo, crawled, persona):
    pages = _pages(demo, crawled, persona)
    dead = [f"{p.status} {p.url} (linked from {p.referrer})" for p in pages if p.status in {403, 404}]
    if persona == "anonymous":  # a public page sends nobody to the login page by a link
        dead += [f"login {p.url} (linked from {p.referrer})" for p in pages if "/login/" in p.location and p.referrer]
    assert len(pages) > 5
    assert dead == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_no_raw_code_in_chinese_pages(demo, crawled, persona):
    found = {}  # the line (once, however many pages show it) → where and what looks like a code
    for page in _pages(demo, crawled, persona):
        for line in page.text:
            if codes := _codes(line, demo[0]):
                found.setdefault(line[:120], f"{page.url}: {' '.join(codes[:6])}")
    assert found == {}


def test_the_code_finder_finds_codes_and_spares_identifiers():
    allowed = {"gbt27922-2011", "zhangwei"}
    assert _codes("操作人：command:load_demo · case.opened", allowed) == ["command:load_demo", "case.opened"]
    assert _codes("on_site · 4.50 · medium", allowed) == ["on_site", "medium"]
    assert _codes("映射 complaints-event-log-utf8bom", allowed) == ["complaints-event-log-utf8bom"]
    spared = "gbt27922-2011 · zhangwei · 组织机构图.pdf · a@example.cn · AS-2026-0013 · ASC25SC00001G · GB/T 27922"
    assert _codes(spared, allowed) == []
