"""A cached JSON answer by number is served before the rest of the middleware stack: no query, no
session, the same bytes, the same rate limit, and a change shows at once."""

import pytest

from aftersales.certificates import services

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit: a change drops the cached answer


def test_it_serves_the_cached_answer_without_touching_the_database(client, haichuan, django_assert_num_queries):
    first = client.get(f"/api/registry/{haichuan.number}")
    with django_assert_num_queries(0):
        again = client.get(f"/api/registry/{haichuan.number}")
    assert again.status_code == 200 and again.content == first.content
    assert "sessionid" not in again.cookies and again["Content-Type"] == "application/json"


def test_it_counts_cached_answers_against_the_rate_limit(client, haichuan, settings):
    settings.REGISTRY_RATE_LIMIT = 2
    codes = [client.get(f"/api/registry/{haichuan.number}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_suspension_shows_at_once(client, world, haichuan):
    assert client.get(f"/api/registry/{haichuan.number}").json()["status"] == "valid"
    services.certificate_suspend(certificate=haichuan, reason="监督审核未按期进行", by=world["people"]["cb_admin"])
    assert client.get(f"/api/registry/{haichuan.number}").json()["status"] == "suspended"
