from fractions import Fraction

import pytest

from aftersales.assessments.selectors import assessment_score
from aftersales.records.models import SampleEntry
from aftersales.records.services import VerdictRefused, sample_draw, sample_verdict_save

pytestmark = pytest.mark.django_db


def _draw(world, **kw):
    args = {
        "enterprise": world["enterprise"],
        "kind": "complaint",
        "n": 6,
        "seed": "s-1",
        "method": "simple",
        "by": world["people"]["auditor"],
    } | kw
    return sample_draw(**args)


def _keys(sample):
    return list(sample.entries.values_list("record_key", flat=True))


def test_it_draws_the_same_records_for_the_same_seed_and_population(world, imported):
    a, b = _draw(world), _draw(world)
    assert _keys(a) == _keys(b) and len(_keys(a)) == 6
    assert (a.frame_hash, a.frame_size) == (b.frame_hash, b.frame_size)
    assert _keys(_draw(world, seed="s-2")) != _keys(a)


def test_it_stratifies_by_month(world, imported):
    s = _draw(world, method="stratified-month", n=4)
    assert sum(s.allocation.values()) == 4
    assert set(s.entries.values_list("stratum", flat=True)) <= set(s.allocation)


def test_it_feeds_a_sampled_item_proportionally(world, imported):
    from aftersales.schemes.selectors import scheme_of

    assessment = world["assessment"]
    item = next(i for i in scheme_of(world["gbt"]).items if i.sampled)
    s = _draw(world, n=4, assessment=assessment, item_code=item.code, by=world["people"]["ent_admin"])
    entries = list(s.entries.all())
    before = assessment_score(assessment)

    def earned():
        live = assessment_score(assessment)
        return live.result.nodes[item.id].earned

    sample_verdict_save(entry=entries[0], verdict="conform", by=world["people"]["ent_member"])
    full = earned()
    assert full == Fraction(item.points)
    sample_verdict_save(entry=entries[1], verdict="nonconform", by=world["people"]["ent_member"])
    answer = assessment.answers.get(item_code=item.code)
    assert (answer.kind, answer.sampled, answer.nonconforming) == ("sampled", 2, 1)
    assert earned() == Fraction(item.points) / 2  # 1 of 2 judged entries nonconforming: half the points
    assert before.answered_count + 1 == assessment_score(assessment).answered_count


def test_it_refuses_to_link_a_sample_to_an_item_not_scored_on_samples(world, imported):
    from aftersales.core.problems import ProblemsError
    from aftersales.schemes.selectors import scheme_of

    item = next(i for i in scheme_of(world["gbt"]).items if not i.sampled)
    with pytest.raises(ProblemsError):
        _draw(world, assessment=world["assessment"], item_code=item.code, by=world["people"]["ent_admin"])


def test_it_refuses_verdicts_once_the_linked_assessment_is_finished(world, imported):
    from aftersales.assessments.models import Assessment
    from aftersales.schemes.selectors import scheme_of

    item = next(i for i in scheme_of(world["gbt"]).items if i.sampled)
    s = _draw(world, n=2, assessment=world["assessment"], item_code=item.code, by=world["people"]["ent_admin"])
    Assessment.objects.filter(pk=world["assessment"].pk).update(
        status="finished", finished_at="2026-06-01T00:00:00Z", result={}
    )
    entry = s.entries.first()
    with pytest.raises(VerdictRefused):
        sample_verdict_save(entry=entry, verdict="nonconform", by=world["people"]["ent_admin"])
    assert SampleEntry.objects.get(pk=entry.pk).verdict == "pending"


def test_it_saves_a_verdict_per_row_with_htmx(client, world, imported):
    from django.urls import reverse

    s = _draw(world, n=2)
    entry = s.entries.first()
    client.force_login(world["people"]["ent_member"])
    response = client.post(
        reverse("records_verdict", args=[world["enterprise"].pk, s.pk, entry.pk]),
        {"verdict": "nonconform", "note": "无签字"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="entry-{entry.pk}"')
    assert 'hx-swap-oob="true"' in body
    entry.refresh_from_db()
    assert (entry.verdict, entry.note, entry.judged_by) == ("nonconform", "无签字", world["people"]["ent_member"])
