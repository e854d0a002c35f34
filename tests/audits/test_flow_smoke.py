import pytest

from .factories import ORDER, case_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", ORDER)
def test_it_reaches_every_stage(world, status):
    case = case_at(world, status)
    assert case.status == status
