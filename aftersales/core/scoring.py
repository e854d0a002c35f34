"""The exact scoring engine (GB/T 27922-2011 clause 6 as quoted in domain.md §2).

Inputs: one `ItemResult` per item, special deductions, special bonuses. Output: a frozen
`ScoreResult` with exact `Fraction`s everywhere; the level is decided on the exact value and only
`display_score` rounds, by the scheme's display rule. docs/scoring.md explains every rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from .concepts import DeductionKind
from .dates import add_months
from .display import format_decimal, format_points
from .problems import Problem, ProblemsError
from .scheme import Level, Scheme, SpecialTiming
from .text import Text

HUNDRED = Fraction(100)


class ResultKind(StrEnum):
    CONFORM = "conform"
    NONCONFORM = "nonconform"
    SAMPLED = "sampled"
    PARTIAL = "partial"
    NA = "na"


RESULT_TEXT = MappingProxyType(
    {
        ResultKind.CONFORM: Text("符合", "conform"),
        ResultKind.NONCONFORM: Text("不符合", "nonconform"),
        ResultKind.SAMPLED: Text("抽样", "sampled"),
        ResultKind.PARTIAL: Text("部分", "partial"),
        ResultKind.NA: Text("不适用", "na"),
    }
)


DEDUCTION_TEXT = MappingProxyType({kind: kind.text for kind in DeductionKind})  # declared in core.concepts


@dataclass(frozen=True, slots=True)
class ItemResult:
    kind: ResultKind
    sampled: int | None = None  # n
    nonconforming: int | None = None  # k
    awarded: Fraction | None = None
    reason: str = ""

    @classmethod
    def conform(cls, reason: str = "") -> ItemResult:
        return cls(ResultKind.CONFORM, reason=reason)

    @classmethod
    def nonconform(cls, reason: str = "") -> ItemResult:
        return cls(ResultKind.NONCONFORM, reason=reason)

    @classmethod
    def of_sample(cls, n: int, k: int, reason: str = "") -> ItemResult:
        return cls(ResultKind.SAMPLED, sampled=n, nonconforming=k, reason=reason)

    @classmethod
    def partial(cls, awarded: Fraction | int | str, reason: str = "") -> ItemResult:
        return cls(ResultKind.PARTIAL, awarded=Fraction(awarded), reason=reason)

    @classmethod
    def na(cls, reason: str) -> ItemResult:
        return cls(ResultKind.NA, reason=reason)


@dataclass(frozen=True, slots=True)
class SpecialDeduction:
    kind: DeductionKind
    reason: str
    item_id: str | None = None  # the item the finding relates to, if any


@dataclass(frozen=True, slots=True)
class SpecialBonus:
    reason: str
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class StarContext:
    """What the stars-after-N-months rule needs; ignored when the scheme has no such rule."""

    as_of: date
    qualified_since: date | None = None  # first time 达标 was reached; None = not before
    outstanding: bool = False  # the scheme's exception for outstanding enterprises


@dataclass(frozen=True, slots=True)
class NodeScore:
    id: str
    points: Fraction  # the node's points in the scheme
    earned: Fraction
    applicable: Fraction  # points minus excluded items' points

    @property
    def lost(self) -> Fraction:
        return self.applicable - self.earned

    @property
    def excluded(self) -> bool:
        return self.applicable == 0


@dataclass(frozen=True, slots=True)
class FailReason:
    code: str  # score_below_minimum | too_many_special_deductions | section_below_floor
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str | None = None) -> str:
        return FAIL_MESSAGES[self.code].get(lang).format(**{k: str(v) for k, v in self.params.items()})


FAIL_MESSAGES = MappingProxyType(
    {
        "score_below_minimum": Text(
            "得分 {score} 低于达标线 {minimum}", "score {score} is below the minimum {minimum}"
        ),
        "too_many_special_deductions": Text(
            "特别扣分项 {count} 项，达到不通过界限 {limit} 项",
            "{count} special deductions reach the fail limit of {limit}",
        ),
        "section_below_floor": Text(
            "{section} {title_zh} 得分率 {share}%，低于 {floor}%（还差 {points_short} 分）",
            "{section} {title_en} earns {share}% of its points, "
            "below the floor of {floor}% ({points_short} points short)",
        ),
        "stars_deferred": Text(
            "首次达标满 {months} 个月（{until}）后方可授予星级",
            "stars are awarded only {months} months after first qualifying ({until})",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class ItemGap:
    item_id: str
    lost: Fraction  # item points not earned
    score_effect: Fraction  # score points regained if the item fully conformed


@dataclass(frozen=True, slots=True)
class Gap:
    """What separates the result from the next level up."""

    level: Level
    score_needed: Fraction  # score points to gain (0 when the score already reaches it)
    points_needed: Fraction  # item points to regain, in the scheme's units
    top_gaps: tuple[ItemGap, ...]  # items that lost points, costliest first
    items_to_reach: int | None  # how many of top_gaps, fixed in order, reach the level; None = not by items alone
    blockers: tuple[FailReason, ...]  # fail reasons that item points alone do not remove


@dataclass(frozen=True, slots=True)
class ScoreResult:
    scheme_id: str
    scheme_version: str
    scheme_sha256: str
    earned: Fraction
    applicable: Fraction
    base_score: Fraction  # earned / applicable × 100, before special items
    deductions: tuple[SpecialDeduction, ...]
    bonuses: tuple[SpecialBonus, ...]
    score: Fraction  # final exact score
    score_level: Level  # the level the score and the fail rules reach
    level: Level  # the level awarded (after the stars-after-N-months rule)
    fail_reasons: tuple[FailReason, ...]
    notes: tuple[FailReason, ...]  # e.g. stars_deferred
    nodes: Mapping[str, NodeScore]
    losses: tuple[ItemGap, ...]  # every item that lost points, costliest first (ties: scheme order)
    gap: Gap | None
    display_decimals: int
    display_rounding: str

    @property
    def passed(self) -> bool:
        return self.level is not Level.FAIL

    def display(self, value: Fraction | None = None) -> str:
        """A value (default: the score) rounded by the scheme's display rule."""
        return format_decimal(self.score if value is None else value, self.display_decimals, self.display_rounding)

    @property
    def display_score(self) -> str:
        return self.display()

    def display_gap(self, value: Fraction) -> str:
        """A gap to a level, rounded up to the display's decimals: the shown score plus the shown gap
        always reaches the level (68.1234 shows 68.12 and needs 1.88 to 70, not 1.87)."""
        return format_decimal(value, self.display_decimals, "ceiling")


