import pytest
from django.utils import translation

from tests.certificates.factories import issued, new_enterprise


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def haichuan(world):
    """A valid five-star certificate of 杭州海川电器有限公司, issued through the services."""
    return issued(world, enterprise=new_enterprise("杭州海川电器有限公司"))
