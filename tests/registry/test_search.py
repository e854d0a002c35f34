"""The registry's search: by number, name (Chinese, pinyin, initials) and credit code, paginated."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .helpers import make_certificate

pytestmark = pytest.mark.django_db


def search(client, q, **params):
    response = client.get("/registry/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_a_certificate_by_its_exact_number_ignoring_case_and_spaces(client, haichuan):
    number = haichuan.number
    spaced = " ".join([number[:3].lower(), number[3:7], number[7:].lower()])
    assert number in search(client, spaced)
    assert number in search(client, number)


def test_it_does_not_find_a_certificate_by_part_of_its_number(client, haichuan):
    assert 'id="reg-none"' in search(client, haichuan.number[:-2])


def test_it_finds_a_certificate_by_part_of_the_chinese_name(client, haichuan):
    page = search(client, "海川")
    assert haichuan.number in page and "1 certificate found" in page


@pytest.mark.parametrize("query", ["haichuan", "HaiChuan", "hai chuan", "hangzhouhaichuan", "hzhc", "HZHCDQ"])
def test_it_finds_a_certificate_by_the_pinyin_of_the_name_in_full_or_by_initials(client, haichuan, query):
    assert haichuan.number in search(client, query)


def test_it_finds_a_certificate_by_the_credit_code(client, haichuan):
    assert haichuan.credit_code and haichuan.number in search(client, haichuan.credit_code.lower())


def test_it_says_clearly_when_nothing_is_found(client, haichuan):
    page = search(client, "不存在的企业")
    assert 'id="reg-none"' in page and "No certificate found for “不存在的企业”" in page
    assert haichuan.number not in page


def test_it_shows_no_results_before_a_query(client, haichuan):
    page = search(client, "")
    assert 'id="reg-none"' not in page and haichuan.number not in page


def test_it_shows_status_level_and_expiry_in_the_results(client, haichuan):
    page = search(client, "海川")
    assert "reg-status-valid" in page and "★★★★★" in page and haichuan.expires_on.isoformat() in page


def test_it_pages_the_results(client, world):
    for i in range(23):
        make_certificate(world, number=f"TST{i:03d}X", name=f"宁波海川{i:02d}号电器有限公司")
    first, second = search(client, "海川"), search(client, "海川", page=2)
    assert "23 certificates found" in first and "page 1 of 2" in first
    assert first.count('href="/registry/TST') == 20 and second.count('href="/registry/TST') == 3


def test_its_query_count_does_not_grow_with_the_results(client, world):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            search(client, "电器")
        return len(ctx.captured_queries)

    make_certificate(world, number="TST000X", name="宁波海川电器有限公司")
    few = queries()
    for i in range(1, 12):
        make_certificate(world, number=f"TST{i:03d}X", name=f"宁波海川{i:02d}号电器有限公司")
    assert queries() == few