# ------------------------------------------------------------------------------------ validation


def check_inputs(
    scheme: Scheme,
    results: Mapping[str, ItemResult],
    deductions: Iterable[SpecialDeduction] = (),
    bonuses: Iterable[SpecialBonus] = (),
    *,
    require_all: bool = True,
) -> list[Problem]:
    """Every problem with the inputs, by item id and field; empty when they can be scored."""
    problems: list[Problem] = []
    params = scheme.parameters
    for key, result in results.items():
        if not scheme.has_node(key):
            problems.append(Problem("item_unknown", where=key, column="item", params={"item": key}))
            continue
        node = scheme.node(key)
        if not node.is_item:
            problems.append(Problem("item_not_scored", where=key, column="item", params={"item": key}))
            continue
        problems.extend(_check_result(node.id, node, result))
    if require_all:
        answered = {scheme.node(k).id for k in results if scheme.has_node(k)}
        for item in scheme.items:
            if item.id not in answered:
                problems.append(Problem("item_missing", where=item.id, column="item", params={"item": item.code}))
    for i, d in enumerate(deductions):
        if not d.reason.strip():
            problems.append(Problem("deduction_needs_reason", where=f"special_deduction[{i}]", column="reason"))
    for i, b in enumerate(bonuses):
        if i >= params.special_bonus_max:
            problems.append(
                Problem(
                    "bonus_too_many",
                    where=f"special_bonus[{i}]",
                    column="item",
                    params={"max": params.special_bonus_max, "count": i + 1},
                )
            )
        if not b.reason.strip():
            problems.append(Problem("bonus_needs_reason", where=f"special_bonus[{i}]", column="reason"))
    if not problems and require_all and all(results[k].kind is ResultKind.NA for k in results):
        problems.append(Problem("nothing_applicable", where=scheme.id))
    return problems


