"""The certificate PDF explains a level that is not the one its score reaches (the payload's
`level_reason`), and the page still keeps clear of its footer with three sites (issue 23 §2)."""

import shutil

import pytest

from aftersales.audits import decisions, reporting
from aftersales.certificates import documents, pagecheck, pdftext, versions
from aftersales.certification.models import Case
from tests.audits.factories import case_at

from .factories import _application
from .test_layout import LONG_ADDRESS, LONG_SCOPE, assert_first_page_laid_out, pages_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed"),
]
REASON = "企业仅申请达标级认证，审核组按申请等级推荐"


def explained_certificate(world):
    p = world["people"]
    case = case_at(world, Case.Status.AUDIT, with_nc=False)
    reporting.report_issue(
        case=case, conclusion="有效", recommended_level="qualified", recommendation_reason=REASON, by=p["auditor"]
    )
    decision = decisions.decision_record(
        case=case, outcome="approve", reasons="同意", by=p["committee"], no_conflict=True
    )
    _application(case, p["ent_admin"])
    certificate = versions.certificate_issue(decision=decision, by=p["cb_admin"])
    return versions.certificate_change(  # three long sites: the fullest first page without an annex
        certificate=certificate,
        by=p["cb_admin"],
        reason="scope",
        note="服务网点变更",
        scope=LONG_SCOPE,
        address=LONG_ADDRESS,
        sites=[{"name": f"海川家电第{i}售后服务中心", "address": f"杭州市滨江区江南大道 {i} 号"} for i in range(1, 4)],
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_pdf_explains_the_level_and_stays_clear_of_its_footer(world, lang):
    version = explained_certificate(world)
    assert version.payload["level_reason"] == REASON  # kept by a change that does not touch the level
    pdf = documents.certificate_pdf(version, lang)
    assert all(c.match for c in pagecheck.page_check(version.payload, pdftext.page_text(pdf)))  # the verifier agrees
    laid_out = pages_of(pdf)
    assert_first_page_laid_out(*laid_out[0], lang)
    text = "".join(w.text for w in laid_out[0][2])
    assert ("等级与得分对应等级不同" if lang != "en" else "Levelnottheonethescorereaches") in text
    assert "企业仅申请达标级认证" in text
