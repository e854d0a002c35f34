"""`aftersales certificate verify | show | pdf`."""

import io
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from pypdf import PdfReader, PdfWriter
from typer.testing import CliRunner

from aftersales.certificates import pdfrecord
from aftersales.certificates.documents import certificate_pdf
from aftersales.certificates.signing import published_keys
from aftersales.cli import app

from .factories import issued

pytestmark = pytest.mark.django_db
runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def signed(world, tmp_path):
    """An issued certificate, its PDF on disk and the published keys saved as JSON."""
    certificate = issued(world)
    version = certificate.versions.get()
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate_pdf(version, "en"))
    keys = tmp_path / "aftersales-cert-keys.json"
    keys.write_text(json.dumps({"keys": published_keys()}))
    return {"certificate": certificate, "version": version, "pdf": pdf, "keys": keys, "dir": tmp_path}


def verify(*args):
    result = runner.invoke(app, ["certificate", "verify", *map(str, args), "--lang", "en"])
    assert "Traceback" not in result.output
    return result


def record_stream(pdf: bytes) -> tuple[int, int, int]:
    """(offset of the attached record's object, start and end of its stream's raw bytes), found
    with pypdf through the document's attachment list."""
    reader = PdfReader(io.BytesIO(pdf))
    names = reader.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    ref = names[names.index(pdfrecord.ATTACHMENT_NAME) + 1].get_object()["/EF"].raw_get("/F")
    offset = reader.xref[ref.generation][ref.idnum]
    start = pdf.index(b"stream", offset) + len(b"stream")
    start += 2 if pdf[start : start + 2] == b"\r\n" else 1
    length = re.search(rb"/Length (\d+)", pdf[offset:start])  # pypdf keeps no /Length: from the bytes
    return offset, start, start + int(length[1])


def rewritten(pdf: bytes, change) -> bytes:
    """A copy of `pdf` whose embedded record was edited in place (stream and /Length rewritten; the
    cross-reference offsets go stale, as with a careless editor)."""
    offset, start, end = record_stream(pdf)
    body = pdf[start:end]
    record = json.loads(zlib.decompress(body))
    change(record)
    new = zlib.compress(pdfrecord.record_bytes(record))
    assert f"/Length {len(body)}".encode() in pdf[offset:start]
    head = pdf[offset:start].replace(f"/Length {len(body)}".encode(), f"/Length {len(new)}".encode())
    return pdf[:offset] + head + new + pdf[end:]


