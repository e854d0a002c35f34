"""A certification body's policy as versioned rules data (`rules/policy-default.yaml`, then the
CB's own versions): the rules the standard and the regulator leave to the CB (docs/policy.md).

Each version is a complete YAML file with a stable `id` and the day it takes effect
(`effective_from`); its content hash (sha256 of the file's bytes) is pinned on the records it shapes
beside the id. The version in force on a day is the one with the latest `effective_from` on or
before that day (the earliest version also covers the days before it). Every key is required and
checked on load; an error names the file and the key.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from .certnumber import PatternError, number_body
from .problems import ProblemsError
from .safe_yaml import load_untrusted

FORMAT = "aftersales-policy/1"
DEFAULT_PATH = Path(__file__).resolve().parent / "rules" / "policy-default.yaml"
GRADES = ("major", "minor")


class PolicyError(ValueError):
    """A policy file is not usable; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    sha256: str
    source: str
    effective_from: date
    title: str
    system_months: int
    records_months: int
    return_visit_percent: int
    conflict_years: int
    max_consecutive_leads: int
    committee_quorum: int
    rectification_days: dict[str, int]
    validity_years: int
    number_pattern: str
    cb_code: str
    surveillance_interval_months: int
    surveillance_window_months: int
    recertification_open_months: int
    reminder_lead_days: tuple[int, ...]  # descending
    regulator_report_day: int
    regulator_reminder_days: int
    appeal_lodge_days: int
    appeal_ack_days: int
    appeal_decide_days: int
    cb_contact: dict[str, str]  # CONTACT_KEYS → text, "" when not published

    @property
    def pin(self) -> dict[str, str]:
        """What a record stores of the version that shaped it."""
        return {"id": self.id, "sha256": self.sha256}


# dotted key in the file → (field of Policy, smallest whole number allowed, largest)
_NUMBERS: dict[str, tuple[str, int, int]] = {
    "eligibility.system_months": ("system_months", 0, 120),
    "eligibility.records_months": ("records_months", 0, 120),
    "eligibility.return_visit_percent": ("return_visit_percent", 0, 100),
    "impartiality.conflict_years": ("conflict_years", 0, 50),
    "impartiality.max_consecutive_leads": ("max_consecutive_leads", 1, 10**6),
    "committee.quorum": ("committee_quorum", 1, 99),
    "certificate.validity_years": ("validity_years", 1, 10),
    "surveillance.interval_months": ("surveillance_interval_months", 1, 36),
    "surveillance.window_months": ("surveillance_window_months", 0, 36),
    "recertification_open_months": ("recertification_open_months", 0, 36),
    "regulator_report.due_day": ("regulator_report_day", 1, 31),
    "regulator_report.reminder_days": ("regulator_reminder_days", 0, 31),
    "appeals.lodge_days": ("appeal_lodge_days", 1, 3650),
    "appeals.ack_days": ("appeal_ack_days", 1, 3650),
    "appeals.decide_days": ("appeal_decide_days", 1, 3650),
}
_TOP_KEYS = {
    "format",
    "id",
    "effective_from",
    "title",
    "eligibility",
    "impartiality",
    "committee",
    "rectification_days",
    "certificate",
    "surveillance",
    "recertification_open_months",
    "reminder_lead_days",
    "regulator_report",
    "appeals",
    "contact",
}
# the CB's contact and bank details the quotation prints (its name and address are its organisation's)
CONTACT_KEYS = ("person", "phone", "email", "bank_name", "account_name", "account_number")
_GROUP_KEYS = {
    "eligibility": {"system_months", "records_months", "return_visit_percent"},
    "impartiality": {"conflict_years", "max_consecutive_leads"},
    "committee": {"quorum"},
    "rectification_days": set(GRADES),
    "certificate": {"validity_years", "number_pattern", "cb_code"},
    "surveillance": {"interval_months", "window_months"},
    "regulator_report": {"due_day", "reminder_days"},
    "appeals": {"lodge_days", "ack_days", "decide_days"},
    "contact": set(CONTACT_KEYS),
}


class _Reader:
    def __init__(self, raw: object, source: str):
        self.raw = raw
        self.source = source

    def fail(self, where: str, message: str) -> PolicyError:
        return PolicyError(f"{self.source}: {where}: {message}")

    def keys(self, value: object, where: str, expected: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where or "/", "expected a mapping")
        missing = sorted(expected - set(value))
        unknown = sorted(str(k) for k in set(value) - expected)
        prefix = f"{where}." if where else ""
        if missing:
            raise self.fail(prefix + missing[0], "missing")
        if unknown:
            raise self.fail(prefix + unknown[0], f"unknown key (known: {', '.join(sorted(expected))})")
        return value

    def get(self, dotted: str) -> object:
        value = self.raw
        for part in dotted.split("."):
            value = value[part]
        return value

    def whole(self, dotted: str, low: int, high: int) -> int:
        value = self.get(dotted)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(dotted, f"{value!r} is not a whole number")
        if not low <= value <= high:
            raise self.fail(dotted, f"{value} is outside {low}…{high}")
        return value

    def text(self, dotted: str) -> str:
        value = self.get(dotted)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(dotted, f"{value!r} is not a text")
        return value.strip()


