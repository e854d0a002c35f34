import pytest

from .factories import case_at


@pytest.fixture
def at(world):
    """at("audit") → a case at that status."""
    return lambda status, **kw: case_at(world, status, **kw)


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service messages are asserted in English here (the pages' Chinese is tested through the catalogue)."""
    from django.utils import translation

    with translation.override("en"):
        yield
