"""Issue 21, item 1: a records sample feeds only an assessment its judge may write.

The attack: the audited enterprise's admin drew a sample on the records page while the only draft
assessment of the enterprise was the CB's audit; the page linked the sample to the audit, and the
admin's verdicts (then an unassigned auditor's and a committee member's) rewrote audit item
5.1.1.2 with no case event.
"""

import pytest
from django.urls import reverse

from aftersales.assessments.models import Answer, Assessment
from aftersales.certification.models import Case, CaseEvent
from aftersales.records.models import AuditSample, SampleEntry
from aftersales.records.services import SampleRefused, VerdictRefused, sample_draw, sample_verdict_save
from tests.audits.factories import case_at

pytestmark = pytest.mark.django_db

ITEM = "5.1.1.2"  # scored on samples


@pytest.fixture
def audit_case(world, imported):
    """甲企业's case in audit, 'auditor' leading; the self-assessment is finished, so the audit's
    assessment is the enterprise's only draft."""
    Assessment.objects.filter(pk=world["assessment"].pk).update(
        status="finished", finished_at="2026-06-01T00:00:00Z", result={}
    )
    return case_at(world, Case.Status.AUDIT)


def _audit_answer(case):
    return Answer.objects.get(assessment=case.audit.assessment, item_code=ITEM)


def _post_draw(client, world, user, seed="mine"):
    client.force_login(user)
    return client.post(
        reverse("records_samples", args=[world["enterprise"].pk]),
        {"kind": "work_order", "n": "5", "seed": seed, "method": "simple", "item": ITEM},
    )


def _verdict(client, world, user, entry, verdict="conform"):
    client.force_login(user)
    return client.post(
        reverse("records_verdict", args=[world["enterprise"].pk, entry.sample_id, entry.pk]),
        {"verdict": verdict},
        headers={"HX-Request": "true"},
    )


def _team_sample(world, case):
    return sample_draw(
        enterprise=world["enterprise"],
        kind="work_order",
        n=5,
        seed="team-seed",
        method="simple",
        assessment=case.audit.assessment,
        item_code=ITEM,
        by=world["people"]["auditor"],
    )


def test_it_never_links_the_enterprises_sample_to_the_audit(client, world, audit_case):
    before = _audit_answer(audit_case)
    response = _post_draw(client, world, world["people"]["ent_admin"])
    assert response.status_code == 400  # no draft self-assessment to feed: nothing drawn
    assert not AuditSample.objects.filter(assessment=audit_case.audit.assessment).exists()
    for sample in AuditSample.objects.all():
        for entry in sample.entries.all():
            _verdict(client, world, world["people"]["ent_admin"], entry)
    after = _audit_answer(audit_case)
    assert (after.kind, after.version) == (before.kind, before.version) == ("conform", before.version)


def test_it_refuses_the_audit_to_whoever_is_not_on_the_team(world, audit_case):
    with pytest.raises(SampleRefused):
        sample_draw(
            enterprise=world["enterprise"],
            kind="work_order",
            n=5,
            seed="mine",
            method="simple",
            assessment=audit_case.audit.assessment,
            item_code=ITEM,
            by=world["people"]["ent_admin"],
        )
    with pytest.raises(SampleRefused):
        sample_draw(
            enterprise=world["enterprise"],
            kind="work_order",
            n=5,
            method="simple",
            assessment=audit_case.audit.assessment,
            item_code=ITEM,
            by=world["people"]["reviewer"],
        )


def test_it_lets_the_team_draw_the_audit_sample_with_its_own_seed(client, world, audit_case):
    response = _post_draw(client, world, world["people"]["auditor"], seed="team-seed")
    assert response.status_code == 302
    sample = AuditSample.objects.get()
    assert (sample.assessment_id, sample.item_code, sample.seed) == (audit_case.audit.assessment_id, ITEM, "team-seed")
    assert sample.drawn_by == world["people"]["auditor"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("ent_admin", 403), ("ent_member", 403), ("cb_admin", 403), ("reviewer", 403), ("auditor_other", 404)],
)
def test_it_refuses_audit_verdicts_from_outside_the_team(client, world, audit_case, persona, status):
    sample = _team_sample(world, audit_case)
    before = _audit_answer(audit_case)
    entry = sample.entries.first()
    assert _verdict(client, world, world["people"][persona], entry).status_code == status
    entry.refresh_from_db()
    assert entry.verdict == "pending"
    assert _audit_answer(audit_case).version == before.version


def test_it_refuses_audit_verdicts_from_the_committee(client, world, audit_case):
    sample = _team_sample(world, audit_case)
    before = _audit_answer(audit_case)
    assert _verdict(client, world, world["people"]["committee"], sample.entries.first()).status_code == 404
    assert _audit_answer(audit_case).version == before.version


def test_it_records_a_case_event_for_each_verdict_that_changes_the_audit(client, world, audit_case):
    sample = _team_sample(world, audit_case)
    entries = list(sample.entries.all())
    auditor = world["people"]["auditor"]
    assert _verdict(client, world, auditor, entries[0]).status_code == 200
    assert _verdict(client, world, auditor, entries[1], "nonconform").status_code == 200
    answer = _audit_answer(audit_case)
    assert (answer.kind, answer.sampled, answer.nonconforming, answer.updated_by) == ("sampled", 2, 1, auditor)
    events = list(CaseEvent.objects.filter(case=audit_case, action="audit.answer_sampled").order_by("seq"))
    assert [e.actor for e in events] == [auditor, auditor]
    assert events[-1].data == {
        "item": ITEM,
        "sample": sample.pk,
        "record": entries[1].record_key,
        "verdict": "nonconform",
        "sampled": 2,
        "nonconforming": 1,
    }
    assert events[-1].public is False  # the enterprise sees audit scores with the report only


def test_it_refuses_a_sample_linked_to_the_audit_but_not_drawn_by_the_team(world, audit_case):
    """A sample left linked to the audit by the old page (drawn by the auditee with its own seed)."""
    sample = sample_draw(
        enterprise=world["enterprise"],
        kind="work_order",
        n=5,
        seed="mine",
        method="simple",
        by=world["people"]["ent_admin"],
    )
    AuditSample.objects.filter(pk=sample.pk).update(assessment=audit_case.audit.assessment, item_code=ITEM)
    before = _audit_answer(audit_case)
    entry = SampleEntry.objects.filter(sample=sample).first()
    with pytest.raises(VerdictRefused):
        sample_verdict_save(entry=entry, verdict="conform", by=world["people"]["auditor"])
    assert _audit_answer(audit_case).version == before.version


def test_it_still_feeds_the_enterprises_own_self_assessment(client, world, imported):
    response = _post_draw(client, world, world["people"]["ent_member"])
    assert response.status_code == 302
    sample = AuditSample.objects.get()
    assert sample.assessment_id == world["assessment"].pk
    assert _verdict(client, world, world["people"]["ent_member"], sample.entries.first()).status_code == 200
    answer = Answer.objects.get(assessment=world["assessment"], item_code=ITEM)
    assert (answer.kind, answer.sampled, answer.nonconforming) == ("sampled", 1, 0)
