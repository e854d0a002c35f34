"""Publishing the registry: every kind stored, what makes it stale, a failed publication costing a
render (never the change), the release, a lagging render not stored."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.db.models import F

from aftersales.certificates import services
from aftersales.certificates.models import Surveillance
from aftersales.registry import publish
from aftersales.registry.models import Publication

from .helpers import add_event, make_certificate

pytestmark = pytest.mark.django_db


def current(kind: str, number: str) -> str | None:
    """The stored answer for the certificate's current head and this release, if there is one."""
    found = Publication.objects.filter(
        key=publish.pub_key(kind, number), stamp=F("certificate__head_hash"), release=publish.release()
    ).first()
    return None if found is None else found.body


@pytest.fixture
def written(world):
    """Three certificates written as rows: nothing published for them yet."""
    return [
        make_certificate(world, number=n, name=f"企业{i}")
        for i, n in enumerate(["ASC26SC00001J", "ASC26SC00002K", "ASC26SC00003L"])
    ]


def test_a_publication_stores_every_kind_and_an_event_behind_the_services_back_makes_them_stale(written):
    assert publish.publish(c.number for c in written) == 3 * len(publish.kinds())
    assert all(current(kind, c.number) for kind in publish.kinds() for c in written)
    add_event(written[1], action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    assert current("json", written[1].number) is None and current("json", written[0].number)


def test_a_failed_publication_is_logged_and_the_change_stands(
    world, haichuan, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(numbers):
        raise RuntimeError("template gone")

    monkeypatch.setattr(publish, "publish", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_suspend(certificate=haichuan, reason="暂停", by=world["people"]["cb_admin"])
    haichuan.refresh_from_db()
    assert haichuan.status == "suspended"
    assert "template gone" in caplog.text and haichuan.number in caplog.text
    assert current("json", haichuan.number) is None  # the valid answer is not current any more


def test_cancelled_surveillances_of_a_withdrawn_certificate_are_never_answered_from_before(
    world, haichuan, django_capture_on_commit_callbacks
):
    """The job cancels a dead certificate's planned surveillances with an event that moves its head:
    the answer stored before is not current at once, even before (or without) publishing the new one."""
    from aftersales.ops.daily import daily_run

    services.certificate_withdraw(certificate=haichuan, reason="撤销", by=world["people"]["cb_admin"])
    publish.publish([haichuan.number])  # as the withdrawal's commit does
    assert current("json", haichuan.number) is not None
    with django_capture_on_commit_callbacks(execute=False):  # the job's change, not published yet
        daily_run(today=date(2026, 11, 23))
    assert not Surveillance.objects.filter(certificate=haichuan, state="planned").exists()
    assert current("json", haichuan.number) is None  # its head moved: the stored answer is not current
    assert json.loads(publish.answer("json", haichuan.number).body)["surveillance"]["next_due"] is None
    assert current("json", haichuan.number) is not None  # its reader rendered and stored it


def test_the_release_covers_what_shapes_the_answers_and_nothing_else(settings, tmp_path, monkeypatch):
    """Templates, the registry's selectors and presenters, translations, the static manifest and the
    site's address: a deploy that changes other code keeps every stored answer."""
    from aftersales.registry import presenters, selectors

    files = {p.resolve() for p in publish.release_files()}
    assert {Path(selectors.__file__).resolve(), Path(presenters.__file__).resolve()} <= files
    assert (publish.TEMPLATES / "registry" / "_record.html").resolve() in files
    others = {p for p in files if p.suffix == ".py"} - {Path(m.__file__).resolve() for m in (selectors, presenters)}
    assert not others and Path(services.__file__).resolve() not in files
    key = publish.release()
    template = tmp_path / "_extra.html"
    template.write_text("a")
    monkeypatch.setattr(publish, "release_files", lambda: [template])
    publish.release.cache_clear()
    try:
        first = publish.release()
        template.write_text("b")
        publish.release.cache_clear()
        assert publish.release() != first
        settings.PUBLIC_BASE_URL = "https://registry.example"
        publish.release.cache_clear()
        assert publish.release() not in {first, key}
    finally:
        publish.release.cache_clear()


def test_a_render_from_an_older_state_is_answered_but_not_stored(written, monkeypatch):
    """As from a replica that lags: the primary has moved on, so the older render is not stored
    (it would overwrite the newer row only to be found stale by the next reader)."""
    from aftersales.registry.selectors import registry_entry

    c = written[0]
    older = registry_entry(c.number)
    add_event(c, action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    monkeypatch.setattr(publish, "registry_entry", lambda number, using=None: older)
    assert b'"status": "valid"' in publish.answer("json", c.number).body
    assert not Publication.objects.filter(key=publish.pub_key("json", c.number)).exists()
    monkeypatch.undo()
    assert b'"status": "suspended"' in publish.answer("json", c.number).body
    assert Publication.objects.filter(key=publish.pub_key("json", c.number)).exists()
