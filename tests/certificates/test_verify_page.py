"""`aftersales certificate verify` compares what the page shows with the signed record (issue 21, item 14).

The attacks: a PDF whose page says five stars over a genuine three-star record, and a PDF whose page
is one certificate's while it carries another certificate's genuine record. Both used to verify as
"签名有效" because only the embedded record is signed.
"""

import copy
import json

import pytest
from typer.testing import CliRunner

from aftersales.certificates import pdftext
from aftersales.certificates.documents import certificate_pdf, certificate_record
from aftersales.certificates.signing import published_keys
from aftersales.cli import app

from .factories import issued, new_enterprise

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def three_star(world, tmp_path):
    certificate = issued(world, level="three_star")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": published_keys()}))
    return {"version": certificate.versions.get(), "keys": keys, "dir": tmp_path}


def verify(path, keys, *more):
    result = runner.invoke(app, ["certificate", "verify", str(path), "--keys", str(keys), *more])
    assert "Traceback" not in result.output
    return result


def test_it_says_every_key_field_of_a_genuine_page_matches(three_star):
    pdf = three_star["dir"] / "genuine.pdf"
    pdf.write_bytes(certificate_pdf(three_star["version"], "zh-hans"))
    result = verify(pdf, three_star["keys"])
    assert result.exit_code == 0, result.output
    assert "签名有效" in result.output
    for label in ("证书编号", "企业名称", "评价等级", "初次发证日期", "本次发证日期", "有效期至"):
        assert f"页面与签名记录一致：{label}" in result.output


def test_it_fails_when_the_page_shows_five_stars_over_a_three_star_record(three_star):
    version = three_star["version"]
    genuine = certificate_record(version)
    shown = copy.copy(version)
    shown.level = "five_star"  # what the page prints; the attached record stays the genuine one
    forged = three_star["dir"] / "five-stars.pdf"
    forged.write_bytes(certificate_pdf(shown, "en", record=genuine))

    result = verify(forged, three_star["keys"], "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "NOT VALID" in result.output
    assert "level: the page shows five-star, the signed record says three-star" in result.output
    assert "the page matches the signed record: certificate number" in result.output

    body = json.loads(verify(forged, three_star["keys"], "--json").output)
    assert body["valid"] is False and body["page"]["level"] == {
        "match": False,
        "page": ["five_star"],
        "record": "three_star",
    }


def test_it_fails_when_the_pdf_carries_another_certificates_genuine_record(world, three_star):
    other = issued(world, level="five_star", enterprise=new_enterprise("乙电器有限公司")).versions.get()
    forged = three_star["dir"] / "borrowed.pdf"
    forged.write_bytes(certificate_pdf(other, "zh-hans", record=certificate_record(three_star["version"])))

    result = verify(forged, three_star["keys"])
    assert result.exit_code == 1, result.output
    assert "签名有效" not in result.output
    assert f"证书编号：页面为 {other.certificate.number}，签名记录为 {three_star['version'].certificate.number}" in (
        result.output
    )
    assert "企业名称：页面为 乙电器有限公司，签名记录为 甲企业" in result.output


def test_it_fails_when_the_page_text_cannot_be_read(three_star):
    """A page whose text is not there to read (here: a second page added) is not taken on trust."""
    pdf = certificate_pdf(three_star["version"], "en")
    broken = three_star["dir"] / "two-pages.pdf"
    broken.write_bytes(pdf + b"\n99 0 obj\n<</Type /Page>>\nendobj\n")
    with pytest.raises(pdftext.Unreadable):
        pdftext.page_text(broken.read_bytes())
    result = verify(broken, three_star["keys"], "--lang", "en")
    assert result.exit_code == 1 and "cannot be read" in result.output
