"""Writes for self-assessments: each validates, changes, and records an event in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Organisation
from aftersales.core.problems import Problem, ProblemsError
from aftersales.core.report import result_as_json
from aftersales.core.scoring import DeductionKind, ResultKind, check_inputs
from aftersales.events.services import event_record
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of

from .models import Answer, Assessment, SpecialFinding
from .selectors import assessment_score, item_result


class AssessmentFrozen(Exception):
    """The assessment is finished; it can no longer change."""


def assessment_lock_draft(assessment_id: int) -> Assessment:
    """Lock the assessment row for this transaction; AssessmentFrozen if it is finished."""
    locked = Assessment.objects.select_for_update().get(pk=assessment_id)
    if locked.is_frozen:
        raise AssessmentFrozen
    return locked


@dataclass
class EditConflict(Exception):
    """Someone else saved this item since the form was loaded."""

    current: Answer


@transaction.atomic
def assessment_start(
    *,
    enterprise: Organisation,
    scheme_version: SchemeVersion,
    by,
    title: str = "",
    baseline: Assessment | None = None,
    case=None,
) -> Assessment:
    """A new draft self-assessment; with `case` (a certification case of the enterprise) an audit
    of that case instead, scored with the same machinery (the audits app calls it so)."""
    if not enterprise.is_enterprise:
        raise ValueError("self-assessments belong to enterprises")
    if baseline is not None and baseline.enterprise_id != enterprise.pk:
        raise ValueError("the baseline must be one of the same enterprise's assessments")
    if case is not None and case.enterprise_id != enterprise.pk:
        raise ValueError("an audit scores a case of the same enterprise")
    assessment = Assessment.objects.create(
        enterprise=enterprise,
        scheme_version=scheme_version,
        title=title or f"{scheme_version.title_zh} {timezone.localdate():%Y-%m-%d}",
        baseline=baseline,
        created_by=by,
        kind=Assessment.Kind.AUDIT if case is not None else Assessment.Kind.SELF,
        case=case,
    )
    if baseline is not None:
        codes = {i.code for i in scheme_of(scheme_version).items}
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                item_code=a.item_code,
                kind=a.kind,
                sampled=a.sampled,
                nonconforming=a.nonconforming,
                awarded=a.awarded,
                reason=a.reason,
                note=a.note,
                updated_by=by,
            )
            for a in baseline.answers.all()
            if a.item_code in codes
        )
        SpecialFinding.objects.bulk_create(
            SpecialFinding(assessment=assessment, type=s.type, kind=s.kind, reason=s.reason, created_by=by)
            for s in baseline.specials.all()
        )
    event_record(
        action="assessment.started",
        subject=assessment,
        by=by,
        data={
            "scheme": scheme_version.scheme_id,
            "version": scheme_version.version,
            "sha256": scheme_version.sha256,
            "baseline": baseline.pk if baseline else None,
            "kind": assessment.kind,
        },
    )
    return assessment


@transaction.atomic
def answer_save(
    *,
    assessment: Assessment,
    item_code: str,
    kind: str,
    expected_version: int,
    by,
    sampled: int | None = None,
    nonconforming: int | None = None,
    awarded: Decimal | None = None,
    reason: str = "",
    note: str = "",
) -> Answer:
    """Save one item's answer. Raises ProblemsError (bad answer), EditConflict (someone saved it
    since `expected_version`) or AssessmentFrozen; nothing is written then."""
    locked = assessment_lock_draft(assessment.pk)
    scheme = scheme_of(locked.scheme_version)
    if not scheme.has_node(item_code) or not scheme.node(item_code).is_item:
        raise ProblemsError([Problem("item_unknown", where=item_code, column="item", params={"item": item_code})])
    node = scheme.node(item_code)
    if awarded is not None and kind == ResultKind.PARTIAL:
        awarded = _stored_points(awarded, node.code)
    result = item_result(kind=kind, sampled=sampled, nonconforming=nonconforming, awarded=awarded, reason=reason)
    problems = check_inputs(scheme, {node.id: result}, require_all=False)
    if problems:
        raise ProblemsError(problems)

    answer = Answer.objects.filter(assessment=locked, item_code=node.code).first()
    current_version = answer.version if answer else 0
    if current_version != expected_version:
        raise EditConflict(current=answer)
    fields = {
        "kind": kind,
        "sampled": sampled if kind == ResultKind.SAMPLED else None,
        "nonconforming": nonconforming if kind == ResultKind.SAMPLED else None,
        "awarded": awarded if kind == ResultKind.PARTIAL else None,
        "reason": reason.strip(),
        "note": note.strip(),
        "updated_by": by,
    }
    if answer is None:
        answer = Answer.objects.create(assessment=locked, item_code=node.code, version=1, **fields)
    else:
        for key, value in fields.items():
            setattr(answer, key, value)
        answer.version += 1
        answer.save()
    event_record(
        action="assessment.answer_saved",
        subject=locked,
        by=by,
        data={"item": node.code, "result": kind, "version": answer.version},
    )
    return answer


@transaction.atomic
def answers_remaining_conform(*, assessment: Assessment, by) -> list[str]:
    """Every item not answered yet answered "conform", in one step and one event (the codes);
    answered items keep their answers, and each item can still be changed on its own after."""
    locked = assessment_lock_draft(assessment.pk)
    scheme = scheme_of(locked.scheme_version)
    answered = set(Answer.objects.filter(assessment=locked).values_list("item_code", flat=True))
    codes = [item.code for item in scheme.items if item.code not in answered]
    Answer.objects.bulk_create(
        Answer(assessment=locked, item_code=code, version=1, kind=ResultKind.CONFORM, updated_by=by) for code in codes
    )
    event_record(action="assessment.remaining_conform", subject=locked, by=by, data={"items": codes})
    return codes


@transaction.atomic
def special_add(*, assessment: Assessment, type: str, reason: str, by, kind: str = "") -> SpecialFinding:
    locked = assessment_lock_draft(assessment.pk)
    params = scheme_of(locked.scheme_version).parameters
    problems = []
    if not reason.strip():
        problems.append(
            Problem("deduction_needs_reason" if type == "deduction" else "bonus_needs_reason", column="reason")
        )
    if type == SpecialFinding.Type.DEDUCTION:
        if kind not in DeductionKind._value2member_map_:
            problems.append(
                Problem(
                    "deduction_kind_unknown",
                    column="kind",
                    params={"value": kind, "allowed": ", ".join(k.value for k in DeductionKind)},
                )
            )
    elif type == SpecialFinding.Type.BONUS:
        kind = ""
        count = locked.specials.filter(type=type).count()
        if count >= params.special_bonus_max:
            problems.append(
                Problem("bonus_too_many", column="type", params={"max": params.special_bonus_max, "count": count + 1})
            )
    else:
        raise ValueError(f"unknown special finding type {type!r}")
    if problems:
        raise ProblemsError(problems)
    finding = SpecialFinding.objects.create(
        assessment=locked, type=type, kind=kind, reason=reason.strip(), created_by=by
    )
    event_record(
        action="assessment.special_added",
        subject=locked,
        by=by,
        data={"type": type, "kind": kind, "finding": finding.pk},
    )
    return finding


@transaction.atomic
def special_remove(*, finding: SpecialFinding, by) -> None:
    locked = assessment_lock_draft(finding.assessment_id)
    event_record(
        action="assessment.special_removed",
        subject=locked,
        by=by,
        data={"type": finding.type, "kind": finding.kind, "reason": finding.reason},
    )
    finding.delete()


@transaction.atomic
def assessment_finish(*, assessment: Assessment, by) -> Assessment:
    """Freeze the assessment with its result. Every item must be answered."""
    locked = assessment_lock_draft(assessment.pk)
    live = assessment_score(locked)
    if live.unanswered:
        raise ProblemsError([Problem("item_missing", where=code, params={"item": code}) for code in live.unanswered])
    r = live.result
    locked.status = Assessment.Status.FINISHED
    locked.finished_by = by
    locked.finished_at = timezone.now()
    locked.score_exact = str(r.score)
    locked.level = r.level.value
    locked.result = result_as_json(live.scheme, r, "zh-Hans")
    locked.save()
    event_record(
        action="assessment.finished",
        subject=locked,
        by=by,
        data={"score": str(r.score), "level": r.level.value, "sha256": r.scheme_sha256},
    )
    return locked


AWARDED_PLACES = 4  # Answer.awarded stores 4 decimals; finer values are refused, never rounded


def _stored_points(value, code: str) -> Decimal:
    """The awarded points as the Decimal the database stores exactly, or a problem."""
    exact = Fraction(value)
    scaled = exact * 10**AWARDED_PLACES
    if scaled.denominator != 1:
        raise ProblemsError(
            [Problem("points_too_precise", where=code, column="points_awarded", params={"places": AWARDED_PLACES})]
        )
    return Decimal(scaled.numerator).scaleb(-AWARDED_PLACES).normalize()


@transaction.atomic
def assessment_import(*, assessment: Assessment, checklist, by) -> dict[str, int]:
    """Replace the answers and special findings with those of a checked checklist file
    (`aftersales.checklist.reader.Checklist`). The file is the whole new state: items left blank in
    it become unanswered. Every version rises, so a colleague's open form sees a conflict. The page
    asks first when this clears or changes saved work (`importing.import_effect`)."""
    locked = assessment_lock_draft(assessment.pk)
    scheme = scheme_of(locked.scheme_version)
    old = {a.item_code: a for a in locked.answers.all()}
    locked.answers.all().delete()
    specials_removed = locked.specials.all().delete()[0]
    answers = []
    for item_id, result in checklist.results.items():
        code = scheme.node(item_id).code
        previous = old.get(code)
        answers.append(
            Answer(
                assessment=locked,
                item_code=code,
                kind=result.kind.value,
                sampled=result.sampled,
                nonconforming=result.nonconforming,
                awarded=None if result.awarded is None else _stored_points(result.awarded, code),
                reason=result.reason,
                note=previous.note if previous else "",
                version=(previous.version + 1) if previous else 1,
                updated_by=by,
            )
        )
    Answer.objects.bulk_create(answers)
    SpecialFinding.objects.bulk_create(
        [
            SpecialFinding(assessment=locked, type="deduction", kind=d.kind.value, reason=d.reason, created_by=by)
            for d in checklist.deductions
        ]
        + [SpecialFinding(assessment=locked, type="bonus", reason=b.reason, created_by=by) for b in checklist.bonuses]
    )
    counts = {
        "answers": len(answers),
        "deductions": len(checklist.deductions),
        "bonuses": len(checklist.bonuses),
        "cleared": len(set(old) - {a.item_code for a in answers}),
        "specials_removed": specials_removed,
    }
    event_record(action="assessment.imported", subject=locked, by=by, data=counts)
    return counts
