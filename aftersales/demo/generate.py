"""Records frames that tell an enterprise's story (demo/stories.py), as of a moment.

Each enterprise's records are received within a window (the demo: the 300 days up to the end of
last month); what follows a receipt (response, arrival, completion, closure, return visit, survey)
takes the time the enterprise's tier gives it, and whatever would fall after `Window.cap` (the
moment the demo is loaded, the business calendar's last day, the enterprise's last day) has not
happened yet: the field is empty and the record still open. So no record is ever dated after the
load, whatever day that is. Seeded: the same story, window and cap give the same frames.

Random draws come from `random.Random`; columns are built with Polars expressions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import polars as pl

from aftersales.core.records.fields import Kind, conform, empty_frame

from .stories import FAULTS, TIERS, Story, Tier

HOUR, DAY = 3600, 86400
CATEGORIES = ("产品质量", "维修服务", "安装服务", "配送物流", "服务态度", "收费争议", "退换货")
CHANNELS = (("phone", 50), ("online", 30), ("store", 10), ("regulator", 8), ("letter", 2))


@dataclass(frozen=True)
class Window:
    start: datetime  # the first moment a record may be received
    end: datetime  # records are received before this
    cap: datetime  # nothing is dated after this

    def __post_init__(self):
        if not self.start < self.end <= self.cap:
            raise ValueError(f"a records window runs forward and ends by its cap: {self}")

    def bounds(self, story: Story) -> tuple[int, int]:
        """Seconds after `start` between which the story's records are received (empty if lo >= hi)."""
        lo, hi = self.start, self.end
        if story.first_day:
            lo = max(lo, datetime.combine(story.first_day, time()))
        if story.last_day:
            hi = min(hi, datetime.combine(story.last_day + timedelta(days=1), time()))
        return _seconds(lo - self.start), _seconds(min(hi, self.cap) - self.start)

    def limit(self, story: Story) -> int:
        """Seconds after `start` past which nothing of the story has happened yet."""
        cap = self.cap
        if story.last_day:
            cap = min(cap, datetime.combine(story.last_day, time(23, 59)))
        return _seconds(cap - self.start)


def _seconds(delta: timedelta) -> int:
    return delta.days * DAY + delta.seconds


def window_for(now: datetime, *, start: datetime, span_days: int, last_day: date) -> Window:
    """Records received from `start` for `span_days`; nothing after `now` (naive local time, to the
    minute) nor after the business calendar's `last_day`."""
    cap = min(now.replace(second=0, microsecond=0), datetime.combine(last_day, time(23, 59)))
    return Window(start=start, end=min(start + timedelta(days=span_days), cap), cap=cap)


@dataclass(frozen=True)
class Frames:
    work_orders: pl.DataFrame
    complaints: pl.DataFrame
    return_visits: pl.DataFrame
    surveys: pl.DataFrame


