"""A member of the applicant enterprise takes no certification-body step on its case (issue 21,
item 6). Accounts with roles on both sides can no longer be made (tests/accounts/
test_invitation_binding.py); these are accounts made before that rule, written directly."""

import pytest
from django.urls import reverse

from aftersales.accounts.models import Membership, Role
from aftersales.audits import decisions
from aftersales.audits.models import Decision
from aftersales.audits.services import AuditRefused
from aftersales.certificates import versions
from aftersales.certificates.models import Certificate
from aftersales.certificates.services import CertificateRefused
from aftersales.certification.models import CaseEvent

pytestmark = pytest.mark.django_db


def both_sides(world, role):
    """甲企业's admin, given a role in the certification body as the old code allowed."""
    admin = world["people"]["ent_admin"]
    Membership.objects.create(user=admin, organisation=world["cb"], role=role)
    return admin


def test_the_applicants_admin_on_the_committee_cannot_decide_its_case(client, at, world):
    case = at("reported")
    admin = both_sides(world, Role.COMMITTEE)
    with pytest.raises(AuditRefused, match="member of 甲企业, the applicant"):
        decisions.decision_record(no_conflict=True, case=case, outcome="approve", reasons="同意", by=admin)
    client.force_login(admin)
    response = client.post(reverse("audit_decision", args=[case.pk]), {"outcome": "approve", "reasons": "同意"})
    assert response.status_code == 403
    assert not Decision.objects.filter(case=case).exists()
    page = client.get(reverse("audit_decision", args=[case.pk])).content.decode()
    assert "申请方 甲企业" in page  # the decision page says why (in the default zh-Hans)


def test_the_applicants_admin_as_cb_admin_takes_no_step_on_its_case(client, at, world):
    contracted = at("contracted")
    decided = at("decided")
    admin = both_sides(world, Role.CB_ADMIN)
    with pytest.raises(CertificateRefused, match="member of 甲企业, the applicant"):
        versions.certificate_issue(decision=decided.decisions.get(), by=admin)
    client.force_login(admin)
    assert client.post(reverse("audit_plan_send", args=[contracted.pk])).status_code == 403
    assert client.post(reverse("case_certificate_issue", args=[decided.pk])).status_code == 403
    assert not Certificate.objects.exists()
    assert not CaseEvent.objects.filter(actor=admin, action__startswith="audit.").exists()
