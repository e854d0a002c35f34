"""The one refusal base and the one access result (core: no Django)."""

from aftersales.core.access import Access
from aftersales.core.refusal import Refused


class Lazy:
    """Stands for a lazy translation: str() only when shown."""

    def __str__(self):
        return "later"


def test_a_refusal_carries_its_problems_where_and_status():
    exc = Refused("one", "two", where="item 1.2")
    assert exc.problems == ["one", "two"] and exc.where == "item 1.2"
    assert str(exc) == "one; two" and exc.status == 409
    assert Refused("x", status=400).status == 400
    assert str(Refused(Lazy())) == "later"
    assert Refused().problems == [] and str(Refused()) == ""


def test_a_subclass_sets_its_own_status_and_joiner():
    class Slow(Refused):
        status = 429
        joiner = " "

    exc = Slow("a.", "b.")
    assert (exc.status, str(exc)) == (429, "a. b.")
    assert isinstance(exc, Refused)


def test_every_refusal_class_of_the_project_is_a_refused():
    from aftersales.accounts.services import ResetRefused
    from aftersales.accounts.twofactor import CodeRefused
    from aftersales.appeals.services import AppealRefused
    from aftersales.assessments.evidence import EvidenceRefused
    from aftersales.audits.services import AuditRefused
    from aftersales.certificates.cycle.services import CycleRefused
    from aftersales.certificates.services import CertificateRefused
    from aftersales.certification.cases import TransitionRefused
    from aftersales.certification.services import StepRefused
    from aftersales.ops.backup import BackupRefused
    from aftersales.records.services import SampleRefused, VerdictRefused
    from aftersales.regulator.services import ExportRefused
    from aftersales.uploads import UploadRefused

    classes = [
        ResetRefused,
        CodeRefused,
        AppealRefused,
        EvidenceRefused,
        AuditRefused,
        CycleRefused,
        CertificateRefused,
        TransitionRefused,
        StepRefused,
        BackupRefused,
        SampleRefused,
        VerdictRefused,
        ExportRefused,
        UploadRefused,
    ]
    assert all(issubclass(c, Refused) for c in classes)
    assert str(AppealRefused("Late.", "Closed.", rules=("r1",))) == "Late. Closed."
    assert AppealRefused("x", rules=("r1",)).rules == ("r1",)


def test_an_access_answers_what_the_viewer_may_do():
    access = Access("case", frozenset({"enterprise_admin"}), frozenset({"enterprise", "enterprise_admin"}))
    assert access.obj == "case"
    assert access.can("enterprise_admin") and not access.can("review")
    assert access.holds("enterprise_admin", "cb_admin") and not access.holds("cb_admin")
    assert access.only({"enterprise_admin", "enterprise_member"})
    mixed = Access("case", frozenset({"enterprise_member", "cb_admin"}))
    assert not mixed.only({"enterprise_admin", "enterprise_member"})
    assert not Access("case").only({"enterprise_member"}) and not Access("case").can("review")