def parse_policy(raw: object, *, source: str = "<policy>", sha256: str = "") -> Policy:
    r = _Reader(raw, source)
    r.keys(raw, "", _TOP_KEYS)
    if raw["format"] != FORMAT:
        raise r.fail("format", f"expected {FORMAT}")
    for group, keys in _GROUP_KEYS.items():
        r.keys(raw[group], group, keys)
    effective = raw["effective_from"]
    if isinstance(effective, str):
        try:
            effective = date.fromisoformat(effective)
        except ValueError:
            effective = None
    if not isinstance(effective, date):
        raise r.fail("effective_from", f"{raw['effective_from']!r} is not a date (YYYY-MM-DD)")
    numbers = {name: r.whole(dotted, low, high) for dotted, (name, low, high) in _NUMBERS.items()}
    rectification = {g: r.whole(f"rectification_days.{g}", 1, 3650) for g in GRADES}
    leads = raw["reminder_lead_days"]
    if not isinstance(leads, list) or not leads:
        raise r.fail("reminder_lead_days", "expected a list of whole numbers of days, e.g. [60, 30, 7]")
    for i, lead in enumerate(leads):
        if isinstance(lead, bool) or not isinstance(lead, int) or not 0 <= lead <= 3650:
            raise r.fail(f"reminder_lead_days[{i}]", f"{lead!r} is not a number of days (0…3650)")
    pattern, cb_code = r.text("certificate.number_pattern"), r.text("certificate.cb_code")
    try:
        number_body(pattern, cb=cb_code, year=2026, seq=1)
    except PatternError as exc:
        raise r.fail("certificate.number_pattern", str(exc)) from None
    except (ValueError, IndexError, KeyError) as exc:
        raise r.fail("certificate.number_pattern", f"cannot be filled in: {exc}") from None
    contact = {}
    for key in CONTACT_KEYS:
        value = raw["contact"][key]
        if not isinstance(value, str):
            raise r.fail(f"contact.{key}", f'{value!r} is not a text (write "" when not published)')
        contact[key] = value.strip()
    return Policy(
        cb_contact=contact,
        id=r.text("id"),
        sha256=sha256,
        source=source,
        effective_from=effective,
        title=r.text("title"),
        rectification_days=rectification,
        number_pattern=pattern,
        cb_code=cb_code,
        reminder_lead_days=tuple(sorted(set(leads), reverse=True)),
        **numbers,
    )


def load_policy(path: str | Path) -> Policy:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot be read: {exc.strerror}") from exc
    try:
        raw = load_untrusted(data.decode("utf-8-sig"), source=str(path))
    except (UnicodeDecodeError, yaml.YAMLError, ProblemsError) as exc:
        raise PolicyError(f"{path}: not a YAML policy file: {str(exc).splitlines()[0]}") from exc
    return parse_policy(raw, source=str(path), sha256=hashlib.sha256(data).hexdigest())


@dataclass(frozen=True, slots=True)
class Series:
    """Every version, ordered by the day it takes effect."""

    versions: tuple[Policy, ...]

    def in_force(self, day: date) -> Policy:
        current = self.versions[0]
        for version in self.versions[1:]:
            if version.effective_from > day:
                break
            current = version
        return current

    def by_id(self, policy_id: str) -> Policy | None:
        return next((v for v in self.versions if v.id == policy_id), None)


def series_of(versions: Iterable[Policy]) -> Series:
    """The versions as a series; PolicyError when two share an id or a first day."""
    ordered = tuple(sorted(versions, key=lambda v: v.effective_from))
    if not ordered:
        raise PolicyError("no policy version")
    seen: dict[str, Policy] = {}
    for a, b in itertools.pairwise(ordered):
        if a.effective_from == b.effective_from:
            raise PolicyError(f"{b.source}: effective_from: {b.effective_from} is also the first day of {a.source}")
    for v in ordered:
        if v.id in seen:
            raise PolicyError(f"{v.source}: id: {v.id!r} is also the id of {seen[v.id].source}")
        seen[v.id] = v
    return Series(ordered)


def load_series(folder: str | Path | None = None) -> Series:
    """The shipped version and every `*.yaml` / `*.yml` file in `folder` (the CB's versions)."""
    paths = [DEFAULT_PATH]
    if folder:
        folder = Path(folder)
        if not folder.is_dir():
            raise PolicyError(f"{folder}: not a folder of policy files")
        paths += sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    return series_of(load_policy(p) for p in paths)
