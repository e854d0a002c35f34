"""Registering scheme editions: idempotent, immutable, recorded."""

import pytest

from aftersales.core.problems import ProblemsError
from aftersales.events.models import Event
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of
from aftersales.schemes.services import scheme_register

pytestmark = pytest.mark.django_db


def test_it_registers_the_shipped_schemes_once(schemes_registered):
    from aftersales.schemes.services import scheme_sync_shipped

    assert all(r.created for r in schemes_registered)
    again = scheme_sync_shipped(by_label="test")
    assert not any(r.created for r in again)
    assert SchemeVersion.objects.count() == 3
    assert Event.objects.filter(action="scheme.registered").count() == 3


def test_it_records_who_registered_a_scheme(schemes_registered):
    event = Event.objects.filter(action="scheme.registered").first()
    assert event.actor_label == "test" and event.data["sha256"]


def test_it_refuses_other_content_under_a_registered_version(schemes_registered):
    row = SchemeVersion.objects.get(scheme_id="sbt10401-2006-a1")
    changed = bytes(row.source) + b"\n# edited\n"
    with pytest.raises(ProblemsError) as exc:
        scheme_register(data=changed, by_label="test")
    assert exc.value.problems[0].code == "scheme_version_taken"
    assert SchemeVersion.objects.count() == 3


def test_it_refuses_an_invalid_scheme_and_writes_nothing(db):
    with pytest.raises(ProblemsError):
        scheme_register(data=b"format: aftersales-scheme/1\nid: x\n", by_label="test")
    assert SchemeVersion.objects.count() == 0 and Event.objects.count() == 0


def test_it_rebuilds_the_scheme_from_the_stored_bytes(schemes_registered):
    from aftersales.core.scheme import get_scheme

    row = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    assert scheme_of(row) == get_scheme("gbt27922-2011")


def test_it_needs_an_actor_for_every_event(schemes_registered):
    from aftersales.events.services import event_record

    with pytest.raises(ValueError, match="actor"):
        event_record(action="x", subject=SchemeVersion.objects.first())