def _check_result(item_id: str, node, result: ItemResult) -> list[Problem]:
    out: list[Problem] = []

    def bad(code: str, column: str, **params: object) -> None:
        out.append(Problem(code, where=item_id, column=column, params={"item": node.code, **params}))

    kind = result.kind
    if kind is ResultKind.SAMPLED:
        if not node.sampled:
            bad("sampled_not_allowed", "result")
        elif result.sampled is None or result.nonconforming is None:
            bad("sampled_counts_missing", "sampled" if result.sampled is None else "nonconforming")
        elif result.sampled < 1:
            bad("sampled_size_invalid", "sampled", value=result.sampled)
        elif not 0 <= result.nonconforming <= result.sampled:
            bad("nonconforming_invalid", "nonconforming", value=result.nonconforming, n=result.sampled)
    elif kind is ResultKind.PARTIAL:
        if not node.partial:
            bad("partial_not_allowed", "result")
        elif result.awarded is None:
            bad("partial_missing", "points_awarded")
        elif not 0 <= result.awarded <= node.points:
            bad("partial_out_of_range", "points_awarded", value=result.awarded, points=node.points)
    elif kind is ResultKind.NA:
        if not node.excludable:
            bad("na_not_excludable", "result")
        elif not result.reason.strip():
            bad("na_needs_reason", "reason")
    return out


# -------------------------------------------------------------------------------------- scoring


def item_earned(node, result: ItemResult) -> tuple[Fraction, Fraction]:
    """(earned, applicable) for one item; inputs must have passed check_inputs."""
    points = node.points
    match result.kind:
        case ResultKind.CONFORM:
            return points, points
        case ResultKind.NONCONFORM:
            return Fraction(0), points
        case ResultKind.SAMPLED:
            n, k = result.sampled, result.nonconforming
            return points * Fraction(n - k, n), points
        case ResultKind.PARTIAL:
            return result.awarded, points
        case ResultKind.NA:
            return Fraction(0), Fraction(0)
    raise AssertionError(result.kind)


def score(
    scheme: Scheme,
    results: Mapping[str, ItemResult],
    deductions: Iterable[SpecialDeduction] = (),
    bonuses: Iterable[SpecialBonus] = (),
    *,
    stars: StarContext | None = None,
) -> ScoreResult:
    """Score a complete set of results. Raises ProblemsError listing every input problem."""
    deductions = tuple(deductions)
    bonuses = tuple(bonuses)
    params = scheme.parameters
    problems = check_inputs(scheme, results, deductions, bonuses)
    if params.stars_after_months and stars is None:
        problems.append(Problem("stars_context_missing", where=scheme.id, params={"months": params.stars_after_months}))
    if problems:
        raise ProblemsError(problems)

    by_id = {scheme.node(k).id: r for k, r in results.items()}
    nodes: dict[str, NodeScore] = {}

    def visit(node) -> tuple[Fraction, Fraction]:
        if node.is_item:
            earned, applicable = item_earned(node, by_id[node.id])
        else:
            earned = applicable = Fraction(0)
            for child in node.children:
                e, a = visit(child)
                earned += e
                applicable += a
        nodes[node.id] = NodeScore(node.id, node.points, earned, applicable)
        return earned, applicable

    earned = applicable = Fraction(0)
    for top in scheme.nodes:
        e, a = visit(top)
        earned += e
        applicable += a

    adjustment = params.special_bonus_points * len(bonuses) - params.special_deduction_points * len(deductions)
    base = earned / applicable * HUNDRED
    final = _apply_specials(params.special_items_apply, earned, applicable, adjustment)
    if params.clamp_score:
        final = min(max(final, Fraction(0)), HUNDRED)

    fail_reasons = _fail_reasons(scheme, final, deductions, nodes)
    score_level = Level.FAIL if fail_reasons else params.level_for(final)
    level, notes = _defer_stars(scheme, score_level, stars)
    losses = _losses(scheme, nodes, applicable)
    gap = _gap(scheme, level, final, earned, applicable, adjustment, losses, fail_reasons)

    return ScoreResult(
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        scheme_sha256=scheme.sha256,
        earned=earned,
        applicable=applicable,
        base_score=base,
        deductions=deductions,
        bonuses=bonuses,
        score=final,
        score_level=score_level,
        level=level,
        fail_reasons=fail_reasons,
        notes=notes,
        nodes=MappingProxyType(nodes),
        losses=losses,
        gap=gap,
        display_decimals=params.display_decimals,
        display_rounding=params.display_rounding.value,
    )


