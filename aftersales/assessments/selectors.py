"""Reads for self-assessments, including the live result."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import QuerySet

from aftersales.checklist.writer import Filled
from aftersales.core.scheme import Scheme
from aftersales.core.scoring import (
    DeductionKind,
    ItemResult,
    ResultKind,
    ScoreResult,
    SpecialBonus,
    SpecialDeduction,
    score,
)
from aftersales.schemes.selectors import scheme_of

from .models import Answer, Assessment, SpecialFinding


@dataclass(frozen=True)
class LiveScore:
    scheme: Scheme
    result: ScoreResult
    answers: dict[str, Answer]  # by item code
    unanswered: tuple[str, ...]  # item codes, in scheme order

    @property
    def answered_count(self) -> int:
        return len(self.scheme.items) - len(self.unanswered)


def assessment_list(*, enterprise_ids) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(enterprise_id__in=enterprise_ids, kind=Assessment.Kind.SELF)
        .select_related("enterprise", "scheme_version", "created_by")
        .defer("scheme_version__source")
    )


def item_result(*, kind: str, sampled=None, nonconforming=None, awarded=None, reason: str = "") -> ItemResult:
    """The engine's input for one item, from stored or submitted fields (awarded exactly)."""
    return ItemResult(
        ResultKind(kind),
        sampled=sampled,
        nonconforming=nonconforming,
        awarded=None if awarded is None else Fraction(awarded),
        reason=reason,
    )


def answer_result(answer: Answer) -> ItemResult:
    return item_result(
        kind=answer.kind,
        sampled=answer.sampled,
        nonconforming=answer.nonconforming,
        awarded=answer.awarded,
        reason=answer.reason,
    )


def assessment_score(assessment: Assessment) -> LiveScore:
    """The result so far. Items not yet answered count as earning nothing (conservative), so the
    live score only rises as answers come in; `unanswered` lists them."""
    scheme = scheme_of(assessment.scheme_version)
    answers = {a.item_code: a for a in assessment.answers.all()}
    specials = list(assessment.specials.all())
    results = {}
    unanswered = []
    for item in scheme.items:
        answer = answers.get(item.code)
        if answer is None:
            unanswered.append(item.code)
            results[item.id] = ItemResult.nonconform()
        else:
            results[item.id] = answer_result(answer)
    deductions = [
        SpecialDeduction(DeductionKind(s.kind), s.reason) for s in specials if s.type == SpecialFinding.Type.DEDUCTION
    ]
    bonuses = [SpecialBonus(s.reason) for s in specials if s.type == SpecialFinding.Type.BONUS]
    result = score(scheme, results, deductions, bonuses)
    return LiveScore(scheme, result, answers, tuple(unanswered))


def filled_of(live: LiveScore, assessment: Assessment):
    """The answers and special findings as a checklist file holds them."""
    specials = list(assessment.specials.all())
    return Filled(
        results={code: answer_result(a) for code, a in live.answers.items()},
        deductions=[SpecialDeduction(DeductionKind(s.kind), s.reason) for s in specials if s.type == "deduction"],
        bonuses=[SpecialBonus(s.reason) for s in specials if s.type == "bonus"],
    )
