"""The baseline the records issue asks for: a straightforward pandas, row-wise implementation of the
same KPIs (what one would write first: `DataFrame.apply(axis=1)` per record, business time by walking
the days between two instants with `chinese_calendar.is_workday`).

It computes only the headline numbers (median and P90 in wall-clock and working hours, rates as
numerator/denominator, means) — not the monthly series and distributions the real suite also
gives — so the comparison favours the baseline. Its results are compared with the real suite's.
"""

from __future__ import annotations

import bisect
from datetime import datetime, time, timedelta
from fractions import Fraction

import chinese_calendar
import pandas as pd

HOURS = ((time(9), time(12)), (time(13), time(18)))


def _secs(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def working_seconds(start: datetime, end: datetime) -> int:
    """Working seconds from start to end, walking day by day."""
    if end < start:
        return -working_seconds(end, start)
    total = 0
    day = start.date()
    while day <= end.date():
        if chinese_calendar.is_workday(day):
            lo = _secs(start.time()) if day == start.date() else 0
            hi = _secs(end.time()) if day == end.date() else 86400
            for s, e in HOURS:
                total += max(0, min(hi, _secs(e)) - max(lo, _secs(s)))
        day += timedelta(days=1)
    return total


def _is_null(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and v != v)


def _median(values: list) -> Fraction | None:
    if not values:
        return None
    v = sorted(values)
    n = len(v)
    return Fraction(v[n // 2]) if n % 2 else (Fraction(v[n // 2 - 1]) + Fraction(v[n // 2])) / 2


def _p90(values: list) -> int | None:
    if not values:
        return None
    v = sorted(values)
    return v[max(0, (len(v) * 9 + 9) // 10 - 1)]


def _time_stats(frame: pd.DataFrame, start: str, end: str) -> dict:
    def row(r):
        if _is_null(r[end]):
            return pd.Series({"wall": None, "biz": None})
        a, b = r[start].to_pydatetime(), r[end].to_pydatetime()
        return pd.Series({"wall": (b - a).total_seconds(), "biz": working_seconds(a, b)})

    if frame.empty:
        return {"n": 0}
    t = frame.apply(row, axis=1)
    wall = [x for x in t["wall"] if not _is_null(x)]
    biz = [int(x) for x in t["biz"] if not _is_null(x)]
    return {"n": len(wall), "median": _median(wall), "p90": _p90(wall), "median_business": _median(biz),
            "p90_business": _p90(biz)}  # fmt: skip


def _live(frame: pd.DataFrame, date_col: str, date_from, date_to) -> pd.DataFrame:
    keep = frame.apply(
        lambda r: (
            r.get("status") != "cancelled"
            and (date_from is None or r[date_col].date() >= date_from)
            and (date_to is None or r[date_col].date() <= date_to)
        ),
        axis=1,
    )
    return frame[keep] if len(frame) else frame


def kpis(
    complaints: pd.DataFrame,
    work_orders: pd.DataFrame,
    return_visits: pd.DataFrame,
    surveys: pd.DataFrame,
    *,
    commitments: dict,
    date_from=None,
    date_to=None,
) -> dict:
    """Headline values per KPI id: time KPIs {n, median, p90, median_business, p90_business} in
    seconds; rates {num, den}; means {sum, n}."""
    c = _live(complaints, "received_at", date_from, date_to)
    w = _live(work_orders, "received_at", date_from, date_to)
    out = {
        "first_response_time": _time_stats(c, "received_at", "first_response_at"),
        "arrival_time": _time_stats(w, "received_at", "arrived_at"),
        "resolution_time": _time_stats(w, "received_at", "completed_at"),
        "complaint_closure_time": _time_stats(c, "received_at", "closed_at"),
    }

    def rate(frame, cohort, counted):
        num = den = 0
        for _, r in frame.iterrows():
            if cohort(r):
                den += 1
                num += bool(counted(r))
        return {"num": num, "den": den}

    def hours(r, a, b):
        return (r[b] - r[a]).total_seconds() / 3600

    if commitments.get("first_response_hours") is not None:
        limit = float(commitments["first_response_hours"])
        out["first_response_on_time"] = rate(
            c,
            lambda r: not _is_null(r["first_response_at"]),
            lambda r: hours(r, "received_at", "first_response_at") <= limit,
        )
    if commitments.get("arrival_hours") is not None:
        limit = float(commitments["arrival_hours"])
        out["arrival_on_time"] = rate(
            w, lambda r: not _is_null(r["arrived_at"]), lambda r: hours(r, "received_at", "arrived_at") <= limit
        )
    if commitments.get("completion_hours") is not None:
        limit = float(commitments["completion_hours"])
        out["completion_on_time"] = rate(
            w, lambda r: not _is_null(r["completed_at"]), lambda r: hours(r, "received_at", "completed_at") <= limit
        )
    if commitments.get("complaint_closure_working_days") is not None:
        limit = float(commitments["complaint_closure_working_days"]) * 8 * 3600
        out["complaint_closure_on_time"] = rate(
            c,
            lambda r: not _is_null(r["closed_at"]),
            lambda r: working_seconds(r["received_at"].to_pydatetime(), r["closed_at"].to_pydatetime()) <= limit,
        )
    out["complaint_deadline_met"] = rate(
        c,
        lambda r: not _is_null(r["deadline_at"]) and not _is_null(r["closed_at"]),
        lambda r: r["closed_at"] <= r["deadline_at"],
    )
    out["promised_arrival_kept"] = rate(
        w,
        lambda r: not _is_null(r["promised_arrival_at"]) and not _is_null(r["arrived_at"]),
        lambda r: r["arrived_at"] <= r["promised_arrival_at"],
    )
    out["first_time_fix_rate"] = rate(
        w, lambda r: not _is_null(r["completed_at"]) and not _is_null(r["visits"]), lambda r: r["visits"] == 1
    )

    # repeat repair: index every live order's receipt time by serial and by repeat_of link
    all_live = work_orders[work_orders.apply(lambda r: r["status"] != "cancelled", axis=1)]
    by_serial: dict[str, list] = {}
    first_link: dict[str, object] = {}
    for _, r in all_live.iterrows():
        if not _is_null(r["serial"]) and r["serial"]:
            by_serial.setdefault(r["serial"], []).append((r["received_at"], r["external_id"]))
        if not _is_null(r["repeat_of"]) and r["repeat_of"]:
            old = first_link.get(r["repeat_of"])
            first_link[r["repeat_of"]] = r["received_at"] if old is None else min(old, r["received_at"])
    for v in by_serial.values():
        v.sort()

    def repeated(r) -> bool:
        limit = r["completed_at"] + timedelta(days=30)
        seq = by_serial.get(r["serial"]) if not _is_null(r["serial"]) and r["serial"] else None
        if seq:
            i = bisect.bisect_right(seq, (r["received_at"], r["external_id"]))
            if i < len(seq) and seq[i][0] <= limit:
                return True
        link = first_link.get(r["external_id"])
        return link is not None and link <= limit

    out["repeat_repair_30d"] = rate(w, lambda r: not _is_null(r["completed_at"]), repeated)
    out["complaint_closure_rate"] = rate(
        c, lambda r: True, lambda r: not _is_null(r["closed_at"]) or r["status"] == "closed"
    )
    reached = return_visits[return_visits.apply(lambda r: _is_null(r["reached"]) or bool(r["reached"]), axis=1)]
    visited = {(r["subject_kind"], r["subject_id"]) for _, r in reached.iterrows()}
    wo = rate(w, lambda r: not _is_null(r["completed_at"]), lambda r: ("work_order", r["external_id"]) in visited)
    co = rate(
        c,
        lambda r: not _is_null(r["closed_at"]) or r["status"] == "closed",
        lambda r: ("complaint", r["external_id"]) in visited,
    )
    out["return_visit_rate"] = {"num": wo["num"] + co["num"], "den": wo["den"] + co["den"]}

    s = _live(surveys, "answered_at", date_from, date_to)
    out["csat"] = rate(s, lambda r: True, lambda r: r["score"] * 5 >= r["scale"] * 4)
    total = n = nps_sum = nps_n = 0
    for _, r in s.iterrows():
        total += int(r["score"]) * 100 // int(r["scale"])
        n += 1
        if not _is_null(r["nps"]):
            nps_sum += 1 if r["nps"] >= 9 else -1 if r["nps"] <= 6 else 0
            nps_n += 1
    out["csat_mean"] = {"sum": total, "n": n}
    out["nps"] = {"sum": nps_sum, "n": nps_n}
    return out
