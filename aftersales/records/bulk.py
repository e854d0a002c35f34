"""Fast bulk upsert of a records frame and its status events, inside the caller's transaction.

PostgreSQL: `COPY` into a temporary table, then one `INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE
(something differs)`. SQLite: `executemany` of `INSERT … VALUES … ON CONFLICT DO UPDATE … WHERE`.
Either way a row that would not change is not touched, so importing the same file twice changes
nothing. A later import fills or changes values; an empty value in the file never erases a stored
one (event logs arrive in pieces, as the core merges rows of one file: a later non-empty value wins).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
from django.db import OperationalError, connection, transaction

from aftersales.core.records.fields import FIELDS, Kind

from .models import RECORD_MODELS, StatusEvent

LOCAL_TZ = "Asia/Shanghai"  # the frames' (naive) time zone
# Asia/Shanghai has been UTC+8 without daylight saving since 1991-09-15 (tzdata): from 1992 on, local
# to UTC is a plain shift, several times faster than a time-zone conversion of a million values
FIXED_OFFSET_FROM = datetime(1992, 1, 1)
FIXED_OFFSET = timedelta(hours=8)
CHUNK = 200_000  # rows per COPY / executemany batch
# a first import of at least this many rows into an empty table drops the table's secondary indexes
# and builds them again once the rows are in (one sort instead of a million random index inserts)
REBUILD_INDEXES_FROM = 100_000


@dataclass(frozen=True)
class Counts:
    inserted: int
    updated: int
    unchanged: int


def _db_value_columns(kind: Kind) -> list[tuple[str, str]]:
    """(name, type) of the frame's columns as the model stores them."""
    return [(f.name, f.type) for f in FIELDS[kind]]


def utc_text(expr: pl.Expr, *, with_offset: bool, fractions: bool = True, fixed_offset: bool = False) -> pl.Expr:
    """Naive local datetimes as the text the database stores: UTC, seconds (microseconds only when
    present, as Django writes them), '+00:00' for PostgreSQL's timestamptz. `fixed_offset`: every
    value is from FIXED_OFFSET_FROM on, where local time is UTC+8 all year."""
    if fixed_offset:
        utc = expr - FIXED_OFFSET
    else:
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
            lowest = frame[name].min()
            fixed = lowest is None or lowest >= FIXED_OFFSET_FROM
            exprs.append(utc_text(col, with_offset=postgres, fractions=fractions, fixed_offset=fixed).alias(name))
        elif type_ in {"int", "bool"}:
            exprs.append(col)
        else:
            exprs.append(col.fill_null("").alias(name))
    return frame.select(exprs)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _present(ref: str, type_: str) -> str:
    return f"{ref} <> ''" if type_ not in {"datetime", "int", "bool"} else f"{ref} IS NOT NULL"


def _differs(columns: list[tuple[str, str]], new: str, old: str, *, postgres: bool) -> str:
    """SQL true when the row `new` would change the stored row `old` (some non-empty value differs)."""
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    return " OR ".join(
        f"({_present(f'{new}.{_q(n)}', t)} AND {new}.{_q(n)} {distinct} {old}.{_q(n)})"
        for n, t in columns
        if n != "external_id"
    )


def _changes(table: str, columns: list[tuple[str, str]], *, postgres: bool) -> tuple[str, str]:
    """The SET list (a later non-empty value wins) and the WHERE (some value differs)."""
    sets = []
    for name, type_ in columns:
        if name == "external_id":
            continue
        c = _q(name)
        sets.append(f"{c} = CASE WHEN {_present(f'excluded.{c}', type_)} THEN excluded.{c} ELSE {table}.{c} END")
    sets.append(f"{_q('import_batch_id')} = excluded.{_q('import_batch_id')}")
    return ", ".join(sets), _differs(columns, "excluded", table, postgres=postgres)


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
    db_table = RECORD_MODELS[kind]._meta.db_table
    with _indexes_rebuilt_after(db_table, rows=data.height, first=not conflict):
        if postgres:
            new_differs = _differs(columns, "s", "r", postgres=True)
            changed = _postgres_upsert(target, data, enterprise_id, import_id, skip_unless=new_differs)
        else:
            changed = _sqlite_insert(target, data, enterprise_id, import_id)
    # a plain insert inserts every row or fails; else count what the upsert added
    inserted = changed if not conflict else _count(table, enterprise_id) - before
    return Counts(inserted=inserted, updated=changed - inserted, unchanged=frame.height - changed)


