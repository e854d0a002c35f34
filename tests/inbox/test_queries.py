"""The inbox reads a fixed number of queries per person, whatever the number of items it lists."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.certification.cases import case_reference_next, case_transition
from aftersales.certification.models import Case
from aftersales.inbox.selectors import inbox_for
from tests.audits.factories import case_at, contracted_case
from tests.certificates.factories import new_enterprise

pytestmark = pytest.mark.django_db
S = Case.Status
PERSONAS = ("ent_admin", "ent_member", "cb_admin", "reviewer", "auditor", "committee")


def _case(world, to: list[str]) -> Case:
    with transaction.atomic():
        case = Case.objects.create(
            reference=case_reference_next(2026),
            enterprise=world["enterprise"],
            cb=world["cb"],
            scheme_version=world["gbt"],
            created_by=world["people"]["ent_admin"],
        )
    for status in to:
        case_transition(case=case, to=status, action="test", by_label="test")
    return case


def _add(world, n: int) -> None:
    """n more of each: drafts, submitted and info-requested applications, contracted cases, audits in
    document review, and rectifications with a nonconformity to answer."""
    for _ in range(n):
        _case(world, [])
        _case(world, [S.SUBMITTED])
        _case(world, [S.SUBMITTED, S.INFO_REQUESTED])
        contracted_case(world)
        case_at(world, "document_review", enterprise=new_enterprise())
        case_at(world, "rectification")


def _queries(world) -> dict[str, tuple[int, int]]:
    """persona → (items, queries)."""
    out = {}
    for persona in PERSONAS:
        with CaptureQueriesContext(connection) as captured:
            items = inbox_for(world["people"][persona])
        out[persona] = (len(items), len(captured))
    return out


def test_the_queries_do_not_grow_with_the_items(world):
    _add(world, 1)
    small = _queries(world)
    _add(world, 2)
    large = _queries(world)
    for persona in PERSONAS:
        assert large[persona][1] == small[persona][1], persona
    assert large["ent_admin"][0] == 3 * small["ent_admin"][0] > 0
    assert large["reviewer"][0] == 3 * small["reviewer"][0] > 0
    assert large["auditor"][0] == 3 * small["auditor"][0] > 0
    assert large["cb_admin"][0] == 3 * small["cb_admin"][0] > 0
