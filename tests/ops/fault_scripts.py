"""Work run in a subprocess by tests/ops/test_faults.py (the process the test kills).

python tests/ops/fault_scripts.py setup            migrate; a world; a case ready for its report and a
                                                   reported case; prints JSON with their ids
python tests/ops/fault_scripts.py decision CASE    the committee's decision on CASE
python tests/ops/fault_scripts.py report CASE      the team leader issues CASE's final audit report

With FAULT_PAUSE=1 the service prints "WRITING" once it has written part of its work (the case's
history event, inside its transaction) and then waits to be killed.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402


def _world() -> dict:
    """The same world as tests/conftest.py's fixture."""
    from aftersales.accounts.models import Organisation, Role, User
    from aftersales.accounts.services import membership_grant, organisation_create
    from aftersales.schemes.models import SchemeVersion
    from aftersales.schemes.services import scheme_sync_shipped
    from tests.conftest import make_code

    scheme_sync_shipped(by_label="test")
    ent = organisation_create(kind=Organisation.Kind.ENTERPRISE, name="甲企业", credit_code=make_code(1), by_label="t")
    other = organisation_create(
        kind=Organisation.Kind.ENTERPRISE, name="乙企业", credit_code=make_code(2), by_label="t"
    )
    cb = organisation_create(kind=Organisation.Kind.CERTIFICATION_BODY, name="认证机构", by_label="t")
    people = {}
    for name, org, role in [
        ("ent_admin", ent, Role.ENTERPRISE_ADMIN),
        ("ent_member", ent, Role.ENTERPRISE_MEMBER),
        ("other_admin", other, Role.ENTERPRISE_ADMIN),
        ("cb_admin", cb, Role.CB_ADMIN),
        ("reviewer", cb, Role.REVIEWER),
        ("auditor", cb, Role.AUDITOR),
        ("auditor_other", cb, Role.AUDITOR),
        ("committee", cb, Role.COMMITTEE),
    ]:
        user = User.objects.create_user(username=name, password="x-pass-12345")
        membership_grant(user=user, organisation=org, role=role, by_label="t")
        people[name] = user
    gbt = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    return {"enterprise": ent, "other": other, "cb": cb, "people": people, "gbt": gbt}


def setup() -> None:
    from django.test.utils import override_settings

    from tests.audits.factories import case_at

    call_command("migrate", interactive=False, verbosity=0)
    world = _world()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        to_decide = case_at(world, "reported")
        to_report = case_at(world, "audit", with_nc=False, enterprise=world["other"])
    json.dump(
        {
            "enterprise": world["enterprise"].credit_code,
            "to_decide": to_decide.pk,
            "to_report": to_report.pk,
        },
        sys.stdout,
    )


def _pause_after_the_history_event() -> None:
    """Make the service stop, inside its transaction, right after it wrote the case's event."""
    from aftersales.audits import decisions, reporting

    original = decisions.case_transition

    def transition_then_wait(**kwargs):
        event = original(**kwargs)
        print("WRITING", flush=True)
        time.sleep(600)
        return event

    decisions.case_transition = transition_then_wait
    reporting.case_transition = transition_then_wait


def work(kind: str, case_id: int) -> None:
    from aftersales.accounts.models import User
    from aftersales.audits import decisions, reporting
    from aftersales.audits.services import AuditRefused
    from aftersales.certification.models import Case

    if os.environ.get("FAULT_PAUSE") == "1":
        _pause_after_the_history_event()
    case = Case.objects.get(pk=case_id)
    try:
        if kind == "decision":
            decisions.decision_record(
                no_conflict=True,
                case=case,
                outcome="approve",
                reasons="材料齐全",
                by=User.objects.get(username="committee"),
            )
        else:
            reporting.report_issue(
                case=case,
                conclusion="体系运行有效",
                recommended_level="five_star",
                by=User.objects.get(username="auditor"),
            )
    except AuditRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        sys.exit(2)
    print("DONE", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    else:
        work(sys.argv[1], int(sys.argv[2]))