def _has_rows(db_table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {_q(db_table)} LIMIT 1")
        return cursor.fetchone() is not None


def _locked_alone(db_table: str) -> bool:
    """PostgreSQL: the table locked for this transaction alone, if nobody else holds a lock on it
    now (else False at once, not a wait: two imports that each read the table and then waited for
    the other's lock would deadlock). SQLite: True (one writer at a time already)."""
    if connection.vendor != "postgresql":
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refusal leaves the import alive
            cursor.execute(f"LOCK TABLE {_q(db_table)} IN ACCESS EXCLUSIVE MODE NOWAIT")
    except OperationalError:
        return False
    return True


def _index_sql(db_table: str) -> list[tuple[str, str]]:
    """(drop, create) statements of the table's indexes other than its primary key; on PostgreSQL
    its unique constraints too. SQLite's inline UNIQUE constraints (autoindexes) cannot be dropped."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [db_table],
            )
            return [(f"DROP INDEX {_q(name)}", sql) for name, sql in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [db_table],
        )
        table = _q(db_table)
        out = [
            (f"ALTER TABLE {table} DROP CONSTRAINT {_q(name)}", f"ALTER TABLE {table} ADD CONSTRAINT {_q(name)} {d}")
            for name, d in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [db_table],
        )
        return out + [(f"DROP INDEX {_q(name)}", sql) for name, sql in cursor.fetchall()]


@contextmanager
def _indexes_rebuilt_after(db_table: str, *, rows: int, first: bool) -> Iterator[None]:
    """Around the first import of at least REBUILD_INDEXES_FROM rows into an empty table: its indexes
    are dropped before the rows go in and built again after. All in the caller's transaction (DDL is
    transactional on both databases): a failed import leaves the indexes as they were, and once it
    commits the table has exactly the indexes and constraints it had. On PostgreSQL the table is
    locked first without waiting: if another transaction uses it (another import, a reader), the
    indexes stay and the rows go in the ordinary way — two imports never wait on each other's lock."""
    if not first or rows < REBUILD_INDEXES_FROM or _has_rows(db_table):
        yield
        return
    if not _locked_alone(db_table) or _has_rows(db_table):  # another import may have committed rows just before
        yield
        return
    statements = _index_sql(db_table)
    with connection.cursor() as cursor:
        for drop, _create in statements:
            cursor.execute(drop)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the sort in memory
        for _drop, create in statements:
            cursor.execute(create)


def insert_events(*, kind: Kind, events: pl.DataFrame, enterprise_id: int, import_id: int) -> int:
    """Append the status events not stored yet; returns how many were added."""
    if events.height == 0:
        return 0
    table = _q(StatusEvent._meta.db_table)
    columns = [("external_id", "text"), ("status", "text"), ("status_raw", "text"), ("at", "datetime")]
    postgres = connection.vendor == "postgresql"
    # in key order, file order among equals: the unique index (…, external_id, at, status) is filled page after page
    once = events.unique(subset=["external_id", "at", "status"], keep="first", maintain_order=True)
    data = _prepared(once.sort("external_id", "at", maintain_order=True), columns, postgres=postgres)
    data = data.with_columns(pl.lit(str(kind)).alias("kind")).select("kind", *[n for n, _ in columns])
    conflict = "ON CONFLICT (enterprise_id, kind, external_id, at, status) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE enterprise_id = %s AND kind = %s LIMIT 1", [enterprise_id, kind])
        if cursor.fetchone() is None:
            conflict = ""  # the first events of this kind: nothing to conflict with, plain insert
    target = Target(table, list(data.columns), [], conflict)
    with _indexes_rebuilt_after(StatusEvent._meta.db_table, rows=data.height, first=not conflict):
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
    # a large page cache for this connection (at most 1 GB, only as much as the rows written need): the
    # table and indexes of a million records do not fit the default 2 MB, and every insert would read
    # pages back from disk; with 256 MB, a million work orders took 1.2 s longer (pages spilled)
    raw.execute("PRAGMA cache_size = -1048576")
    changed = 0
    with connection.wrap_database_errors:  # sqlite3's errors raised as Django's (IntegrityError, …)
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
    with connection.wrap_database_errors, raw.copy(sql) as copy:  # psycopg's errors as Django's
        for start in range(0, data.height, CHUNK):
            buffer = io.BytesIO()
            data.slice(start, CHUNK).write_csv(buffer, include_header=False, null_value="\\N")
            copy.write(buffer.getvalue())


def _postgres_upsert(
    target: Target, data: pl.DataFrame, enterprise_id: int, import_id: int, *, skip_unless: str = ""
) -> int:
    """COPY, then (when rows may be stored already) one INSERT … SELECT … ON CONFLICT. `skip_unless`
    (SQL over the new row `s` and the stored row `r`): rows already stored for which it is false are
    left out before the INSERT, so PostgreSQL neither locks nor rewrites the unchanged rows of a
    file imported again (ON CONFLICT … WHERE locks every conflicting row, changed or not)."""
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
    source = f"{temp} s"
    if skip_unless:
        source += (
            f" WHERE NOT EXISTS (SELECT 1 FROM {target.table} r WHERE r.enterprise_id = {int(enterprise_id)}"
            f" AND r.external_id = s.external_id AND NOT ({skip_unless}))"
        )
    columns = ", ".join(f"s.{_q(n)}" for n in target.names)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {target.table} WITH NO DATA")
        _copy(cursor.cursor, f"COPY {temp} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')", data)
        cursor.execute(f"ANALYZE {temp}")  # a plan for the real row count
        cursor.execute("SET LOCAL work_mem = '128MB'")  # the comparison with the stored rows in memory
        cursor.execute(
            f"INSERT INTO {target.table} ({target.column_list}) "
            f"SELECT {target.literals(enterprise_id, import_id)}, {columns} FROM {source} {target.conflict}"
        )
        changed = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return changed
