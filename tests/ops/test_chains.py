"""`aftersales verify-chain`: every hash chain, and signed checkpoints against rewriting and truncation
(issue 21, item 7).

The attacks, by someone who can write the database but holds neither the signing key nor the
checkpoint log: a changed certificate event (the old command checked cases only), the last event
deleted with the head moved back, an event rewritten with every later hash recomputed.
"""

import json

import pytest
from typer.testing import CliRunner

from aftersales.appeals.models import AppealEvent
from aftersales.certificates import checkpoints
from aftersales.certificates.models import CertificateEvent
from aftersales.certificates.pdfrecord import signature_valid
from aftersales.certificates.signing import published_keys
from aftersales.certification.cases import case_event_record
from aftersales.certification.models import Case, CaseEvent
from aftersales.cli import app
from aftersales.core.chain import GENESIS, link_hash
from aftersales.ops.chains import chains_anchor
from aftersales.registry.presenters import entry_json
from aftersales.registry.selectors import registry_entry
from tests.appeals.factories import lodged
from tests.certificates.factories import issued

pytestmark = pytest.mark.django_db
runner = CliRunner()


def verify_chain(*args):
    result = runner.invoke(app, ["verify-chain", "--json", *args])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


@pytest.fixture
def certified(world, django_capture_on_commit_callbacks):
    """A certificate issued from a decided case, with the checkpoints its commits wrote."""
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issued(world)
    return certificate


def rewrite(model, owner_field: str, owner, reference: str, seq: int, **change) -> None:
    """What a database writer without the key can do: change event `seq`, recompute that event's and
    every later event's hashes, and move the stored head."""
    prev = GENESIS
    for event in model.objects.filter(**{owner_field: owner}).order_by("seq"):
        if event.seq == seq:
            model.objects.filter(pk=event.pk).update(**change)
            event.refresh_from_db()
        if event.seq >= seq:
            new = link_hash(prev, event.payload(reference))
            model.objects.filter(pk=event.pk).update(prev_hash=prev, hash=new)
            event.hash = new
        prev = event.hash
    type(owner).objects.filter(pk=owner.pk).update(head_hash=prev)


def test_it_checks_certificate_chains_too(certified):
    CertificateEvent.objects.filter(certificate=certified, seq=1).update(reason="签发（改过）")
    code, body = verify_chain()
    assert code == 1
    assert {"chain": f"certificate:{certified.number}", "seq": 1, "reason": "hash"} in body["breaks"]


def test_it_checks_appeal_chains_too(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = lodged(world)
    assert verify_chain()[0] == 0
    AppealEvent.objects.filter(appeal=appeal, seq=1).update(reason="另一个理由")
    code, body = verify_chain()
    assert code == 1 and {"chain": f"appeal:{appeal.reference}", "seq": 1, "reason": "hash"} in body["breaks"]


def test_it_detects_the_last_event_deleted_and_the_head_moved_back(
    world, certified, django_capture_on_commit_callbacks
):
    case = certified.cases.get().case
    with django_capture_on_commit_callbacks(execute=True):
        case_event_record(case=case, action="note", reason="内部备注", by=world["people"]["cb_admin"], public=False)
    case.refresh_from_db()
    last = case.event_count
    assert verify_chain()[0] == 0

    CaseEvent.objects.filter(case=case, seq=last).delete()
    previous = CaseEvent.objects.get(case=case, seq=last - 1)
    Case.objects.filter(pk=case.pk).update(event_count=last - 1, head_hash=previous.hash)

    code, body = verify_chain()
    assert code == 1
    assert body["breaks"] == [{"chain": f"case:{case.reference}", "seq": last, "reason": "truncated"}]


def test_it_detects_an_event_rewritten_with_the_later_hashes_recomputed(certified):
    case = certified.cases.get().case
    rewrite(CaseEvent, "case", case, case.reference, 2, reason="改写的理由")
    rewrite(CertificateEvent, "certificate", certified, certified.number, 1, reason="改写")
    code, body = verify_chain()
    assert code == 1
    chains = {(b["chain"], b["reason"]) for b in body["breaks"]}
    assert (f"case:{case.reference}", "rewritten") in chains
    assert (f"certificate:{certified.number}", "rewritten") in chains
    result = runner.invoke(app, ["verify-chain"])
    assert result.exit_code == 1 and f"BROKEN certificate:{certified.number} event 1: rewritten" in result.output


def test_it_refuses_checkpoints_signed_with_another_key(certified, settings, tmp_path):
    """Forging the log needs the key: lines signed by any other key are breaks, not checkpoints."""
    settings.CERT_SIGNING_KEY_FILE = tmp_path / "forger.pem"
    forged = checkpoints.checkpoint_signed(f"certificate:{certified.number}", 1, "f" * 64)
    settings.CERT_SIGNING_KEY_FILE = tmp_path / "keys" / "certificate-signing.pem"
    checkpoints.checkpoint_append([forged])
    code, body = verify_chain()
    assert code == 1 and body["breaks"][0]["chain"] == "checkpoint-log"
    assert body["breaks"][0]["reason"].startswith("unknown key")


def test_the_daily_job_signs_heads_the_log_lacks_but_not_broken_ones(world):
    certificate = issued(world)  # no commit callbacks ran: nothing checkpointed yet
    assert f"certificate:{certificate.number}" in verify_chain()[1]["unanchored"]
    case = certificate.cases.get().case
    CaseEvent.objects.filter(case=case, seq=1).update(reason="改过")
    report = chains_anchor()
    assert f"certificate:{certificate.number}" in report.unanchored  # signed now
    assert f"case:{case.reference}" not in report.unanchored  # broken: not signed over
    body = verify_chain()[1]
    assert f"certificate:{certificate.number}" not in body["unanchored"]


def test_the_registry_answer_carries_the_signed_checkpoint_of_the_head(certified):
    certified.refresh_from_db()
    chain = entry_json(registry_entry(certified.number), as_of="now")["chain"]
    assert chain["chain"] == f"certificate:{certified.number}"
    assert (chain["seq"], chain["head"]) == (certified.event_count, certified.head_hash)
    key = {k["kid"]: k["x"] for k in published_keys()}[chain["key_id"]]
    payload = {k: chain[k] for k in ("format", "chain", "seq", "head")}
    assert signature_valid(payload, chain["signature"], key)
