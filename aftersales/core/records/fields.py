"""Record kinds and their canonical fields: the columns of every records frame.

A records frame (Polars) holds exactly the canonical columns of its kind, in the order below:
datetimes are `pl.Datetime("us")` naive local time (Asia/Shanghai), ints `pl.Int64`, bools
`pl.Boolean`, everything else `pl.Utf8`; a missing value is null.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import polars as pl

from .kinds import Channel, Kind, StatusCategory

FIELD_TYPES = ("text", "datetime", "int", "bool", "status", "channel", "kind_ref")
SUBJECT_KINDS = (Kind.COMPLAINT.value, Kind.WORK_ORDER.value)
SURVEY_SCALES = (5, 10, 100)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str  # one of FIELD_TYPES
    required: bool = False
    choices: tuple[str, ...] | None = None

    @property
    def dtype(self) -> pl.DataType:
        return _DTYPES[self.type]


_DTYPES = {
    "text": pl.Utf8(),
    "datetime": pl.Datetime("us"),
    "int": pl.Int64(),
    "bool": pl.Boolean(),
    "status": pl.Utf8(),
    "channel": pl.Utf8(),
    "kind_ref": pl.Utf8(),
}

_STATUS = tuple(s.value for s in StatusCategory)
_CHANNEL = tuple(c.value for c in Channel)


def _f(name: str, type_: str = "text", required: bool = False) -> Field:
    choices = {"status": _STATUS, "channel": _CHANNEL, "kind_ref": SUBJECT_KINDS}.get(type_)
    return Field(name, type_, required, choices)


FIELDS: MappingProxyType[Kind, tuple[Field, ...]] = MappingProxyType(
    {
        Kind.COMPLAINT: (
            _f("external_id", required=True),
            _f("received_at", "datetime", True),
            _f("category", required=True),
            _f("status", "status", True),
            _f("channel", "channel"),
            _f("first_response_at", "datetime"),
            _f("closed_at", "datetime"),
            _f("deadline_at", "datetime"),
            _f("outcome"),
            _f("product"),
            _f("status_at", "datetime"),
        ),
        Kind.WORK_ORDER: (
            _f("external_id", required=True),
            _f("received_at", "datetime", True),
            _f("product", required=True),
            _f("status", "status", True),
            _f("model"),
            _f("serial"),
            _f("fault"),
            _f("outlet"),
            _f("technician"),
            _f("promised_arrival_at", "datetime"),
            _f("arrived_at", "datetime"),
            _f("completed_at", "datetime"),
            _f("parts"),
            _f("visits", "int"),
            _f("repeat_of"),
            _f("status_at", "datetime"),
        ),
        Kind.RETURN_VISIT: (
            _f("external_id", required=True),
            _f("subject_kind", "kind_ref", True),
            _f("subject_id", required=True),
            _f("visited_at", "datetime", True),
            _f("channel", "channel"),
            _f("reached", "bool"),
            _f("satisfied", "bool"),
        ),
        Kind.SURVEY: (
            _f("external_id", required=True),
            _f("answered_at", "datetime", True),
            _f("scale", "int", True),
            _f("score", "int", True),
            _f("nps", "int"),
            _f("subject_kind", "kind_ref"),
            _f("subject_id"),
            _f("comment"),
        ),
    }
)

# (earlier, later): `later` must not be before `earlier` when both are present (bad row otherwise)
ORDER_RULES: MappingProxyType[Kind, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        Kind.COMPLAINT: (("received_at", "first_response_at"), ("received_at", "closed_at")),
        Kind.WORK_ORDER: (
            ("received_at", "arrived_at"),
            ("received_at", "completed_at"),
            ("arrived_at", "completed_at"),
        ),
        Kind.RETURN_VISIT: (),
        Kind.SURVEY: (),
    }
)

# kinds that keep a status-event log
EVENT_KINDS = (Kind.COMPLAINT, Kind.WORK_ORDER)


def field(kind: Kind, name: str) -> Field:
    for f in FIELDS[kind]:
        if f.name == name:
            return f
    raise KeyError(f"{kind} has no field {name!r}")


def field_names(kind: Kind) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[kind])


def schema(kind: Kind) -> dict[str, pl.DataType]:
    """The Polars schema of a records frame of `kind`."""
    return {f.name: f.dtype for f in FIELDS[kind]}


def empty_frame(kind: Kind) -> pl.DataFrame:
    return pl.DataFrame(schema=schema(kind))


EVENTS_SCHEMA = {
    "external_id": pl.Utf8(),
    "status": pl.Utf8(),
    "status_raw": pl.Utf8(),
    "at": pl.Datetime("us"),
    "source_row": pl.Int64(),
}


def conform(frame: pl.DataFrame, kind: Kind) -> pl.DataFrame:
    """`frame` with exactly the canonical columns of `kind` (missing ones null), cast to their types."""
    cols = []
    for f in FIELDS[kind]:
        if f.name in frame.columns:
            cols.append(pl.col(f.name).cast(f.dtype))
        else:
            cols.append(pl.lit(None, dtype=f.dtype).alias(f.name))
    return frame.select(cols)
