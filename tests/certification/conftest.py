import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the msgids); pages are tested in both languages where it matters."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service messages are asserted in English here (the pages' Chinese is tested through the catalogue)."""
    from django.utils import translation

    with translation.override("en"):
        yield
