"""A checklist import replaces the whole assessment: what it would clear, asked before it is done.

The page first shows the effect of the checked file (answers replaced, answers cleared because the
file leaves them blank, special findings removed) and asks; the confirmation carries the checked
file as a signed token (bound to the assessment, the user and the assessment's state at that
moment, valid 30 minutes), so the file is not sent twice and a colleague's save in between makes
the page ask again instead of clearing that save.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from fractions import Fraction

from django.core import signing

from aftersales.checklist.reader import Checklist
from aftersales.core.scheme import Scheme
from aftersales.core.scoring import DeductionKind, ItemResult, ResultKind, SpecialBonus, SpecialDeduction

from .models import Assessment
from .selectors import answer_result

TOKEN_MAX_AGE = 30 * 60  # seconds


@dataclass
class ImportEffect:
    answers: int  # answers in the file
    specials: int  # special findings in the file
    replaced: list[str] = field(default_factory=list)  # saved answers the file changes
    cleared: list[str] = field(default_factory=list)  # saved answers the file leaves blank
    specials_removed: int = 0  # saved special findings the file does not carry again

    @property
    def loses_work(self) -> bool:
        return bool(self.replaced or self.cleared or self.specials_removed)


def _specials_of(assessment: Assessment) -> list[tuple[str, str, str]]:
    return [(s.type, s.kind, s.reason.strip()) for s in assessment.specials.all()]


def _specials_in(checklist: Checklist) -> list[tuple[str, str, str]]:
    return [("deduction", d.kind.value, d.reason.strip()) for d in checklist.deductions] + [
        ("bonus", "", b.reason.strip()) for b in checklist.bonuses
    ]


def import_effect(assessment: Assessment, scheme: Scheme, checklist: Checklist) -> ImportEffect:
    """What importing `checklist` would do to the assessment's saved answers and findings."""
    incoming = {scheme.node(item_id).code: result for item_id, result in checklist.results.items()}
    effect = ImportEffect(answers=len(incoming), specials=len(checklist.deductions) + len(checklist.bonuses))
    for answer in assessment.answers.order_by("item_code"):
        new = incoming.get(answer.item_code)
        if new is None:
            effect.cleared.append(answer.item_code)
        elif new != answer_result(answer):
            effect.replaced.append(answer.item_code)
    left = _specials_in(checklist)
    for special in _specials_of(assessment):
        if special in left:
            left.remove(special)
        else:
            effect.specials_removed += 1
    return effect


def _state(assessment: Assessment) -> str:
    """A fingerprint of the saved answers' versions and the findings (changes on every save)."""
    answers = sorted(assessment.answers.values_list("item_code", "version"))
    specials = sorted(assessment.specials.values_list("pk", flat=True))
    return hashlib.sha256(repr((answers, specials)).encode()).hexdigest()


def _salt(assessment: Assessment, user) -> str:
    return f"aftersales.assessments.import:{assessment.pk}:{user.pk}"


def _result_json(r: ItemResult) -> dict:
    return {
        "kind": r.kind.value,
        "sampled": r.sampled,
        "nonconforming": r.nonconforming,
        "awarded": None if r.awarded is None else str(r.awarded),
        "reason": r.reason,
    }


def import_token(assessment: Assessment, user, checklist: Checklist) -> str:
    payload = {
        "state": _state(assessment),
        "results": {item_id: _result_json(r) for item_id, r in checklist.results.items()},
        "deductions": [[d.kind.value, d.reason, d.item_id] for d in checklist.deductions],
        "bonuses": [[b.reason, b.item_id] for b in checklist.bonuses],
    }
    return signing.dumps(payload, salt=_salt(assessment, user), compress=True)


class TokenStale(Exception):
    """The confirmation expired, is not this user's or assessment's, or the assessment changed since."""


def checklist_from_token(assessment: Assessment, user, token: str) -> Checklist:
    try:
        payload = signing.loads(token, salt=_salt(assessment, user), max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise TokenStale from None
    if payload.get("state") != _state(assessment):
        raise TokenStale
    results = {
        item_id: ItemResult(
            ResultKind(r["kind"]),
            sampled=r["sampled"],
            nonconforming=r["nonconforming"],
            awarded=None if r["awarded"] is None else Fraction(r["awarded"]),
            reason=r["reason"],
        )
        for item_id, r in payload["results"].items()
    }
    return Checklist(
        results=results,
        deductions=[SpecialDeduction(DeductionKind(k), why, item_id) for k, why, item_id in payload["deductions"]],
        bonuses=[SpecialBonus(reason, item_id) for reason, item_id in payload["bonuses"]],
    )
