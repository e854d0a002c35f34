"""Fast bulk upsert of a records frame and its status events, inside the caller's transaction.

PostgreSQL: `COPY` into a temporary table, then one `INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE
(something differs)`. SQLite: `executemany` of `INSERT … VALUES … ON CONFLICT DO UPDATE … WHERE`.
Either way a row that would not change is not touched, so importing the same file twice changes
nothing. A later import fills or changes values; an empty value in the file never erases a stored
one (event logs arrive in pieces, as the core merges rows of one file: a later non-empty value wins).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl
from django.db import connection

from aftersales.core.records.fields import FIELDS, Kind

from .models import RECORD_MODELS, StatusEvent

LOCAL_TZ = "Asia/Shanghai"  # the frames' (naive) time zone
CHUNK = 200_000  # rows per COPY / executemany batch


@dataclass(frozen=True)
class Counts:
    inserted: int
    updated: int
    unchanged: int


def _db_value_columns(kind: Kind) -> list[tuple[str, str]]:
    """(name, type) of the frame's columns as the model stores them."""
    return [(f.name, f.type) for f in FIELDS[kind]]


def utc_text(expr: pl.Expr, *, with_offset: bool, fractions: bool = True) -> pl.Expr:
    """Naive local datetimes as the text the database stores: UTC, seconds (microseconds only when
    present, as Django writes them), '+00:00' for PostgreSQL's timestamptz."""
    utc = expr.dt.replace_time_zone(LOCAL_TZ).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    suffix = "+00:00" if with_offset else ""
    whole = utc.dt.strftime("%Y-%m-%d %H:%M:%S" + suffix)
    if not fractions:
        return whole
    return pl.when(utc.dt.microsecond() == 0).then(whole).otherwise(utc.dt.strftime("%Y-%m-%d %H:%M:%S%.6f" + suffix))


def _prepared(frame: pl.DataFrame, columns: list[tuple[str, str]], *, postgres: bool) -> pl.DataFrame:
    exprs = []
    for name, type_ in columns:
        col = pl.col(name)
        if type_ == "datetime":
            fractions = bool((frame[name].dt.microsecond() != 0).any())  # exports mostly stop at seconds
            exprs.append(utc_text(col, with_offset=postgres, fractions=fractions).alias(name))
        elif type_ in {"int", "bool"}:
            exprs.append(col)
        else:
            exprs.append(col.fill_null("").alias(name))
    return frame.select(exprs)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _changes(table: str, columns: list[tuple[str, str]], *, postgres: bool) -> tuple[str, str]:
    """The SET list (a later non-empty value wins) and the WHERE (some value differs)."""
    sets, differs = [], []
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    for name, type_ in columns:
        if name == "external_id":
            continue
        c = _q(name)
        present = f"excluded.{c} <> ''" if type_ not in {"datetime", "int", "bool"} else f"excluded.{c} IS NOT NULL"
        sets.append(f"{c} = CASE WHEN {present} THEN excluded.{c} ELSE {table}.{c} END")
        differs.append(f"({present} AND excluded.{c} {distinct} {table}.{c})")
    sets.append(f"{_q('import_batch_id')} = excluded.{_q('import_batch_id')}")
    return ", ".join(sets), " OR ".join(differs)


def _count(table: str, enterprise_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE enterprise_id = %s", [enterprise_id])
        return cursor.fetchone()[0]


def upsert_records(*, kind: Kind, frame: pl.DataFrame, enterprise_id: int, import_id: int) -> Counts:
    """Insert new records, update changed ones, leave equal ones alone. One row per external_id."""
    if frame.height == 0:
        return Counts(0, 0, 0)
    if frame["external_id"].is_duplicated().any():
        raise ValueError("a records frame has one row per external_id")
    table = _q(RECORD_MODELS[kind]._meta.db_table)
    # columns empty in the whole file are not sent at all: an empty value never changes a stored one
    columns = [(n, t) for n, t in _db_value_columns(kind) if n == "external_id" or frame[n].null_count() < frame.height]
    blank_text = [
        n for n, t in _db_value_columns(kind) if (n, t) not in columns and t not in {"datetime", "int", "bool"}
    ]
    postgres = connection.vendor == "postgresql"
    # in key order: the unique index is then filled page after page
    data = _prepared(frame.sort("external_id"), columns, postgres=postgres)
    sets, differs = _changes(table, columns, postgres=postgres)
    conflict = f"ON CONFLICT (enterprise_id, external_id) DO UPDATE SET {sets} WHERE {differs}"
    before = _count(table, enterprise_id)
    if before == 0:
        conflict = ""  # the enterprise's first import of this kind: nothing to conflict with, plain insert
    target = Target(table, [n for n, _ in columns], blank_text, conflict)
    if postgres:
        changed = _postgres_upsert(target, data, enterprise_id, import_id)
    else:
        changed = _sqlite_insert(target, data, enterprise_id, import_id)
    inserted = _count(table, enterprise_id) - before
    return Counts(inserted=inserted, updated=changed - inserted, unchanged=frame.height - changed)


def insert_events(*, kind: Kind, events: pl.DataFrame, enterprise_id: int, import_id: int) -> int:
    """Append the status events not stored yet; returns how many were added."""
    if events.height == 0:
        return 0
    table = _q(StatusEvent._meta.db_table)
    columns = [("external_id", "text"), ("status", "text"), ("status_raw", "text"), ("at", "datetime")]
    postgres = connection.vendor == "postgresql"
    data = _prepared(events.unique(subset=["external_id", "at", "status"], keep="first"), columns, postgres=postgres)
    data = data.with_columns(pl.lit(str(kind)).alias("kind")).select("kind", *[n for n, _ in columns])
    conflict = "ON CONFLICT (enterprise_id, kind, external_id, at, status) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE enterprise_id = %s AND kind = %s LIMIT 1", [enterprise_id, kind])
        if cursor.fetchone() is None:
            conflict = ""  # the first events of this kind: nothing to conflict with, plain insert
    target = Target(table, list(data.columns), [], conflict)
    if postgres:
        return _postgres_upsert(target, data, enterprise_id, import_id)
    return _sqlite_insert(target, data, enterprise_id, import_id)


