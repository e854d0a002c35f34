import pytest
from django.utils import translation

from aftersales.accounts.models import Organisation


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _addresses(request):
    """Enterprises with an address: a certificate states it, so the report requires it."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        Organisation.objects.filter(address="").update(address="浙江省杭州市西湖区文三路 1 号")