def updated(pdf: bytes, change) -> bytes:
    """`pdf` saved with an incremental update (the original bytes, then the changed objects, a new
    cross-reference section and a second end-of-file marker), as an editor saves; `change(writer)`."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(pdf)
    return out.getvalue()


def edit_record(change):
    """A `change` for `updated`: edits the attached record."""

    def edit(writer):
        attachment = next(iter(writer.attachment_list))
        record = json.loads(attachment.content)
        change(record)
        attachment.content = pdfrecord.record_bytes(record)

    return edit


def test_it_verifies_a_fresh_certificate_with_the_published_key_list(signed):
    result = verify(signed["pdf"], "--keys", signed["keys"])
    assert result.exit_code == 0, result.output
    version = signed["version"]
    assert f"valid signature by key {version.key_id}" in result.output
    assert signed["certificate"].number in result.output and "甲企业" in result.output
    assert pdfrecord.fingerprint(version.signature) in result.output
    assert "current status" in result.output  # the signature is not the status: says where to look


def test_it_verifies_with_the_keys_this_instance_published(signed):
    result = verify(signed["pdf"])
    assert result.exit_code == 0, result.output


def test_it_verifies_with_a_pem_public_key_or_its_raw_base64url(signed):
    private = serialization.load_pem_private_key(Path(settings.CERT_SIGNING_KEY_FILE).read_bytes(), password=None)
    public = private.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (signed["dir"] / "public.pem").write_bytes(pem)
    assert verify(signed["pdf"], "--key", signed["dir"] / "public.pem").exit_code == 0
    raw = {k["kid"]: k["x"] for k in published_keys()}[signed["version"].key_id]
    assert verify(signed["pdf"], "--key", raw).exit_code == 0


def test_it_answers_in_json(signed):
    result = runner.invoke(app, ["certificate", "verify", str(signed["pdf"]), "--keys", str(signed["keys"]), "--json"])
    body = json.loads(result.output)
    assert body["valid"] is True and body["payload"] == signed["version"].payload


def test_it_fails_when_the_payload_was_altered(signed):
    def upgrade(record):
        record["payload"]["level"] = "five_star" if record["payload"]["level"] != "five_star" else "qualified"

    tampered = signed["dir"] / "tampered.pdf"
    tampered.write_bytes(rewritten(signed["pdf"].read_bytes(), upgrade))
    assert pdfrecord.records_in_pdf(tampered.read_bytes())[0]["payload"]["level"] != signed["version"].level
    result = verify(tampered, "--keys", signed["keys"])
    assert result.exit_code == 1
    assert "NOT VALID: bad signature" in result.output and "altered" in result.output


def test_it_fails_on_a_pdf_rendered_with_a_changed_payload_and_the_old_signature(signed):
    version = signed["version"]
    record = {**pdfrecord.signed_record(payload=version.payload, signature=version.signature, key_id=version.key_id)}
    record["payload"] = {**version.payload, "expires_on": "2099-12-31"}
    forged = signed["dir"] / "forged.pdf"
    forged.write_bytes(certificate_pdf(version, "en", record=record))
    result = verify(forged, "--keys", signed["keys"])
    assert result.exit_code == 1 and "bad signature" in result.output


def test_it_fails_with_a_key_that_did_not_sign_it(signed):
    other = Ed25519PrivateKey.generate().public_key()
    pem = other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (signed["dir"] / "other.pem").write_bytes(pem)
    result = verify(signed["pdf"], "--key", signed["dir"] / "other.pem")
    assert result.exit_code == 1
    assert (
        f"signed with key {signed['version'].key_id}" in result.output and "not among the given keys" in result.output
    )


def test_it_fails_when_the_signature_key_id_was_swapped(signed, tmp_path):
    """A record claiming another key: the signature check with that key fails."""
    other = Ed25519PrivateKey.generate().public_key()
    raw = other.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = pdfrecord.key_id_of(raw)
    keys = json.loads(signed["keys"].read_text())
    keys["keys"].append({"kid": kid, "x": __import__("base64").urlsafe_b64encode(raw).rstrip(b"=").decode()})
    signed["keys"].write_text(json.dumps(keys))
    swapped = tmp_path / "swapped.pdf"
    swapped.write_bytes(rewritten(signed["pdf"].read_bytes(), lambda r: r.update(key_id=kid)))
    result = verify(swapped, "--keys", signed["keys"])
    assert result.exit_code == 1 and "bad signature" in result.output


def test_it_fails_on_a_pdf_without_a_record_and_on_one_with_two(signed, tmp_path):
    import weasyprint

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(weasyprint.HTML(string="<p>商品售后服务评价认证证书</p>").write_pdf())
    result = verify(plain, "--keys", signed["keys"])
    assert result.exit_code == 1 and "holds no signed certificate record" in result.output

    # an incremental update that replaces the record: the file as written holds the genuine one
    twice = tmp_path / "twice.pdf"
    twice.write_bytes(updated(signed["pdf"].read_bytes(), edit_record(lambda r: r["payload"].update(scope="一切"))))
    result = verify(twice, "--keys", signed["keys"])
    assert result.exit_code == 1 and "2 different signed records" in result.output


def test_it_fails_on_a_pdf_changed_after_it_was_written(signed, tmp_path):
    """Anything after the first end-of-file marker (pypdf would read the file from its last one):
    an incremental save that leaves the record alone, an object added by hand."""
    data = signed["pdf"].read_bytes()
    saved = updated(data, lambda writer: writer.add_metadata({"/Title": "edited"}))
    offset, _, end = record_stream(data)
    copy = b"99" + data[data.index(b" ", offset) : end] + b"\nendstream\nendobj\n"  # the record again, as object 99
    by_hand = data + b"\n" + copy + b"%%EOF\n"
    for name, changed in (("saved.pdf", saved), ("by-hand.pdf", by_hand)):
        (tmp_path / name).write_bytes(changed)
        assert pdfrecord.records_in_pdf(changed) == pdfrecord.records_in_pdf(data)
        result = verify(tmp_path / name, "--keys", signed["keys"])
        assert result.exit_code == 1, result.output
        assert "page's text cannot be read" in result.output and "changed after it was written" in result.output
    assert verify(signed["pdf"], "--keys", signed["keys"]).exit_code == 0
    (tmp_path / "blank-tail.pdf").write_bytes(data + b"\r\n \n")
    assert verify(tmp_path / "blank-tail.pdf", "--keys", signed["keys"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.pdf"], "cannot read"),
        (["notpdf.txt"], "is not a PDF"),
        (["certificate.pdf", "--key", "not-a-key"], "--key: not a public key"),
        (["certificate.pdf", "--keys", "bad.json"], "--keys:"),
    ],
)
def test_it_exits_2_on_bad_input(signed, args, message):
    (signed["dir"] / "notpdf.txt").write_text("hello")
    (signed["dir"] / "bad.json").write_text("[1, 2]")
    paths = [str(signed["dir"] / a) if a.endswith((".pdf", ".txt", ".json")) else a for a in args]
    result = verify(*paths)
    assert result.exit_code == 2 and message in result.output


def test_it_verifies_offline_without_settings_or_a_database(signed):
    """A separate process with no Django settings in its environment: the key list is enough."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "AFTERSALES_"))}
    code = "from aftersales.cli import app; app()"
    args = ["certificate", "verify", str(signed["pdf"]), "--keys", str(signed["keys"]), "--lang", "en"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=signed["dir"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid signature by key" in done.stdout
    assert not (signed["dir"] / "var").exists()  # no data directory, no database touched


def test_show_prints_the_certificate(signed):
    number = signed["certificate"].number
    result = runner.invoke(app, ["certificate", "show", number.lower(), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["number"] == number and body["status"] == "valid"
    assert [v["version"] for v in body["versions"]] == [1] and body["events"][0]["action"] == "certificate.issued"
    text = runner.invoke(app, ["certificate", "show", number, "--lang", "en"])
    assert text.exit_code == 0 and "certificate.issued" in text.output and "甲企业" in text.output


def test_show_and_pdf_refuse_an_unknown_number(signed):
    for args in (["show", "ASC00SC99999X"], ["pdf", "ASC00SC99999X", "-o", str(signed["dir"] / "x.pdf")]):
        result = runner.invoke(app, ["certificate", *args, "--lang", "en"])
        assert result.exit_code == 2 and "no certificate numbered ASC00SC99999X" in result.output
        assert "Traceback" not in result.output


def test_pdf_writes_a_verifiable_file(signed):
    out = signed["dir"] / "zh.pdf"
    number = signed["certificate"].number
    result = runner.invoke(app, ["certificate", "pdf", number, "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert pdfrecord.records_in_pdf(out.read_bytes())[0]["payload"]["number"] == number
    assert verify(out, "--keys", signed["keys"]).exit_code == 0
    bad = runner.invoke(app, ["certificate", "pdf", number, "-o", str(out), "--version", "7", "--lang", "en"])
    assert bad.exit_code == 2 and "has no version 7" in bad.output
