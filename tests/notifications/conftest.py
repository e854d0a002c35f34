import pytest


@pytest.fixture
def people(world):
    """The world's people with an e-mail address each."""
    for name, user in world["people"].items():
        user.email = f"{name}@example.cn"
        user.save(update_fields=["email"])
    return world["people"]
