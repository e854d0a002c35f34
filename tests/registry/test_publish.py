"""Publishing the registry: what is stale, catching up in batches, the CLI, the daily job, and a
failed publication costing a render, never the change."""

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aftersales.certificates import services
from aftersales.certificates.models import Surveillance
from aftersales.cli import app
from aftersales.registry import publish
from aftersales.registry.models import Publication

from .helpers import add_event, make_certificate

pytestmark = pytest.mark.django_db


def current(kind: str, number: str) -> str | None:
    """The stored answer for the certificate's current head and this release, if there is one."""
    found = publish.stored(kind, number, publish.head_of(number))
    return None if found is None else found.body.decode()


@pytest.fixture
def written(world):
    """Three certificates written as rows: nothing published for them yet."""
    return [
        make_certificate(world, number=n, name=f"企业{i}")
        for i, n in enumerate(["ASC26SC00001J", "ASC26SC00002K", "ASC26SC00003L"])
    ]


def test_certificates_written_without_the_services_are_stale_until_published(written):
    assert [number for _, number in publish.stale_numbers()] == [c.number for c in written]
    progress = []
    assert publish.publish_stale(batch=2, progress=progress.append) == 3
    assert progress == [2, 3]
    assert publish.stale_numbers() == []
    assert Publication.objects.count() == 3 * len(publish.kinds())
    assert publish.publish_stale() == 0


def test_an_event_added_behind_the_services_back_makes_its_rows_stale(written):
    publish.publish_stale()
    add_event(written[1], action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    assert [number for _, number in publish.stale_numbers()] == [written[1].number]
    assert current("json", written[1].number) is None


def test_the_cli_publishes_what_is_stale_and_all_on_request(written, monkeypatch):
    monkeypatch.setattr("aftersales.registry.cli.django_setup", lambda: None)
    result = CliRunner().invoke(app, ["registry", "publish"])
    assert result.exit_code == 0, result.output
    assert "published 3 certificates" in result.output
    assert "published 0 certificates" in CliRunner().invoke(app, ["registry", "publish"]).output
    assert "published 3 certificates" in CliRunner().invoke(app, ["registry", "publish", "--all"]).output


def test_the_daily_job_publishes_what_is_stale(written):
    from aftersales.ops.daily import daily_run

    report, _ = daily_run(today=date(2026, 11, 23))
    assert report.published == 3 and report.as_json()["published"] == 3
    assert daily_run(today=date(2026, 11, 23))[0].published == 0


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
    assert "publishing" in caplog.text and haichuan.number in caplog.text
    assert current("json", haichuan.number) is None  # the valid answer is not current any more


def test_cancelled_surveillances_of_a_withdrawn_certificate_are_published(
    world, haichuan, django_capture_on_commit_callbacks
):
    """The job cancels a dead certificate's planned surveillances with an event that moves its head:
    the answer showing them is stale at once, even if publishing the new one failed."""
    from aftersales.ops.daily import daily_run

    services.certificate_withdraw(certificate=haichuan, reason="撤销", by=world["people"]["cb_admin"])
    # the withdrawal published the page; a dead certificate has no surveillance due, planned or not
    publish.publish([haichuan.number])
    assert json.loads(current("json", haichuan.number))["surveillance"]["next_due"] is None
    with django_capture_on_commit_callbacks(execute=False):  # the job's own catching up only
        report, _ = daily_run(today=date(2026, 11, 23))
    assert not Surveillance.objects.filter(certificate=haichuan, state="planned").exists()
    assert report.published == 1  # the old answer no longer passed for current: it was stale
    assert json.loads(current("json", haichuan.number))["surveillance"]["next_due"] is None


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
