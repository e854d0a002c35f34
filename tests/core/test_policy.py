"""The CB policy file: checked on load with errors naming the file and key, versions in force by date."""

import hashlib
from datetime import date

import pytest
import yaml

from aftersales.core.policy import DEFAULT_PATH, PolicyError, load_policy, load_series, parse_policy
from tests.policy import policy_file

SHIPPED = load_policy(DEFAULT_PATH)


def raw():
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_the_shipped_policy_holds_the_documented_defaults():
    p = SHIPPED
    assert p.id == "default-2026" and p.effective_from == date(2000, 1, 1)
    assert p.sha256 == hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()
    assert p.pin == {"id": "default-2026", "sha256": p.sha256}
    assert (p.system_months, p.records_months) == (3, 3)
    assert (p.conflict_years, p.max_consecutive_leads) == (2, 2)
    assert p.rectification_days == {"major": 30, "minor": 60}
    assert (p.validity_years, p.number_pattern, p.cb_code) == (3, "{cb}{yy}SC{seq:05d}", "ASC")
    assert (p.surveillance_interval_months, p.surveillance_window_months, p.recertification_open_months) == (12, 3, 3)
    assert p.reminder_lead_days == (60, 30, 7)
    assert (p.regulator_report_day, p.regulator_reminder_days) == (10, 5)
    assert (p.appeal_lodge_days, p.appeal_ack_days, p.appeal_decide_days) == (30, 7, 60)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["rectification_days"].pop("minor"), "f.yaml: rectification_days.minor: missing"),
        (lambda r: r["appeals"].update(decide_weeks=3), "f.yaml: appeals.decide_weeks: unknown key"),
        (lambda r: r.update(surveillance_months=12), "f.yaml: surveillance_months: unknown key"),
        (lambda r: r["surveillance"].update(interval_months="12"), "surveillance.interval_months: '12' is not a whole"),
        (lambda r: r["surveillance"].update(interval_months=0), "surveillance.interval_months: 0 is outside 1…36"),
        (lambda r: r["regulator_report"].update(due_day=32), "regulator_report.due_day: 32 is outside"),
        (lambda r: r.update(reminder_lead_days=[30, -1]), "reminder_lead_days[1]: -1 is not a number of days"),
        (lambda r: r.update(reminder_lead_days=[]), "reminder_lead_days: expected a list"),
        (lambda r: r["certificate"].update(number_pattern="{cb}{yy}"), "certificate.number_pattern: the certificate"),
        (lambda r: r.update(effective_from="next year"), "effective_from: 'next year' is not a date"),
        (lambda r: r.update(format="aftersales-policy/0"), "format: expected aftersales-policy/1"),
        (lambda r: r.update(impartiality=[2, 2]), "f.yaml: impartiality: expected a mapping"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key(change, message):
    r = raw()
    change(r)
    with pytest.raises(PolicyError) as exc:
        parse_policy(r, source="f.yaml")
    assert message in str(exc.value)


def test_an_alias_or_bad_yaml_names_the_file(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("a: &x 1\nb: *x\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"p\.yaml: not a YAML policy file"):
        load_policy(path)


def test_the_version_in_force_is_the_latest_started_on_or_before_the_day(tmp_path):
    policy_file(tmp_path, {"rectification_days.minor": 45}, effective_from=date(2027, 1, 1), policy_id="cb-2027")
    policy_file(tmp_path, {"rectification_days.minor": 40}, effective_from=date(2028, 7, 1), policy_id="cb-2028")
    series = load_series(tmp_path)
    assert [v.id for v in series.versions] == ["default-2026", "cb-2027", "cb-2028"]
    assert series.in_force(date(1999, 1, 1)).id == "default-2026"  # the first version covers earlier days
    assert series.in_force(date(2026, 12, 31)).id == "default-2026"
    assert series.in_force(date(2027, 1, 1)).rectification_days["minor"] == 45
    assert series.in_force(date(2028, 6, 30)).id == "cb-2027"
    assert series.in_force(date(2028, 7, 1)).id == "cb-2028"
    assert series.by_id("cb-2027").rectification_days["minor"] == 45 and series.by_id("nope") is None


def test_two_versions_may_not_share_an_id_or_a_first_day(tmp_path):
    policy_file(tmp_path / "a", {}, effective_from=date(2027, 1, 1), policy_id="cb")
    policy_file(tmp_path / "a", {}, effective_from=date(2027, 1, 1), policy_id="cb-other")
    with pytest.raises(PolicyError, match="effective_from: 2027-01-01 is also the first day of"):
        load_series(tmp_path / "a")
    policy_file(tmp_path / "b", {}, effective_from=date(2027, 1, 1), policy_id="default-2026")
    with pytest.raises(PolicyError, match="id: 'default-2026' is also the id of"):
        load_series(tmp_path / "b")


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(PolicyError, match="not a folder of policy files"):
        load_series(tmp_path / "missing")
