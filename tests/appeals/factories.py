"""Appeals in any state, built with the services on a decided case of the world."""

from __future__ import annotations

from aftersales.appeals import services
from aftersales.appeals.models import Appeal
from tests.audits.factories import case_at

STEPS = ["lodged", "acknowledged", "under_review", "decided"]


def lodged(world, *, case=None, kind: str = "complaint", grounds: str = "审核员态度粗暴", **kw) -> Appeal:
    case = case or case_at(world, "decided")
    if kind == "appeal" and "decision" not in kw and "certificate_event" not in kw:
        kw["decision"] = case.decisions.get()
    return services.appeal_lodge(case=case, kind=kind, grounds=grounds, by=world["people"]["ent_admin"], **kw)


def appeal_in(world, status: str, *, handler: str = "auditor_other", case=None, kind: str = "complaint") -> Appeal:
    """An appeal brought to `status` through the services; handled by `handler` (assigned when lodged)."""
    p = world["people"]
    appeal = lodged(world, case=case, kind=kind)
    if status == "withdrawn":
        services.appeal_withdraw(appeal=appeal, reason="已与认证机构沟通解决", by=p["ent_admin"])
        return appeal
    if handler:
        services.appeal_assign(appeal=appeal, handler=p[handler], by=p["cb_admin"])
    stop = STEPS.index(status)
    if stop >= 1:
        services.appeal_acknowledge(appeal=appeal, by=p["cb_admin"])
    if stop >= 2:
        services.appeal_review_start(appeal=appeal, by=p[handler])
    if stop >= 3:
        services.appeal_decide(appeal=appeal, outcome="dismissed", reasons="审核记录显示程序合规", by=p[handler])
    appeal.refresh_from_db()
    return appeal
