"""The quotation's amounts with thousands separators, its VAT statement (from the fee table, stored
with the quotation) and the CB's contact and bank details (from the CB's policy in force)."""

import shutil
import subprocess
from decimal import Decimal

import pytest
import yaml
from django.urls import reverse

from aftersales.certification.models import Case
from aftersales.core import fees
from aftersales.core.policy import PolicyError, parse_policy
from tests.policy import install_policy

from .helpers import make_case

CONTACT = {
    "contact.person": "王晓燕",
    "contact.phone": "0571-8888 6666",
    "contact.email": "quote@huaxin-cert.example",
    "contact.bank_name": "中国工商银行杭州西湖支行",
    "contact.account_name": "华信认证中心有限公司",
    "contact.account_number": "1202 0216 0900 1234 567",
}


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True)
    return done.stdout.decode()


@pytest.mark.parametrize(
    ("amount", "printed"),
    [("19000", "19,000.00"), (Decimal("1234567.5"), "1,234,567.50"), ("0", "0.00"), ("999.99", "999.99")],
)
def test_it_prints_amounts_with_thousands_separators(amount, printed):
    assert fees.money(amount) == printed


def test_it_states_whether_the_amounts_include_vat():
    included = fees.tax_statement({"included": True, "rate": "6.00"})
    assert included.zh == "以上金额均为含税价（增值税税率 6%）。" and included.en == "All amounts include VAT at 6 %."
    excluded = fees.tax_statement({"included": False, "rate": "6.50"})
    assert excluded.zh == "以上金额均不含税，增值税按 6.5% 另计。"
    assert fees.tax_statement(None) is None  # a quotation made before fee tables stated it


def test_a_fee_table_must_say_how_vat_is_treated():
    raw = yaml.safe_load(fees.DEFAULT_PATH.read_text(encoding="utf-8"))
    assert fees.parse_table(raw).tax == fees.Tax(True, Decimal("6.00"))
    with pytest.raises(fees.FeeTableError, match=r"tax\.included"):
        fees.parse_table(raw | {"tax": {"included": "yes", "rate": "6"}})
    with pytest.raises(fees.FeeTableError, match=r"tax\.rate"):
        fees.parse_table(raw | {"tax": {"included": True, "rate": "150"}})


def test_the_policy_refuses_contact_details_that_are_not_text():
    from aftersales.core.policy import DEFAULT_PATH

    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert parse_policy(raw).cb_contact["account_number"] == ""  # shipped: nothing published
    raw["contact"]["account_number"] = 12345678
    with pytest.raises(PolicyError, match=r"contact\.account_number"):
        parse_policy(raw)


@pytest.mark.django_db
def test_the_quotation_pdf_prints_separated_amounts_vat_and_the_cbs_contact_and_bank(client, world, settings):
    install_policy(settings, CONTACT)
    case = make_case(world, Case.Status.ACCEPTED)
    client.force_login(world["people"]["ent_member"])
    text = pdf_text(client.get(reverse("case_quotation_pdf", args=[case.pk])).content)
    # 1000 + 4 × 3000 + 1000 + 2000 + 1500 travel
    assert "¥17,500.00" in text and "3,000.00" in text and "12,000.00" in text
    assert "以上金额均为含税价（增值税税率 6%）。" in text
    for value in CONTACT.values():
        assert value in text, value
    assert world["cb"].name in text


@pytest.mark.django_db
def test_without_published_bank_details_the_quotation_refers_to_the_contract(client, world):
    case = make_case(world, Case.Status.ACCEPTED)
    client.force_login(world["people"]["ent_member"])
    text = pdf_text(client.get(reverse("case_quotation_pdf", args=[case.pk])).content)
    assert "收款账户 以认证合同载明的账户为准" in text
    assert "联系人" not in text


@pytest.mark.django_db
def test_a_fee_table_without_vat_gives_a_quotation_that_says_so_on_the_case_page(client, world, settings, tmp_path):
    raw = yaml.safe_load(fees.DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["tax"] = {"included": False, "rate": "6.00"}
    table = tmp_path / "fees.yaml"
    table.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    settings.CERT_FEE_TABLE = str(table)
    case = make_case(world, Case.Status.ACCEPTED)
    assert case.quotation.lines["tax"] == {"included": False, "rate": "6.00"}
    client.force_login(world["people"]["ent_member"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "¥17,500.00" in page and "¥1,500.00" in page
    assert "以上金额均不含税，增值税按 6% 另计。" in page