def frames_for(story: Story, window: Window) -> Frames:
    tier = TIERS[story.tier]
    orders = work_orders(story, tier, window)
    complaints_ = complaints(story, tier, window)
    visits = return_visits(story, tier, window, orders, complaints_)
    # a completed work order that has had its return visit is closed (已回访)
    visited = visits.filter(pl.col("subject_kind") == "work_order")["subject_id"].implode()
    orders = orders.with_columns(
        pl.when((pl.col("status") == "resolved") & pl.col("external_id").is_in(visited))
        .then(pl.lit("closed"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    return Frames(orders, complaints_, visits, surveys(story, tier, window, orders))


# ---------------------------------------------------------------------------------- helpers


def _at(seconds: pl.Expr, start: datetime) -> pl.Expr:
    """start + seconds, to the minute (as CRM exports write times)."""
    return pl.lit(start).cast(pl.Datetime("us")) + pl.duration(minutes=seconds // 60)


def _ints(rng: random.Random, n: int, lo: int, hi: int) -> list[int]:
    """n integers drawn uniformly from lo <= x < hi."""
    return rng.choices(range(lo, max(hi, lo + 1)), k=n)


def _within(rng: random.Random, n: int, share: int, fast: tuple[int, int], slow: tuple[int, int]) -> pl.Series:
    """n durations in seconds: `share` % drawn from `fast`, the rest from `slow`."""
    quick, late, on_time = _ints(rng, n, *fast), _ints(rng, n, *slow), _flags(rng, n, share)
    return pl.Series([q if ok else s for q, s, ok in zip(quick, late, on_time, strict=True)], dtype=pl.Int64)


def _flags(rng: random.Random, n: int, share: int) -> list[bool]:
    """n draws, each true with a chance of `share` %."""
    return [x < share for x in rng.choices(range(100), k=n)]


def _hours(story: Story, tier: Tier) -> tuple[int, int, int, int]:
    """(first response, arrival, completion) in seconds and closure in days: the commitments the
    enterprise published, else what its tier aims at."""
    if story.commitments:
        first, arrival, completion, closure = (Decimal(v) for v in story.commitments)
        return int(first * HOUR), int(arrival * HOUR), int(completion * HOUR), int(closure)
    return tier.first_response_hours * HOUR, tier.arrival_hours * HOUR, tier.completion_hours * HOUR, tier.closure_days


def _chance(rng: random.Random, n: int, share: int) -> pl.Series:
    return pl.Series(_flags(rng, n, share), dtype=pl.Boolean)


def _not_after(col: str, limit: int) -> pl.Expr:
    return pl.when(pl.col(col) <= limit).then(pl.col(col)).otherwise(None).alias(col)


# -------------------------------------------------------------------------------- the kinds


def work_orders(story: Story, tier: Tier, window: Window) -> pl.DataFrame:
    lo, hi = window.bounds(story)
    n = story.work_orders if lo < hi else 0
    if n == 0:
        return empty_frame(Kind.WORK_ORDER)
    rng = random.Random(f"demo-work-orders-{story.seed}")
    _, arrival, completion, _ = _hours(story, tier)
    fix = max(completion - arrival, 2 * HOUR) if story.onsite else completion
    again = 100 - tier.first_fix  # % needing a second or third visit
    products = rng.choices(story.products, k=n)
    df = pl.DataFrame(
        {
            "i": pl.Series(range(n), dtype=pl.Int64),
            "recv": pl.Series(sorted(_ints(rng, n, lo, hi)), dtype=pl.Int64),
            "arr": _within(rng, n, tier.punctual, (30 * 60, arrival), (arrival + 60, 3 * arrival)),
            "fix": _within(rng, n, tier.punctual, (20 * 60, fix), (fix + 60, 3 * fix)),
            "kept": _chance(rng, n, tier.punctual),
            "slack": pl.Series(_ints(rng, n, 0, 2 * HOUR), dtype=pl.Int64),
            "state": pl.Series(rng.choices(["done", "paused", "cancelled"], [95, 2, 3], k=n)),
            "product": pl.Series(products),
            "fault": pl.Series([rng.choice(FAULTS[p]) for p in products]),
            "visits": pl.Series(rng.choices([1, 2, 3], [tier.first_fix, again - again // 4, again // 4], k=n)),
            "serial": pl.Series(_ints(rng, n, 0, n * tier.serial_space // 4 + 1), dtype=pl.Int64),
            "link": pl.Series(_ints(rng, n, 0, 1000), dtype=pl.Int64) < tier.relink,
            "bare": _chance(rng, n, tier.incomplete),
        }
    )
    limit = window.limit(story)
    onsite = story.onsite
    # offsets from the window's start; an appointment kept is at or after the arrival
    timed = df.with_columns(
        (pl.col("recv") + pl.col("arr")).alias("arrived") if onsite else pl.lit(None, pl.Int64).alias("arrived"),
        pl.when(pl.col("kept"))
        .then(pl.col("recv") + pl.col("arr") + pl.col("slack"))
        .otherwise(pl.max_horizontal(pl.col("recv") + 600, pl.col("recv") + pl.col("arr") - 1800 - pl.col("slack")))
        .alias("promised")
        if onsite
        else pl.lit(None, pl.Int64).alias("promised"),
        (pl.col("recv") + (pl.col("arr") if onsite else 0) + pl.col("fix")).alias("completed"),
    )
    timed = timed.with_columns(
        pl.when(pl.col("state") == "cancelled").then(None).otherwise(pl.col("arrived")).alias("arrived"),
        pl.when(pl.col("state") == "done").then(pl.col("completed")).otherwise(None).alias("completed"),
    ).with_columns(_not_after("arrived", limit), _not_after("completed", limit))
    if onsite:  # not completed before the technician arrived
        timed = timed.with_columns(
            pl.when(pl.col("arrived").is_null()).then(None).otherwise(pl.col("completed")).alias("completed")
        )
    done = pl.col("completed").is_not_null()
    status = (
        pl.when(pl.col("state") == "cancelled")
        .then(pl.lit("cancelled"))
        .when(pl.col("state") == "paused")
        .then(pl.lit("paused"))
        .when(done)
        .then(pl.lit("resolved"))
        .otherwise(pl.lit("open"))
    )
    out = timed.select(
        pl.format("{}{}", pl.lit(f"WO{story.model_prefix}"), pl.col("i").cast(pl.Utf8).str.zfill(7)).alias(
            "external_id"
        ),
        _at(pl.col("recv"), window.start).alias("received_at"),
        pl.col("product"),
        status.alias("status"),
        pl.when(pl.col("bare"))
        .then(None)
        .otherwise(pl.format("{}-{}", pl.lit(story.model_prefix), 100 + pl.col("serial") % 40))
        .alias("model"),
        pl.format("{}{}", pl.lit(f"SN{story.model_prefix}"), pl.col("serial")).alias("serial"),
        pl.when(pl.col("bare")).then(None).otherwise(pl.col("fault")).alias("fault"),
        _at(pl.col("promised"), window.start).alias("promised_arrival_at"),
        _at(pl.col("arrived"), window.start).alias("arrived_at"),
        _at(pl.col("completed"), window.start).alias("completed_at"),
        pl.when(done).then(pl.col("visits")).otherwise(None).alias("visits"),
        pl.when(pl.col("link") & (pl.col("i") > 0))
        .then(
            pl.format(
                "{}{}",
                pl.lit(f"WO{story.model_prefix}"),
                ((pl.col("i") * 7919) % pl.col("i").clip(1, None)).cast(pl.Utf8).str.zfill(7),
            )
        )
        .alias("repeat_of"),
    )
    return conform(out, Kind.WORK_ORDER)


def complaints(story: Story, tier: Tier, window: Window) -> pl.DataFrame:
    lo, hi = window.bounds(story)
    n = story.complaints if lo < hi else 0
    if n == 0:
        return empty_frame(Kind.COMPLAINT)
    rng = random.Random(f"demo-complaints-{story.seed}")
    first, _, _, days = _hours(story, tier)
    late = days * 7 // 5 + 8  # past `days` working days whatever the holidays
    categories = CATEGORIES if story.onsite else tuple(c for c in CATEGORIES if c != "安装服务")
    channels, weights = zip(*CHANNELS, strict=True)
    df = pl.DataFrame(
        {
            "i": pl.Series(range(n), dtype=pl.Int64),
            "recv": pl.Series(sorted(_ints(rng, n, lo, hi)), dtype=pl.Int64),
            "resp": _within(rng, n, tier.punctual, (5 * 60, first), (first + 60, 4 * first)),
            "close": _within(rng, n, tier.punctual, (HOUR, days * DAY), (late * DAY, (late + 12) * DAY)),
            "state": pl.Series(
                rng.choices(["done", "open", "paused", "cancelled"], [95 - tier.unresolved, tier.unresolved, 2, 3], k=n)
            ),
            "resolved": _chance(rng, n, 12),
            "category": pl.Series(rng.choices(categories, k=n)),
            "product": pl.Series(rng.choices(story.products, k=n)),
            "channel": pl.Series(rng.choices(channels, weights, k=n)),
            "deadline": _chance(rng, n, 10),
        }
    )
    limit = window.limit(story)
    timed = df.with_columns(
        (pl.col("recv") + pl.col("resp")).alias("responded"),
        pl.when(pl.col("state") == "done")
        .then(pl.col("recv") + pl.max_horizontal(pl.col("close"), pl.col("resp") + 600))
        .otherwise(None)
        .alias("closed_at"),
    ).with_columns(_not_after("responded", limit), _not_after("closed_at", limit))
    closed = pl.col("closed_at").is_not_null()
    status = (
        pl.when(pl.col("state") == "cancelled")
        .then(pl.lit("cancelled"))
        .when(pl.col("state") == "paused")
        .then(pl.lit("paused"))
        .when(closed & pl.col("resolved"))
        .then(pl.lit("resolved"))
        .when(closed)
        .then(pl.lit("closed"))
        .otherwise(pl.lit("open"))
    )
    out = timed.select(
        pl.format("{}{}", pl.lit(f"CP{story.model_prefix}"), pl.col("i").cast(pl.Utf8).str.zfill(7)).alias(
            "external_id"
        ),
        _at(pl.col("recv"), window.start).alias("received_at"),
        "category",
        status.alias("status"),
        "channel",
        _at(pl.col("responded"), window.start).alias("first_response_at"),
        _at(pl.col("closed_at"), window.start).alias("closed_at"),
        pl.when(pl.col("deadline")).then(_at(pl.col("recv") + 10 * DAY, window.start)).alias("deadline_at"),
        "product",
    )
    return conform(out, Kind.COMPLAINT)


def return_visits(
    story: Story, tier: Tier, window: Window, orders: pl.DataFrame, complaints_: pl.DataFrame
) -> pl.DataFrame:
    """Visits of `story.return_visits` % of completed work orders and closed complaints, 1 hour to
    3 days after; those that would be after the cap have not been made yet."""
    subjects = pl.concat(
        [
            orders.filter(pl.col("completed_at").is_not_null()).select(
                pl.lit("work_order").alias("subject_kind"), pl.col("external_id").alias("subject_id"),
                pl.col("completed_at").alias("t"),
            ),
            complaints_.filter(pl.col("closed_at").is_not_null()).select(
                pl.lit("complaint").alias("subject_kind"), pl.col("external_id").alias("subject_id"),
                pl.col("closed_at").alias("t"),
            ),
        ]
    )  # fmt: skip
    n = subjects.height
    if n == 0 or story.return_visits == 0:
        return empty_frame(Kind.RETURN_VISIT)
    rng = random.Random(f"demo-return-visits-{story.seed}")
    cap = min(window.cap, window.start + timedelta(seconds=window.limit(story)))
    drawn = subjects.with_columns(
        _chance(rng, n, story.return_visits).alias("keep"),
        pl.Series(_ints(rng, n, 60, 3 * 24 * 60), dtype=pl.Int64).alias("after"),
        pl.Series(rng.choices(["phone", "online", "onsite"], [80, 15, 5], k=n)).alias("channel"),
        _chance(rng, n, tier.reached).alias("reached"),
        _chance(rng, n, tier.satisfied).alias("happy"),
    )
    out = (
        drawn.filter(pl.col("keep"))
        .with_columns((pl.col("t") + pl.duration(minutes=pl.col("after"))).alias("visited_at"))
        .filter(pl.col("visited_at") <= cap)
        .with_row_index("i")
        .select(
            pl.format("{}{}", pl.lit(f"RV{story.model_prefix}"), pl.col("i").cast(pl.Utf8).str.zfill(7)).alias(
                "external_id"
            ),
            "subject_kind",
            "subject_id",
            "visited_at",
            "channel",
            "reached",
            pl.when(pl.col("reached")).then(pl.col("happy")).otherwise(None).alias("satisfied"),
        )
    )
    return conform(out, Kind.RETURN_VISIT)


def surveys(story: Story, tier: Tier, window: Window, orders: pl.DataFrame) -> pl.DataFrame:
    """Satisfaction surveys after `story.surveys` % of completed work orders, 2 hours to 2 days
    after the completion (none after the cap)."""
    done = orders.filter(pl.col("completed_at").is_not_null())
    n = done.height
    if n == 0 or story.surveys == 0:
        return empty_frame(Kind.SURVEY)
    rng = random.Random(f"demo-surveys-{story.seed}")
    cap = min(window.cap, window.start + timedelta(seconds=window.limit(story)))
    happy = _flags(rng, n, tier.satisfied)
    promoter = _flags(rng, n, tier.promoters)
    high, low, nps_high, nps_low = (_ints(rng, n, 80, 101), _ints(rng, n, 30, 80), _ints(rng, n, 9, 11),
                                    _ints(rng, n, 3, 9))  # fmt: skip
    drawn = done.select(
        pl.col("external_id").alias("subject_id"),
        pl.col("completed_at"),
        _chance(rng, n, story.surveys).alias("keep"),
        pl.Series(_ints(rng, n, 120, 2 * 24 * 60), dtype=pl.Int64).alias("after"),
        pl.Series(rng.choices([5, 10, 100], k=n), dtype=pl.Int64).alias("scale"),
        pl.Series(happy).alias("happy"),
        pl.Series([h if ok else lo for h, lo, ok in zip(high, low, happy, strict=True)], dtype=pl.Int64).alias("u"),
        pl.Series(
            [h if ok else lo for h, lo, ok in zip(nps_high, nps_low, promoter, strict=True)], dtype=pl.Int64
        ).alias("nps"),
    )
    # a satisfied answer scores at least 80 % of its scale (rounded up), an unsatisfied one less (rounded down)
    score = (
        pl.when(pl.col("happy"))
        .then((pl.col("u") * pl.col("scale") + 99) // 100)
        .otherwise(pl.col("u") * pl.col("scale") // 100)
    )
    out = (
        drawn.filter(pl.col("keep"))
        .with_columns((pl.col("completed_at") + pl.duration(minutes=pl.col("after"))).alias("answered_at"))
        .filter(pl.col("answered_at") <= cap)
        .with_row_index("i")
        .select(
            pl.format("{}{}", pl.lit(f"SV{story.model_prefix}"), pl.col("i").cast(pl.Utf8).str.zfill(7)).alias(
                "external_id"
            ),
            "answered_at",
            "scale",
            score.clip(1, None).alias("score"),
            "nps",
            pl.lit("work_order").alias("subject_kind"),
            "subject_id",
        )
    )
    return conform(out, Kind.SURVEY)
