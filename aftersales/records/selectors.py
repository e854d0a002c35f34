"""Reads for service records: counts, coverage (eligibility signal), frames for the KPI suite,
record lists (with the KPI drill-down) and sampling frames."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.accounts.models import Organisation
from aftersales.core.problems import Problem, ProblemsError
from aftersales.core.records.calendar import BusinessCalendar, default_calendar, parse_calendar_years
from aftersales.core.records.coverage import Coverage, coverage, months_before
from aftersales.core.records.fields import FIELDS, Kind, conform, schema
from aftersales.core.records.kpi import Commitments, KpiReport, RecordFrames, drill_records, kpi_suite
from aftersales.policy import policy_on

from .bulk import LOCAL_TZ
from .models import DATE_FIELD, RECORD_MODELS, AuditSample, Commitment, RecordImport


def business_calendar() -> BusinessCalendar:
    """The calendar business time is computed with: the `chinese_calendar` package's, extended by
    BUSINESS_CALENDAR_FILE's years when it is set (docs/records.md), then up to this year with
    Monday to Friday assumed (`assumed_years`) while no holiday table has it. Raises ProblemsError
    naming what is wrong with the file."""
    path, year = settings.BUSINESS_CALENDAR_FILE, timezone.localdate().year
    if not path:
        return _calendar(None, 0, year)
    try:
        changed = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise _unreadable(str(path), exc) from None
    return _calendar(str(path), changed, year)


@lru_cache(maxsize=4)
def _calendar(path: str | None, changed: int, year: int) -> BusinessCalendar:
    """Built once per file version (`changed`: its modification time), year and process."""
    if path is None:
        return default_calendar(assume_through=year)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from None
    return default_calendar(more_years=parse_calendar_years(text, name=Path(path).name), assume_through=year)


def _unreadable(path: str, exc: Exception) -> ProblemsError:
    error = getattr(exc, "strerror", None) or str(exc)
    return ProblemsError([Problem("calendar_file_unreadable", where=path, params={"file": path, "error": error})])


# ------------------------------------------------------------------------ overview, coverage


@dataclass(frozen=True)
class KindSummary:
    kind: str
    label: str
    count: int
    first: datetime | None
    last: datetime | None
    missing: tuple[str, ...]  # required months without records (only for the required kinds)
    required: bool


def required_months(on: date | None = None) -> int:
    """How many whole months of records an applicant needs: the CB policy in force on `on`."""
    return policy_on(on).records_months


def _month_start(month: str) -> datetime:
    year, mon = map(int, month.split("-"))
    return timezone.make_aware(datetime(year, mon, 1))


def record_coverage(enterprise: Organisation, *, as_of: date | None = None, months: int | None = None) -> Coverage:
    """Which of the required whole months before `as_of` hold records of each required kind: one
    query of an EXISTS per kind and month, each a seek on the (enterprise, date) index, so its time
    does not grow with the number of records (a DISTINCT month over the rows read every row); and,
    in the same query, the count of each kind over those months (the return-visit share)."""
    as_of = as_of or timezone.localdate()
    months = months or required_months(as_of)
    wanted = months_before(as_of, months)
    ends = [*wanted[1:], f"{as_of:%Y-%m}"]
    kinds = (Kind.COMPLAINT, Kind.WORK_ORDER, Kind.RETURN_VISIT)
    checks = {
        f"m{k}_{i}": Exists(
            RECORD_MODELS[kind].objects.filter(
                enterprise=enterprise,
                **{f"{DATE_FIELD[kind]}__gte": _month_start(month), f"{DATE_FIELD[kind]}__lt": _month_start(end)},
            )
        )
        for k, kind in enumerate(kinds)
        for i, (month, end) in enumerate(zip(wanted, ends, strict=True))
    }
    for k, kind in enumerate(kinds if wanted else ()):  # counts over the months, for the return-visit share
        field = DATE_FIELD[kind]
        window = {f"{field}__gte": _month_start(wanted[0]), f"{field}__lt": _month_start(ends[-1])}
        rows = RECORD_MODELS[kind].objects.filter(enterprise=enterprise, **window).order_by().values("enterprise")
        checks[f"n{k}"] = Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)
    row = Organisation.objects.filter(pk=enterprise.pk).annotate(**checks).values(*checks).first() or {}
    present = {
        str(kind): [month for i, month in enumerate(wanted) if row.get(f"m{k}_{i}")] for k, kind in enumerate(kinds)
    }
    counts = {kind: row.get(f"n{k}", 0) for k, kind in enumerate(kinds)}
    return coverage(
        present,
        required_months=months,
        as_of=as_of,
        visits=counts[Kind.RETURN_VISIT],
        followed=counts[Kind.WORK_ORDER] + counts[Kind.COMPLAINT],
        visit_percent_required=policy_on(as_of).return_visit_percent,
    )


def kind_summaries(enterprise: Organisation, cov: Coverage) -> list[KindSummary]:
    out = []
    missing = cov.missing
    for kind, model in RECORD_MODELS.items():
        # the first and last date as two seeks on the (enterprise, date) index: in one aggregate
        # with the count, SQLite read every row for them too (3x slower at 240,000 records)
        rows = model.objects.filter(enterprise=enterprise)
        dates = rows.order_by(DATE_FIELD[kind]).values_list(DATE_FIELD[kind], flat=True)
        out.append(
            KindSummary(
                kind=str(kind),
                label=str(kind.label),
                count=rows.count(),
                first=dates.first(),
                last=dates.last(),
                missing=tuple(missing.get(str(kind), ())),
                required=str(kind) in cov.kinds,
            )
        )
    return out


def imports_of(enterprise: Organisation) -> QuerySet[RecordImport]:
    """Without their mapping texts and problems: a listing never loads what it does not show."""
    imports = RecordImport.objects.filter(enterprise=enterprise)
    return imports.defer("mapping_text", "problems").select_related("created_by")


def samples_of(enterprise: Organisation) -> QuerySet[AuditSample]:
    return AuditSample.objects.filter(enterprise=enterprise).select_related("drawn_by", "assessment")


# ------------------------------------------------------------------------------ commitments


def commitment_in_force(enterprise: Organisation, on: date | None = None) -> Commitment | None:
    on = on or timezone.localdate()
    return Commitment.objects.filter(enterprise=enterprise, effective_from__lte=on).first()


def core_commitments(row: Commitment | None) -> Commitments:
    if row is None:
        return Commitments()
    return Commitments(
        first_response_hours=row.first_response_hours,
        arrival_hours=row.arrival_hours,
        completion_hours=row.completion_hours,
        complaint_closure_working_days=row.complaint_closure_working_days,
    )


# ------------------------------------------------------------------------------------ frames


# the columns the KPI suite reads; the others stay null in the KPI frames (less to fetch)
KPI_COLUMNS = {
    Kind.COMPLAINT: {"external_id", "received_at", "status", "first_response_at", "closed_at", "deadline_at"},
    Kind.WORK_ORDER: {
        "external_id",
        "received_at",
        "status",
        "serial",
        "promised_arrival_at",
        "arrived_at",
        "completed_at",
        "visits",
        "repeat_of",
    },
    Kind.RETURN_VISIT: {"external_id", "subject_kind", "subject_id", "visited_at", "reached", "satisfied"},
    Kind.SURVEY: {"external_id", "answered_at", "scale", "score", "nps"},
}


def _select_sql(kind: Kind, table: str, names: list[str]) -> str:
    q = connection.ops.quote_name
    types = {f.name: f.type for f in FIELDS[kind]}
    parts = []
    for name in names:
        if types[name] == "datetime" and connection.vendor == "postgresql":
            parts.append(f"to_char({q(name)} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS {q(name)}")
        elif types[name] == "bool" and connection.vendor == "postgresql":
            parts.append(f"{q(name)}::int AS {q(name)}")  # CSV would say t/f
        elif types[name] == "datetime":  # the stored text, not converted row by row into Python datetimes
            parts.append(f"CAST({q(name)} AS TEXT) AS {q(name)}")
        else:
            parts.append(q(name))
    return f"SELECT {', '.join(parts)} FROM {q(table)} WHERE enterprise_id = %s"


def _fetch(sql: str, enterprise_id: int, raw_schema: dict) -> pl.DataFrame:
    if connection.vendor == "postgresql":  # COPY … TO STDOUT as CSV: columnar, no Python row objects
        with connection.cursor() as cursor:
            query = sql.replace("%s", str(int(enterprise_id)))  # our own integer; COPY takes no parameters
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER false, NULL '\\N')") as copy:
                for block in copy:
                    buffer.write(block)
        if not buffer.getvalue():
            return pl.DataFrame(schema=raw_schema)
        return pl.read_csv(
            buffer.getvalue(),
            has_header=False,
            new_columns=list(raw_schema),
            schema_overrides=raw_schema,
            null_values="\\N",
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [enterprise_id])
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=raw_schema, orient="row")


def load_frame(enterprise_id: int, kind: Kind, *, columns: set[str] | None = None) -> pl.DataFrame:
    """An enterprise's records of `kind` as a canonical frame (naive local datetimes, nulls for
    empty text); with `columns`, only those are read and the others are null."""
    fields = [f for f in FIELDS[kind] if columns is None or f.name in columns]
    names = [f.name for f in fields]
    sql = _select_sql(kind, RECORD_MODELS[kind]._meta.db_table, names)
    raw = {"datetime": pl.Utf8, "bool": pl.Int64}  # as read; converted below
    raw_schema = {f.name: raw.get(f.type, schema(kind)[f.name]) for f in fields}
    frame = _fetch(sql, enterprise_id, raw_schema)
    exprs = []
    for f in fields:
        c = pl.col(f.name)
        if f.type == "datetime":
            c = (
                c.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us")
                .dt.replace_time_zone("UTC")
                .dt.convert_time_zone(LOCAL_TZ)
                .dt.replace_time_zone(None)
            )
        elif f.type == "bool":
            c = c.cast(pl.Boolean)
        elif f.type != "int":
            c = pl.when(c == "").then(None).otherwise(c)
        exprs.append(c.alias(f.name))
    return conform(frame.select(exprs), kind)


def record_frames(enterprise: Organisation) -> RecordFrames:
    return RecordFrames(
        complaints=kpi_frame(enterprise.pk, Kind.COMPLAINT),
        work_orders=kpi_frame(enterprise.pk, Kind.WORK_ORDER),
        return_visits=kpi_frame(enterprise.pk, Kind.RETURN_VISIT),
        surveys=kpi_frame(enterprise.pk, Kind.SURVEY),
    )


def snapshot_key(enterprise_id: int, kind: Kind) -> str:
    """What a KPI snapshot of these records is valid for: the last finished import of the kind (its
    number and when it finished) and the number of records. Records change only through imports;
    the count also catches anything else."""
    last = (
        RecordImport.objects.filter(
            enterprise_id=enterprise_id, kind=kind, status=RecordImport.Status.DONE, dry_run=False
        )
        .order_by("-pk")
        .values_list("pk", "finished_at")
        .first()
    )
    count = RECORD_MODELS[kind].objects.filter(enterprise_id=enterprise_id).count()
    pk, finished = last or (0, None)
    return f"{pk}-{finished.timestamp() if finished else 0:.6f}-{count}"


def kpi_frame(enterprise_id: int, kind: Kind, *, key: str | None = None) -> pl.DataFrame:
    """The KPI columns of an enterprise's records, from a columnar snapshot (Parquet under
    AFTERSALES_DATA_DIR/cache) when one exists for the current records, else read from the database
    and snapshotted. A snapshot is only ever a copy: delete the folder and it is rebuilt. `key`:
    the records' `snapshot_key` when the caller has it already."""
    folder = Path(settings.RECORDS_CACHE_DIR)
    stem = f"{enterprise_id}-{kind}-"
    path = folder / f"{stem}{key or snapshot_key(enterprise_id, kind)}.parquet"
    if path.exists():
        try:
            return pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError):
            pass  # unreadable (a crash while writing, a full disk): rebuild it below
    frame = load_frame(enterprise_id, kind, columns=KPI_COLUMNS[kind])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        frame.write_parquet(partial)
        os.replace(partial, path)  # atomic: readers see the whole file or none
        for old in folder.glob(f"{stem}*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk costs speed, never the answer
    return frame


def kpi_report(enterprise: Organisation, *, date_from: date | None, date_to: date | None) -> KpiReport:
    """The KPI suite for the period (commitments in force at its end). Raises ProblemsError when
    a date is outside the business calendar."""
    commitments = core_commitments(commitment_in_force(enterprise, date_to))
    return kpi_suite(
        record_frames(enterprise),
        calendar=business_calendar(),
        commitments=commitments,
        date_from=date_from,
        date_to=date_to,
    )


def kpi_drill_keys(enterprise: Organisation, *, kpi_id: str, date_from, date_to) -> pl.DataFrame:
    """(kind, external_id, counted) of the records behind one KPI number."""
    commitments = core_commitments(commitment_in_force(enterprise, date_to))
    return drill_records(
        record_frames(enterprise),
        kpi_id=kpi_id,
        calendar=business_calendar(),
        commitments=commitments,
        date_from=date_from,
        date_to=date_to,
    )


# ------------------------------------------------------------------------------ record lists


def _local_range(field: str, date_from: date | None, date_to: date | None) -> dict:
    out = {}
    if date_from:
        out[f"{field}__gte"] = timezone.make_aware(datetime.combine(date_from, time.min))
    if date_to:
        out[f"{field}__lt"] = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    return out


def record_list(
    enterprise: Organisation,
    kind: Kind,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str = "",
    search: str = "",
    keys: list[str] | None = None,
) -> QuerySet:
    model = RECORD_MODELS[kind]
    qs = model.objects.filter(enterprise=enterprise, **_local_range(DATE_FIELD[kind], date_from, date_to))
    if status and hasattr(model, "status"):
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(external_id__startswith=search.strip())
    if keys is not None:
        qs = qs.filter(external_id__in=keys).order_by("external_id")
    return qs


def sampling_frame(
    *, enterprise: Organisation, kind: str, method: str, date_from: date | None, date_to: date | None
) -> list[tuple[str, str]]:
    """(record key, stratum) of the population: month ("YYYY-MM") or complaint category strata."""
    kind = Kind(kind)
    field = DATE_FIELD[kind]
    qs = RECORD_MODELS[kind].objects.filter(enterprise=enterprise, **_local_range(field, date_from, date_to))
    if method == AuditSample.Method.CATEGORY and kind == Kind.COMPLAINT:
        return list(qs.values_list("external_id", "category"))
    if method == AuditSample.Method.CATEGORY and kind == Kind.WORK_ORDER:
        return list(qs.values_list("external_id", "product"))
    if method == AuditSample.Method.MONTH:
        return [(k, timezone.localtime(at).strftime("%Y-%m")) for k, at in qs.values_list("external_id", field)]
    return [(k, "") for k in qs.values_list("external_id", flat=True)]
