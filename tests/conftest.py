import pytest


@pytest.fixture
def schemes_registered(db):
    """The shipped schemes registered in the database, as `make demo` leaves them."""
    from aftersales.schemes.services import scheme_sync_shipped

    return scheme_sync_shipped(by_label="test")
