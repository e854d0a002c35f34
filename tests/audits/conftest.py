import pytest

from .factories import case_at


@pytest.fixture
def at(world):
    """at("audit") → a case at that status."""
    return lambda status, **kw: case_at(world, status, **kw)
