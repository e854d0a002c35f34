import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the msgids); pages are tested in both languages where it matters."""
    with translation.override("en"):
        yield
