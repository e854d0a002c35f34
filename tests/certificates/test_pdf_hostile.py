"""The verifier's PDF reading (`pdffile`, `pdfrecord`, `pdftext`: pypdf) on hostile files: bounded
in size, memory and time, and a refusal rather than a crash."""

import json
import tracemalloc
import zlib

import pytest
from typer.testing import CliRunner

from aftersales.certificates import pdffile, pdfrecord, pdftext
from aftersales.cli import app

runner = CliRunner()
RECORD = pdfrecord.signed_record(payload={"number": "ASC26SC00001J"}, signature="c2ln", key_id="0123456789abcdef")


def pdf_of(objects: list[bytes]) -> bytes:
    """A one-revision PDF of `objects` (numbered from 1, the first the catalog) with its xref table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(head: bytes, data: bytes) -> bytes:
    return b"<<" + head + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def certificate_like(
    record: bytes | None = None, content: bytes = b"BT /F1 12 Tf 10 50 Td (Hello) Tj ET", kids=b"[3 0 R]", page=b""
) -> bytes:
    """A one-page PDF attaching certificate.json (`record`, compressed) and drawing `content`."""
    record = zlib.compress(pdfrecord.record_bytes(RECORD)) if record is None else record
    return pdf_of(
        [
            b"<</Type /Catalog/Pages 2 0 R/Names <</EmbeddedFiles <</Names [(certificate.json) 4 0 R]>>>>>>",
            b"<</Type /Pages/Kids " + kids + b"/Count 1>>",
            b"<</Type /Page/Parent 2 0 R/MediaBox [0 0 100 100]/Contents 6 0 R"
            b"/Resources <</Font <</F1 7 0 R>>>>" + page + b">>",
            b"<</Type /Filespec/F (certificate.json)/EF <</F 5 0 R>>>>",
            stream(b"/Type /EmbeddedFile/Filter /FlateDecode", record),
            stream(b"", content),
            b"<</Type /Font/Subtype /Type1/BaseFont /Helvetica>>",
        ]
    )


def test_the_hand_made_pdf_is_read():
    """The files below differ from this one only in what makes them hostile."""
    data = certificate_like()
    assert pdfrecord.records_in_pdf(data) == [RECORD]
    assert pdftext.page_text(data) == "Hello"


def test_a_compressed_bomb_in_the_attachment_stops_at_the_limit():
    bomb = certificate_like(record=zlib.compress(b"\0" * 200_000_000, 9))  # 200 MB inflated, 200 KB here
    tracemalloc.start()
    try:
        assert pdfrecord.records_in_pdf(bomb) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * pdffile.LIMITS["zlib_maximum_output_length"]


@pytest.mark.parametrize(
    "data",
    [
        certificate_like(content=zlib.compress(b" " * 200_000_000, 9)),  # a content stream bomb
        certificate_like(content=b"0 0 m " * 400_000),  # more operators than the parsing budget
        certificate_like(content=b"[" * 200_000),
    ],
    ids=["content-bomb", "operators", "open-arrays"],
)
def test_a_page_pypdf_stops_reading_shows_no_text(data):
    assert pdftext.page_text(data) == ""  # so no field is found: "the page does not show …"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (certificate_like(page=b"/Annots " + b"[" * 50_000 + b"]" * 50_000), "PdfReadError"),
        (certificate_like(kids=b"[2 0 R]"), "cyclic page references"),
        (certificate_like(kids=b"[" + b"3 0 R " * 41 + b"]"), "41 pages"),
        (b"%PDF-1.7\n" + b" " * pdffile.MAX_BYTES, "more than the"),
    ],
    ids=["nested-arrays", "page-tree-loop", "too-many-pages", "too-large"],
)
def test_a_malformed_or_oversized_file_is_unreadable(data, why):
    with pytest.raises(pdftext.Unreadable, match=why):
        pdftext.page_text(data)


def test_the_verifier_refuses_an_oversized_file_before_reading_it(tmp_path):
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b" " * (pdffile.MAX_BYTES + 1))
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": []}))
    result = runner.invoke(app, ["certificate", "verify", str(big), "--keys", str(keys), "--lang", "en"])
    assert result.exit_code == 1 and "is over 8388608 bytes" in result.output, result.output


def test_the_verifier_says_not_valid_on_a_malformed_file(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": []}))
    for name, data in (
        ("nested.pdf", certificate_like(page=b"/Annots " + b"[" * 50_000 + b"]" * 50_000)),
        ("truncated.pdf", certificate_like()[:300]),
        ("bomb.pdf", certificate_like(record=zlib.compress(b"\0" * 50_000_000))),
    ):
        (tmp_path / name).write_bytes(data)
        result = runner.invoke(
            app, ["certificate", "verify", str(tmp_path / name), "--keys", str(keys), "--lang", "en"]
        )
        assert result.exit_code == 1, (name, result.output)
        assert "Traceback" not in result.output and "NOT VALID" in result.output