@dataclass(frozen=True)
class Target:
    table: str  # quoted
    names: list[str]  # the columns sent, in the data's order
    blank_text: list[str]  # NOT NULL text columns empty in the whole file: written as ''
    conflict: str

    @property
    def column_list(self) -> str:
        return ", ".join(_q(n) for n in ["enterprise_id", "import_batch_id", *self.blank_text, *self.names])

    def literals(self, enterprise_id: int, import_id: int) -> str:
        # our own integers and '' written into the statement: fewer parameters to bind per row
        return ", ".join([str(int(enterprise_id)), str(int(import_id)), *("''" for _ in self.blank_text)])


def _sqlite_insert(target: Target, data: pl.DataFrame, enterprise_id: int, import_id: int) -> int:
    """Multi-row `INSERT … VALUES (…), (…) … ON CONFLICT`: binding is the cost, and one statement per
    few hundred rows binds about twice as fast as `executemany` of one row each."""
    width = len(target.names)
    per = max(1, min(500, 32_000 // width))  # SQLite allows 32,766 parameters per statement
    one = f"({target.literals(enterprise_id, import_id)}, {', '.join('?' * width)})"
    head = f"INSERT INTO {target.table} ({target.column_list}) VALUES "
    full = head + ", ".join([one] * per) + f" {target.conflict}"
    connection.ensure_connection()
    raw = connection.connection.cursor()
    # a large page cache for this connection: the unique index of a million records does not fit
    # the default 2 MB, and every insert would read pages back from disk
    raw.execute("PRAGMA cache_size = -262144")
    changed = 0
    try:
        for start in range(0, data.height, CHUNK):
            chunk = data.slice(start, CHUNK)
            columns = [series.to_list() for series in chunk.get_columns()]  # columnar: no row tuples
            for i in range(0, chunk.height, per):
                m = min(per, chunk.height - i)
                params: list = [None] * (m * width)
                for j, column in enumerate(columns):
                    params[j::width] = column[i : i + m]  # interleaved into row order, in C
                sql = full if m == per else head + ", ".join([one] * m) + f" {target.conflict}"
                raw.execute(sql, params)
                changed += raw.rowcount
    finally:
        raw.close()
    return changed


def _copy(raw, sql: str, data: pl.DataFrame) -> None:
    with raw.copy(sql) as copy:
        for start in range(0, data.height, CHUNK):
            buffer = io.BytesIO()
            data.slice(start, CHUNK).write_csv(buffer, include_header=False, null_value="\\N")
            copy.write(buffer.getvalue())


def _postgres_upsert(target: Target, data: pl.DataFrame, enterprise_id: int, import_id: int) -> int:
    if not target.conflict:  # nothing stored yet: COPY straight into the table
        full = data.select(
            pl.lit(int(enterprise_id)).alias("enterprise_id"),
            pl.lit(int(import_id)).alias("import_batch_id"),
            *(pl.lit("").alias(n) for n in target.blank_text),
            pl.all(),
        )
        with connection.cursor() as cursor:
            _copy(
                cursor.cursor, f"COPY {target.table} ({target.column_list}) FROM STDIN (FORMAT csv, NULL '\\N')", full
            )
        return data.height
    temp = f"records_load_{int(import_id)}"
    names = ", ".join(_q(n) for n in target.names)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {target.table} WITH NO DATA")
        _copy(cursor.cursor, f"COPY {temp} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')", data)
        cursor.execute(
            f"INSERT INTO {target.table} ({target.column_list}) "
            f"SELECT {target.literals(enterprise_id, import_id)}, {names} FROM {temp} {target.conflict}"
        )
        changed = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return changed
