"""Parse an export file (CSV or XLSX; read by `reading`) into a canonical records frame, or list
every problem.

The data path is vectorised: each column is checked as a whole with Polars; Python only loops
over the problems found. Row numbers are the ones a spreadsheet shows (1-based, counting the
skipped rows and the header); columns are named by their header in the source file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import polars as pl

from ..bounds import RECORDS_DATE_MIN
from ..problems import MAX_PROBLEMS, Problem, capped
from .fields import EVENT_KINDS, EVENTS_SCHEMA, FIELDS, ORDER_RULES, SURVEY_SCALES, Field, Kind, conform
from .fields import empty_frame as _empty_frame
from .mapping import DEFAULT_BOOLS, Mapping
from .reading import ISO_FORMATS, locate, read

ROW = "_row"  # spreadsheet row number of each data row
_UNKNOWN_CODES = {"status": "records_unknown_status", "channel": "records_unknown_channel"}
_MAX_ALLOWED_SHOWN = 12
# a cell's bound (docs/records.md §2.2; the file's rows, columns and size: reading.py)
MAX_CELL_CHARS = 32_767  # Excel's own limit per cell

# plausible times (docs/records.md §2.3): from EARLIEST; what happened by the end of the day after the
# import; what is planned (a deadline, a promised arrival) within PLANNED_DAYS after that
EARLIEST = RECORDS_DATE_MIN
PLANNED_FIELDS = frozenset({"deadline_at", "promised_arrival_at"})
PLANNED_DAYS = 366


FIRST_ROWS_SCHEMA = {"external_id": pl.Utf8, "row": pl.Int64}


@dataclass(frozen=True)
class ParsedRecords:
    kind: Kind
    records: pl.DataFrame  # one row per external_id, canonical columns (empty when there are problems)
    events: pl.DataFrame  # external_id, status, status_raw, at, source_row (complaint/work_order only)
    rows_read: int  # data rows read (blank rows not counted)
    problems: tuple[Problem, ...]
    # external_id, row: the file's row where each record starts (empty when there are problems)
    first_rows: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FIRST_ROWS_SCHEMA))

    @property
    def ok(self) -> bool:
        return not self.problems


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENTS_SCHEMA)


def parse_records(
    data: bytes,
    *,
    filename: str,
    mapping: Mapping,
    on_progress: Callable[[float], object] | None = None,
    today: date | None = None,
) -> ParsedRecords:
    """Read `data` (a .csv or .xlsx file named `filename`) with `mapping`.

    `on_progress(fraction)` is called with 0..1 as the stages finish. If the result has problems,
    `records` and `events` are empty: an import must write nothing. Times after `today` + 1 day
    (planned ones: + PLANNED_DAYS more) or before EARLIEST are refused.
    """
    progress = on_progress or (lambda _f: None)
    table = read(data, filename, mapping)
    if isinstance(table, list):
        return _failed(mapping.kind, table, 0)
    header, frame, header_row = table
    progress(0.2)
    located = locate(header, header_row, mapping)
    if isinstance(located, list):
        return _failed(mapping.kind, located, 0)
    raw = frame.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + header_row + 1).alias(ROW),
        *[_clean(pl.col(col)).alias(fname) for fname, col in located.items()],
    )
    raw = raw.filter(pl.any_horizontal([pl.col(f).is_not_null() for f in located]))  # blank rows
    if raw.height == 0:
        return _failed(mapping.kind, [Problem("records_no_rows", row=header_row)], 0)
    checker = _Checker(mapping, raw, today or date.today())
    checker.check_cells(located)
    if checker.problems:  # values are not checked in cells too long to quote
        return _failed(mapping.kind, checker.first_problems(), raw.height)
    parsed = checker.check_values()
    progress(0.6)
    merged, events, first_rows = checker.merge(parsed)
    progress(0.9)
    if checker.problems:
        return _failed(mapping.kind, checker.first_problems(), raw.height)
    progress(1.0)
    return ParsedRecords(mapping.kind, merged, events, raw.height, (), first_rows)


def _failed(kind: Kind, problems: list[Problem], rows: int) -> ParsedRecords:
    return ParsedRecords(kind, _empty_frame(kind), empty_events(), rows, tuple(problems))


def _clean(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


# ------------------------------------------------------------------------------------ checking


class _Checker:
    def __init__(self, mapping: Mapping, raw: pl.DataFrame, today: date):
        self.mapping = mapping
        self.kind = mapping.kind
        self.raw = raw
        self.rows = raw[ROW]
        self.problems: list[Problem] = []  # at most MAX_PROBLEMS per check; `found` counts them all
        self.found = 0
        self.fields = [f for f in FIELDS[self.kind] if f.name in mapping.columns]
        self.order = {f.name: i for i, f in enumerate(FIELDS[self.kind])}
        self.today = today

    def sort_key(self, p: Problem) -> tuple:
        return (p.row or 0, self.order.get(p.where, 99), p.code)

    def first_problems(self) -> list[Problem]:
        """The first MAX_PROBLEMS problems in row order, then how many more there are. Each check
        kept its first MAX_PROBLEMS rows, so these are the file's first."""
        ordered = sorted(self.problems, key=self.sort_key)
        return capped(ordered, total=max(self.found, len(ordered)))

    def check_cells(self, located: dict[str, str]) -> None:
        """No mapped cell longer than MAX_CELL_CHARS."""
        for fname in located:
            chars = self.raw[fname].str.len_chars()
            too_long = (chars > MAX_CELL_CHARS).fill_null(False)
            self.report("records_cell_too_long", fname, too_long, chars, limit=MAX_CELL_CHARS, key="chars")

    def report(self, code: str, fname: str, mask: pl.Series, values: pl.Series | None = None, **params) -> None:
        """One problem per row where `mask` is true (the first MAX_PROBLEMS kept, all counted);
        `values` (aligned) fill {value}."""
        count = int(mask.sum())
        if not count:
            return
        self.found += count
        mask = mask & (mask.cum_sum() <= MAX_PROBLEMS)
        rows = self.rows.filter(mask).to_list()
        vals = values.filter(mask).to_list() if values is not None else [None] * len(rows)
        column = self.mapping.columns[fname]
        key = params.pop("key", "value")
        for row, value in zip(rows, vals, strict=True):
            p = dict(params, **({key: value} if values is not None else {}))
            self.problems.append(Problem(code, where=fname, row=row, column=column, params=p))

    def check_values(self) -> pl.DataFrame:
        out = {ROW: self.rows}
        for f in self.fields:
            out[f.name] = self.convert(f, self.raw[f.name])
        parsed = pl.DataFrame(out)
        self.check_ranges(parsed)
        if "external_id" in parsed.columns:
            self.report("records_required_missing", "external_id", parsed["external_id"].is_null(), field="external_id")
        return parsed

    def convert(self, f: Field, raw: pl.Series) -> pl.Series:
        present = raw.is_not_null()
        table = self.mapping.values.get(f.name)
        if f.type == "datetime":
            return self.parse_dates(f, raw)
        if f.type == "int":
            out = raw.cast(pl.Int64, strict=False)
            self.report("records_bad_int", f.name, present & out.is_null(), raw)
            return out
        if f.type == "bool":
            words = {k.casefold(): v for k, v in DEFAULT_BOOLS.items()}
            words.update({str(k).casefold(): v for k, v in (table or {}).items()})
            out = raw.str.to_lowercase().replace_strict(
                list(words), list(words.values()), default=None, return_dtype=pl.Boolean
            )
            allowed = _shown(list((table or {}).keys()) or ["是", "否"])
            self.report("records_bad_bool", f.name, present & out.is_null(), raw, allowed=allowed)
            return out
        if f.type in ("status", "channel", "kind_ref"):
            known = dict.fromkeys(f.choices or (), None)
            known = {c: c for c in known} | dict(table or {})
            out = raw.replace_strict(list(known), list(known.values()), default=None, return_dtype=pl.Utf8)
            code = _UNKNOWN_CODES.get(f.type, "records_unknown_kind_ref")
            self.report(code, f.name, present & out.is_null(), raw, allowed=_shown(list(table or known)))
            return out
        if f.name == "category" and (table or self.mapping.categories):
            mapped = raw.replace(list(table), list(table.values())) if table else raw
            allowed = self.mapping.categories or tuple(dict.fromkeys(table.values()))
            ok = mapped.is_in(list(allowed)) if self.mapping.categories else raw.is_in(list(table))
            self.report("records_unknown_category", f.name, present & ~ok, raw, allowed=_shown(list(allowed)))
            return mapped
        if table:
            return raw.replace(list(table), list(table.values()))
        return raw

    def parse_dates(self, f: Field, raw: pl.Series) -> pl.Series:
        formats = self.mapping.formats_for(f.name)
        out = raw.str.strptime(pl.Datetime("us"), formats[0], strict=False, exact=True)
        todo = raw.is_not_null() & out.is_null()
        for fmt in (*formats[1:], *ISO_FORMATS):
            if not todo.any():
                break
            idx = todo.arg_true()
            got = raw.gather(idx).str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True)
            hit = got.is_not_null()
            if hit.any():
                out = out.scatter(idx.filter(hit), got.filter(hit))
                todo = todo.scatter(idx.filter(hit), False)
        self.report("records_bad_date", f.name, todo, raw, formats=" / ".join(formats))
        self.check_plausible(f, out, raw)
        return out.rename(f.name)

    def check_plausible(self, f: Field, parsed: pl.Series, raw: pl.Series) -> None:
        """Times from EARLIEST to the end of the day after `today` (planned ones PLANNED_DAYS later)."""
        last = self.today + timedelta(days=1 + (PLANNED_DAYS if f.name in PLANNED_FIELDS else 0))
        bad = (parsed < datetime.combine(EARLIEST, time())) | (
            parsed >= datetime.combine(last, time()) + timedelta(days=1)
        )
        first, last_text = EARLIEST.isoformat(), last.isoformat()
        self.report("records_date_implausible", f.name, bad.fill_null(False), raw, first=first, last=last_text)

    def check_ranges(self, parsed: pl.DataFrame) -> None:
        cols = parsed.columns
        if "visits" in cols:
            self.report("records_out_of_range", "visits", parsed["visits"] < 1, parsed["visits"], expected="≥ 1")
        if "nps" in cols:
            v = parsed["nps"]
            self.report("records_out_of_range", "nps", (v < 0) | (v > 10), v, expected="0..10")
        if "scale" in cols:
            v = parsed["scale"]
            scales = " / ".join(map(str, SURVEY_SCALES))
            self.report("records_out_of_range", "scale", v.is_not_null() & ~v.is_in(SURVEY_SCALES), v, expected=scales)
            if "score" in cols:
                s = parsed["score"]
                for scale in SURVEY_SCALES:
                    bad = (v == scale) & ((s < 1) | (s > scale))
                    self.report("records_out_of_range", "score", bad, s, expected=f"1..{scale}")
        elif "score" in cols:
            s = parsed["score"]
            self.report("records_out_of_range", "score", s < 1, s, expected="≥ 1")

    # -------------------------------------------------------------------------------- merging

    def merge(self, parsed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """One record per external id (later non-empty values win), the order rules, the events,
        and the row where each record starts."""
        parsed = parsed.filter(pl.col("external_id").is_not_null())
        names = [f.name for f in self.fields if f.name != "external_id"]
        required = [f.name for f in self.fields if f.required and f.name != "external_id"]
        rules = [(a, b) for a, b in ORDER_RULES[self.kind] if a in parsed.columns and b in parsed.columns]
        later_fields = sorted({b for _, b in rules} | {a for a, _ in rules})
        raw_present = self.raw.filter(pl.col("external_id").is_not_null()).select(
            [pl.col(n).is_not_null().alias(f"_has_{n}") for n in required]
        )
        frame = pl.concat([parsed, raw_present], how="horizontal")
        merging = frame["external_id"].n_unique() != frame.height
        if not merging:
            merged = frame.with_columns(
                [pl.col(ROW).alias(f"_row_{n}") for n in later_fields] + [pl.col(ROW).alias("_row_first")]
            )
        else:
            merged = frame.group_by("external_id", maintain_order=True).agg(
                [pl.col(n).drop_nulls().last() for n in names]
                + [pl.col(f"_has_{n}").any() for n in required]
                + [pl.col(ROW).filter(pl.col(n).is_not_null()).last().alias(f"_row_{n}") for n in later_fields]
                + [pl.col(ROW).first().alias("_row_first")]
            )
        for n in required:
            self._record_problems(
                "records_required_missing", n, merged, pl.col(n).is_null() & ~pl.col(f"_has_{n}"), "_row_first", field=n
            )
        for earlier, later in rules:
            bad = pl.col(later) < pl.col(earlier)
            rows = merged.filter(bad).select(
                pl.col(f"_row_{later}"),
                pl.col(later).dt.strftime("%Y-%m-%d %H:%M"),
                pl.col(earlier).dt.strftime("%Y-%m-%d %H:%M"),
            )
            self.found += rows.height
            for row, lv, ev in rows.sort(f"_row_{later}").head(MAX_PROBLEMS).iter_rows():
                self.problems.append(
                    Problem(
                        "records_order",
                        where=later,
                        row=row,
                        column=self.mapping.columns[later],
                        params={
                            "later": self.mapping.columns[later],
                            "earlier": self.mapping.columns[earlier],
                            "later_value": lv,
                            "earlier_value": ev,
                        },
                    )
                )
        first_rows = merged.select("external_id", pl.col("_row_first").cast(pl.Int64).alias("row"))
        if self.problems:
            return _empty_frame(self.kind), empty_events(), first_rows.clear()
        records = conform(merged, self.kind)
        # an event log only where the source provides one: a status-change time column. A file of
        # current states (no `status_at`) says nothing about when a status was reached.
        logged = self.kind in EVENT_KINDS and "status_at" in self.mapping.columns
        events = self.events(parsed, records, merged=merging) if logged else empty_events()
        return records, events, first_rows

    def _record_problems(
        self, code: str, fname: str, merged: pl.DataFrame, mask: pl.Expr, row_col: str, **params
    ) -> None:
        rows = merged.filter(mask).select(row_col)
        self.found += rows.height
        for (row,) in rows.sort(row_col).head(MAX_PROBLEMS).iter_rows():
            self.problems.append(Problem(code, where=fname, row=row, column=self.mapping.columns[fname], params=params))

    def events(self, parsed: pl.DataFrame, records: pl.DataFrame, *, merged: bool) -> pl.DataFrame:
        cols = parsed.columns
        row_at = [pl.col(c) for c in ("status_at", "received_at") if c in cols]
        raw_status = self.raw.filter(pl.col("external_id").is_not_null())["status"]
        frame = parsed.with_columns(raw_status.alias("status_raw")).filter(pl.col("status").is_not_null())
        frame = frame.with_columns(pl.coalesce(row_at).alias("at"))
        if frame["at"].null_count():  # a continuation row without its own time: the record's received_at
            received = records.select("external_id", pl.col("received_at").alias("_received"))
            frame = frame.join(received, on="external_id", how="left", maintain_order="left")
            frame = frame.with_columns(pl.coalesce("at", "_received").alias("at"))
        events = frame.select("external_id", "status", "status_raw", "at", pl.col(ROW).alias("source_row"))
        if merged:
            events = events.unique(subset=["external_id", "at", "status"], keep="first", maintain_order=True)
        return events.cast(EVENTS_SCHEMA)


def _shown(values: list) -> str:
    shown = [str(v) for v in values[:_MAX_ALLOWED_SHOWN]]
    return "、".join(shown) + ("…" if len(values) > _MAX_ALLOWED_SHOWN else "")


__all__ = ["ParsedRecords", "parse_records"]
