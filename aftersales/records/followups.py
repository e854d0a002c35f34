"""A return visit follows up a work order or a complaint: it cannot be made before that record was
received. Checked when return visits are imported, against the work orders and complaints already
stored (a visit whose record is not stored yet cannot be checked and is taken as it is)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl

from aftersales.core.problems import MAX_PROBLEMS, Problem, capped
from aftersales.core.records.fields import Kind
from aftersales.core.records.mapping import Mapping
from aftersales.core.records.parse import ParsedRecords

from .bulk import LOCAL_TZ
from .models import RECORD_MODELS

SUBJECTS = (Kind.WORK_ORDER, Kind.COMPLAINT)
_BATCH = 2_000  # ids per IN (…) query
_TIME = "%Y-%m-%d %H:%M"


def _received(enterprise_id: int, kind: Kind, ids: list[str]) -> pl.DataFrame:
    """subject_id, received (naive local time, as the parsed frames) of the stored records."""
    local = ZoneInfo(LOCAL_TZ)
    found: list[tuple[str, object]] = []
    model = RECORD_MODELS[kind]
    for start in range(0, len(ids), _BATCH):
        rows = model.objects.filter(enterprise_id=enterprise_id, external_id__in=ids[start : start + _BATCH])
        pairs = rows.values_list("external_id", "received_at")
        found += [(i, at.astimezone(local).replace(tzinfo=None)) for i, at in pairs]
    return pl.DataFrame(found, schema={"subject_id": pl.Utf8, "received": pl.Datetime("us")}, orient="row")


def visits_before_subjects(*, enterprise_id: int, parsed: ParsedRecords, mapping: Mapping) -> list[Problem]:
    """One problem per visit dated before its work order or complaint was received, naming the
    visit's row and its date and subject columns."""
    visits = parsed.records.select("external_id", "subject_kind", "subject_id", "visited_at").join(
        parsed.first_rows, on="external_id", how="left"
    )
    bad = []
    for kind in SUBJECTS:
        of_kind = visits.filter(pl.col("subject_kind") == kind.value)
        if of_kind.is_empty():
            continue
        received = _received(enterprise_id, kind, of_kind["subject_id"].unique().to_list())
        early = of_kind.join(received, on="subject_id").filter(pl.col("visited_at") < pl.col("received"))
        rows = early.select("row", "subject_id", "visited_at", "received").iter_rows()
        bad += list(rows)
    bad.sort(key=lambda b: (b[0] is None, b[0] or 0))
    columns = mapping.columns
    problems = [
        Problem(
            "records_visit_before_subject",
            where="visited_at",
            row=row,
            column=columns["visited_at"],
            params={
                "visited": columns["visited_at"],
                "visited_value": visited.strftime(_TIME),
                "subject": columns["subject_id"],
                "subject_id": subject_id,
                "received_value": received.strftime(_TIME),
            },
        )
        for row, subject_id, visited, received in bad[:MAX_PROBLEMS]
    ]
    return capped(problems, total=len(bad))