def _apply_specials(timing: SpecialTiming, earned: Fraction, applicable: Fraction, adjustment: Fraction) -> Fraction:
    if timing is SpecialTiming.AFTER_NORMALISATION:
        return earned / applicable * HUNDRED + adjustment
    return (earned + adjustment) / applicable * HUNDRED


def _fail_reasons(
    scheme: Scheme, final: Fraction, deductions, nodes: Mapping[str, NodeScore]
) -> tuple[FailReason, ...]:
    params = scheme.parameters
    reasons = []
    if final < params.minimum:
        reasons.append(
            FailReason("score_below_minimum", {"score": _fmt(scheme, final), "minimum": _fmt(scheme, params.minimum)})
        )
    if params.special_deduction_fail_count is not None and len(deductions) >= params.special_deduction_fail_count:
        reasons.append(
            FailReason(
                "too_many_special_deductions", {"count": len(deductions), "limit": params.special_deduction_fail_count}
            )
        )
    if params.section_floor is not None:
        for top in scheme.nodes:
            ns = nodes[top.id]
            if ns.applicable and ns.earned < ns.applicable * params.section_floor:
                reasons.append(
                    FailReason(
                        "section_below_floor",
                        {
                            "section": top.code,
                            "section_id": top.id,
                            "title_zh": top.title.zh,
                            "title_en": top.title.en,
                            "share": _fmt(scheme, ns.earned / ns.applicable * HUNDRED),
                            "floor": format_points(params.section_floor * HUNDRED),
                            "points_short": format_points(ns.applicable * params.section_floor - ns.earned),
                        },
                    )
                )
    return tuple(reasons)


def _defer_stars(scheme: Scheme, level: Level, stars: StarContext | None) -> tuple[Level, tuple[FailReason, ...]]:
    months = scheme.parameters.stars_after_months
    if not months or level.rank <= Level.QUALIFIED.rank or stars is None or stars.outstanding:
        return level, ()
    since = stars.qualified_since or stars.as_of
    until = add_months(since, months)
    if stars.as_of >= until:
        return level, ()
    return Level.QUALIFIED, (FailReason("stars_deferred", {"months": months, "until": until.isoformat()}),)


def _losses(scheme: Scheme, nodes: Mapping[str, NodeScore], applicable: Fraction) -> tuple[ItemGap, ...]:
    ranked = sorted(
        ((i, nodes[item.id]) for i, item in enumerate(scheme.items) if nodes[item.id].lost > 0),
        key=lambda pair: (-pair[1].lost, pair[0]),
    )
    return tuple(ItemGap(ns.id, ns.lost, ns.lost / applicable * HUNDRED) for _, ns in ranked)


def _gap(scheme, level, final, earned, applicable, adjustment, top_gaps, fail_reasons) -> Gap | None:
    params = scheme.parameters
    target = params.next_level(level)
    if target is None:
        return None
    threshold = params.threshold(target)
    score_needed = max(Fraction(0), threshold - final)
    # Item points needed so that the score (before clamping) reaches the threshold.
    if params.special_items_apply is SpecialTiming.AFTER_NORMALISATION:
        earned_needed = (threshold - adjustment) * applicable / HUNDRED
    else:
        earned_needed = threshold * applicable / HUNDRED - adjustment
    points_needed = max(Fraction(0), earned_needed - earned)

    items_to_reach: int | None = None
    if points_needed == 0:
        items_to_reach = 0
    elif earned_needed <= applicable:
        regained = Fraction(0)
        for i, g in enumerate(top_gaps, start=1):
            regained += g.lost
            if regained >= points_needed:
                items_to_reach = i
                break
    blockers = tuple(r for r in fail_reasons if r.code != "score_below_minimum")
    return Gap(target, score_needed, points_needed, top_gaps, items_to_reach, blockers)


def _fmt(scheme: Scheme, value: Fraction) -> str:
    p = scheme.parameters
    return format_decimal(value, p.display_decimals, p.display_rounding.value)
